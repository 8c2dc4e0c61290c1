import { SnapshotError } from "@api-s3-load/snapshot-engine";
import {
  GITHUB_TOKEN,
  QUERY_KEY,
  startFakeApis,
  type ApiFault,
  type FakeApis,
} from "../../helpers/fakeApis";
import { useSources } from "./sourceHarness";

describe("a faulty API fails the snapshot and leaves the previous object byte-identical", () => {
  const { env, run, stored } = useSources();
  let elsewhere: FakeApis;
  beforeAll(async () => {
    elsewhere = await startFakeApis();
  });
  afterAll(() => elsewhere.stop());

  const secretOf = (style: string) =>
    style === "github" ? GITHUB_TOKEN : style === "items" ? QUERY_KEY : undefined;

  it.each<[string, string, () => ApiFault, SnapshotError["kind"], RegExp]>([
    [
      "a next URL on another port",
      "pokeapi",
      () => ({ kind: "next-other-port", port: elsewhere.port }),
      "invalid-payload",
      /answered a next page on another origin, http:\/\/127\.0\.0\.1:\d+; it was not followed/,
    ],
    [
      "a repeated cursor",
      "openalex",
      () => ({ kind: "repeat-cursor", match: "cursor=MTA" }),
      "invalid-payload",
      /answered the cursor "MTA" a second time; stopping rather than looping/,
    ],
    [
      "an error body under HTTP 200",
      "openmeteo",
      () => ({
        kind: "error-under-200",
        body: { error: true, reason: "Latitude must be in range of -90 to 90°." },
      }),
      "api-error",
      /answered HTTP 200 with an error body \(\$\.error is true\): check the params; nothing was stored/,
    ],
    [
      "an HTML page under HTTP 200",
      "worldbank",
      () => ({ kind: "html-200", match: "page=2" }),
      "invalid-payload",
      /answered HTTP 200 with an HTML page \("Just a moment\.\.\."\) instead of JSON/,
    ],
    [
      "429s with an HTTP-date Retry-After, past the attempts",
      "github",
      () => ({ kind: "rate-limit-http-date", seconds: 2, match: "page=2" }),
      "rate-limited",
      /after 3 attempts .*\(last status 429\)/,
    ],
    [
      "a drop mid-body, with the key in the query",
      "items",
      () => ({ kind: "drop-mid-body", match: "offset=10" }),
      "network",
      /GET http:\/\/127\.0\.0\.1:\d+\/offset\/items\?limit=10&offset=10 failed after 3 attempts/,
    ],
  ])("%s (%s)", async (_what, style, fault, kind, message) => {
    const key = `${style}/fault.json`;
    const secret = secretOf(style);
    const first = await run(style, { key, secret });
    const before = await stored(key);
    env.api.reset();
    env.api.fail(fault());
    const failure = await run(style, {
      key,
      secret,
      previous: { etag: first.result.etag, sha256: first.result.sha256 },
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SnapshotError);
    expect((failure as SnapshotError).kind).toBe(kind);
    expect((failure as SnapshotError).message).toMatch(message);
    if (secret) {
      expect((failure as SnapshotError).message).not.toContain(secret);
    }
    const after = await stored(key);
    expect(after?.body.equals(before!.body)).toBe(true);
    expect(after?.etag).toBe(before?.etag);
    expect(elsewhere.requests).toEqual([]);
  });

  it("waits out a 429's HTTP-date Retry-After, and says so", async () => {
    env.api.fail({ kind: "rate-limit-http-date", seconds: 3, match: "page=2", times: 1 });
    const { result, sleeps, log } = await run("github", {
      key: "github/wait.json",
      secret: GITHUB_TOKEN,
    });
    expect(result.itemCount).toBe(23);
    // An HTTP date has whole seconds: the wait is the rest of the 3 s, never the backoff's 1 ms.
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(1500);
    expect(sleeps[0]).toBeLessThanOrEqual(3000);
    expect(log.join("\n")).toContain("as the API's Retry-After header asks");
  });

  it("reads GitHub's 403 with x-ratelimit-remaining 0 as a rate limit and waits until its reset", async () => {
    env.api.fail({ kind: "forbidden-remaining-0", resetIn: 4, times: 1 });
    const { result, sleeps, log } = await run("github", {
      key: "github/reset.json",
      secret: GITHUB_TOKEN,
    });
    expect(result.itemCount).toBe(23);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(2000);
    expect(sleeps[0]).toBeLessThanOrEqual(4000);
    expect(log.join("\n")).toMatch(
      /failed: the API rate limit was hit \(HTTP 403, x-ratelimit-remaining: 0\).*; trying again in \d\.\d s, when the API's x-ratelimit-reset header says its limit resets/,
    );
  });

  it("sends the key only to baseUrl's origin: a next URL elsewhere gets nothing, not even a request", async () => {
    env.api.fail({ kind: "next-other-port", port: elsewhere.port });
    await expect(
      run("pokeapi", {
        key: "pokeapi/elsewhere.json",
        source: { auth: { in: "header", name: "x-api-key", secret: "k" } },
        secret: "secret-canary-1234",
      }),
    ).rejects.toThrow(`another origin, ${elsewhere.baseUrl}`);
    expect(elsewhere.requests).toEqual([]);
    expect(env.api.requests.map((r) => r.headers["x-api-key"])).toEqual(["secret-canary-1234"]);
  });
});
