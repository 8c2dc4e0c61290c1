import { GITHUB_TOKEN, QUERY_KEY } from "../../helpers/fakeApis";
import { storedItems, useSources } from "./sourceHarness";

describe("each style of API lands as the source declares it", () => {
  const { env, run, stored } = useSources();

  it.each([
    // [style, secret, requests (path and query as sent, keys left out), stored]
    [
      "pokeapi",
      undefined,
      [
        "/pokeapi/pokemon?limit=10",
        "/pokeapi/pokemon?offset=10&limit=10",
        "/pokeapi/pokemon?offset=20&limit=10",
      ],
    ],
    [
      "openalex",
      undefined,
      [
        "/openalex/works?cursor=*&per-page=10",
        "/openalex/works?cursor=MTA&per-page=10",
        "/openalex/works?cursor=MjA&per-page=10",
        "/openalex/works?cursor=MzA&per-page=10",
      ],
    ],
    [
      "github",
      GITHUB_TOKEN,
      [
        "/github/repos/o/r/releases?per_page=10",
        "/github/repositories/1/releases?per_page=10&page=2",
        "/github/repositories/1/releases?per_page=10&page=3",
      ],
    ],
    [
      "worldbank",
      undefined,
      [
        "/worldbank/country/all/indicator/SP.POP.TOTL?format=json&page=1&per_page=10",
        "/worldbank/country/all/indicator/SP.POP.TOTL?format=json&page=2&per_page=10",
        "/worldbank/country/all/indicator/SP.POP.TOTL?format=json&page=3&per_page=10",
      ],
    ],
    [
      "items",
      QUERY_KEY,
      [
        "/offset/items?limit=10&offset=0&api_key=***",
        "/offset/items?limit=10&offset=10&api_key=***",
        "/offset/items?limit=10&offset=20&api_key=***",
      ],
    ],
  ])(
    "%s: every record of every page, in order, with no request past the end",
    async (style, secret, urls) => {
      const { result, log } = await run(style, { secret });
      const key = `${style}/${result.key.split("/")[1]}`;
      const object = await stored(key);
      expect(object?.body.toString()).toBe(storedItems(1, 23));
      expect(result).toMatchObject({ itemCount: 23, truncated: false, unchanged: false });
      expect(
        env.api.requests.map((r) => (secret ? r.url.split(secret).join("***") : r.url)).sort(),
      ).toEqual([...urls].sort());
      // The key travels only as the source's auth says, and is never written down.
      const written = JSON.stringify({ result, log, metadata: object?.metadata });
      if (secret) {
        expect(written).not.toContain(secret);
        for (const request of env.api.requests) {
          expect(JSON.stringify(request)).toContain(secret);
        }
      }
    },
  );

  it("open-meteo: one object, stored as its body came", async () => {
    const { result } = await run("openmeteo");
    const object = await stored("openmeteo/forecast.json");
    expect(JSON.parse(object!.body.toString())).toEqual({
      latitude: 52.52,
      longitude: 13.41,
      hourly_units: { temperature_2m: "°C" },
      hourly: { time: ["2026-12-01T00:00"], temperature_2m: [3.4] },
    });
    expect(object!.body.toString()).toMatch(/^\{\n {2}"latitude": 52.52,\n[\s\S]*\n\}\n$/);
    expect(result).toMatchObject({ itemCount: 4, requests: 1, truncated: false });
    expect(env.api.requests.map((r) => r.url)).toEqual([
      "/openmeteo/v1/forecast?latitude=52.52&longitude=13.41",
    ]);
  });

  it.each([
    ["pokeapi", 2, "/pokeapi/pokemon?offset=20&limit=10"],
    ["worldbank", 2, "page=3"],
    ["items", 1, "offset=10"],
  ])(
    "%s stopped at maxPages %i while the API offers more: truncated, said, never silent",
    async (style, maxPages, next) => {
      const secret = style === "items" ? QUERY_KEY : undefined;
      const { result, log } = await run(style, {
        secret,
        key: `${style}/truncated.json`,
        spec: { maxPages },
      });
      expect(result).toMatchObject({ truncated: true, itemCount: maxPages * 10 });
      expect(env.api.requests).toHaveLength(maxPages);
      const line = log.find((l) => l.includes("maxPages"));
      expect(line).toContain(`stopped at maxPages (${maxPages}) while the API offers another page`);
      expect(line).toContain(next);
      expect(line).not.toContain(QUERY_KEY);
      expect((await stored(`${style}/truncated.json`))!.body.toString()).toBe(
        storedItems(1, maxPages * 10),
      );
    },
  );

  it.each([
    ["worldbank", "side by side once the first page told the total", 2],
    ["pokeapi", "one after another, each learnt from the page before", 1],
  ])("%s pages are fetched %s", async (style, _how, inFlight) => {
    env.api.fail({ kind: "slow", ms: 60 });
    await run(style, { key: `${style}/overlap.json` });
    expect(env.api.maxInFlight).toBe(inFlight);
  });

  it.each([
    [
      "pages from 0 until has_more is false, the size sent from pageSize",
      {
        baseUrl: "",
        pagination: {
          type: "page",
          param: "page",
          start: 0,
          sizeParam: "size",
          pageSize: 10,
          hasMore: "$.has_more",
        },
        records: "$.data",
      },
      "things",
      [
        "/custom/things?page=0&size=10",
        "/custom/things?page=1&size=10",
        "/custom/things?page=2&size=10",
      ],
    ],
    [
      "a cursor from a response header",
      {
        baseUrl: "",
        pagination: { type: "cursor", param: "after", from: { header: "x-next-cursor" } },
        records: "$.data",
      },
      "feed",
      ["/custom/feed", "/custom/feed?after=10", "/custom/feed?after=20"],
    ],
  ])("%s", async (_what, source, endpoint, urls) => {
    const { result } = await run("pokeapi", {
      key: `custom/${endpoint}.json`,
      source: { ...source, baseUrl: `${env.api.baseUrl}/custom` } as never,
      spec: { endpoint, params: {} },
    });
    expect(result).toMatchObject({ itemCount: 23, truncated: false });
    expect((await stored(`custom/${endpoint}.json`))!.body.toString()).toBe(storedItems(1, 23));
    // Pages side by side without a declared total may ask up to 3 past the end; never fewer.
    const asked = env.api.requests.map((r) => r.url);
    expect(asked.slice(0, urls.length).sort()).toEqual([...urls].sort());
    expect(asked.length - urls.length).toBeLessThanOrEqual(endpoint === "things" ? 3 : 0);
  });

  it.each([
    [
      "retry",
      { status: "busy" },
      /the API answered HTTP 200 with an error body \(\$\.status is "busy"\): try later; trying again/,
    ],
    [
      "rate-limited",
      { status: "throttled" },
      /the API rate limit was hit \(HTTP 200\) \(\$\.status is "throttled"\): try later; trying again/,
    ],
  ] as const)(
    "an error rule with action %s retries the answer it matches",
    async (action, body, line) => {
      env.api.fail({ kind: "error-under-200", body, times: 1 });
      const { result, log } = await run("openmeteo", {
        key: `openmeteo/${action}.json`,
        source: {
          errors: {
            rules: [{ bodyPath: "$.status", equals: body.status, action, hint: "try later" }],
          },
        },
      });
      expect(result.requests).toBe(2);
      expect(log.join("\n")).toMatch(line);
    },
  );

  it.each([
    [{ minItems: 30 }, "answered 23 items, fewer than minItems (30); nothing was stored"],
    [{ requiredFields: ["url"] }, "answered items without requiredFields (item 0 lacks url;"],
  ])("checks the stored records as CoinGecko's items are checked: %j", async (spec, message) => {
    await expect(run("pokeapi", { key: "pokeapi/checked.json", spec })).rejects.toThrow(message);
    expect(await stored("pokeapi/checked.json")).toBeUndefined();
  });

  it("a re-run with the same data writes nothing", async () => {
    const first = await run("pokeapi", { key: "pokeapi/again.json" });
    const second = await run("pokeapi", {
      key: "pokeapi/again.json",
      previous: { etag: first.result.etag, sha256: first.result.sha256 },
    });
    expect(second.result).toMatchObject({ unchanged: true, etag: first.result.etag });
  });
});
