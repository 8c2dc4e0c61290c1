import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync, gzipSync } from "node:zlib";
import { createS3Client, runSnapshot } from "@api-s3-load/snapshot-engine";
import type { SnapshotSpec, SourceConfig } from "@api-s3-load/snapshot-engine";
import { CANARY_KEY, FAST_RETRY, readObject, useApiAndS3 } from "./engineHarness";

/**
 * The engine formats and hashes a list while its pages (or one large answer's batches) arrive
 * (issue 20). What it stores must stay exactly what the whole-payload way stored:
 * `JSON.stringify(items of every page, concatenated, null, 2) + "\n"`, and its sha256. Each case
 * compares the stored object with that, computed here from the raw bodies the server sent.
 */
const BUCKET = "stored-bytes";

/** The bytes the engine stored before issue 20, from the raw page bodies. */
function wholePayloadBytes(pages: string[], object: boolean): Buffer {
  const payload = object
    ? JSON.parse(pages[0])
    : pages.flatMap((page) => JSON.parse(page) as unknown[]);
  return Buffer.from(`${JSON.stringify(payload, null, 2)}\n`, "utf8");
}

/** An item with everything the batch scan and the formatting must carry through unchanged. */
function trickyItem(i: number): Record<string, unknown> {
  return {
    id: `coin-${i}`,
    name: `Cöin ${i} 币 😀 \u2028\u2029 é`,
    quote: `say "hi" \\ back\\slash, [brackets] {braces}, comma,`,
    control: "\u0000\u0001\u001f\t\n\r\b\f",
    lone: "\ud800 half",
    numbers: [1e21, 1.5e-7, -0, 0.1, 123456789012345680000, -2.5e-300, 5e-324],
    nested: { a: [], b: {}, c: [[{}]], d: null, e: true },
    description: `Ünïcödé, "quotes", \\ and 😀 in a longer text. `.repeat(8),
  };
}

/**
 * Compact JSON as a server writes it, but with exponents written as the API may (`1E+21`,
 * `1.5e-07`), and `\u` escapes for characters JSON.stringify writes plainly.
 */
function rawPage(items: Record<string, unknown>[]): string {
  return JSON.stringify(items)
    .replace(/1e\+21/g, "1E+21")
    .replace(/1\.5e-7/g, "1.5e-07")
    .replace(/币/g, "\\u5e01");
}

/** A server answering `pages[page - 1]`, written in 7-byte chunks that split UTF-8 characters. */
async function startPageServer(
  pages: string[],
): Promise<{ baseUrl: string; stop: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const page = Number(new URL(req.url ?? "/", "http://x").searchParams.get("page") ?? 1);
    const body = Buffer.from(pages[page - 1] ?? "[]");
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    for (let at = 0; at < body.length; at += 7) {
      res.write(body.subarray(at, at + 7));
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api/v3`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("the stored bytes are exactly JSON.stringify(payload, null, 2) plus a newline", () => {
  const env = useApiAndS3(BUCKET);
  let n = 0;

  /** Runs the engine and returns the stored object's bytes (gunzipped if stored gzip) and sha256s. */
  async function stored(spec: Omit<SnapshotSpec, "key" | "name">, source: SourceConfig) {
    const key = `stored/${(n += 1)}.json`;
    const result = await runSnapshot({ name: "bytes", key, ...spec }, source, env.target, {
      s3: createS3Client(env.target),
      retry: FAST_RETRY,
      rateWindowMs: 1000,
      pageConcurrency: 4,
    });
    const object = (await readObject(env.s3.client, BUCKET, key))!;
    expect(object.metadata.sha256).toBe(result.sha256);
    expect(createHash("sha256").update(object.body).digest("hex")).toBe(result.sha256);
    expect(result.bytes).toBe(object.body.length);
    return { body: object.body, result };
  }

  /** The raw answers of the fake to the URLs the engine asked, in page order. */
  async function rawBodies(urls: string[]): Promise<string[]> {
    return Promise.all(urls.map(async (url) => (await fetch(url)).text()));
  }

  const fakeSource = (): SourceConfig => ({
    plan: "demo",
    apiKey: CANARY_KEY,
    baseUrl: env.api.baseUrl,
  });

  it.each([
    ["coins/markets, one page", "coins/markets", { vs_currency: "usd", per_page: 10 }, 1, false],
    [
      "coins/markets, pages ending in a short one",
      "coins/markets",
      { vs_currency: "usd", per_page: 10 },
      6,
      false,
    ],
    [
      "coins/markets, pages all full",
      "coins/markets",
      { vs_currency: "usd", per_page: 5 },
      3,
      false,
    ],
    ["coins/list", "coins/list", {}, 1, false],
    [
      "simple/price (an object)",
      "simple/price",
      { ids: "bitcoin,ethereum,coin-3", vs_currencies: "usd,eur" },
      1,
      true,
    ],
    ["global (an object)", "global", {}, 1, true],
    ["search/trending (an object)", "search/trending", {}, 1, true],
  ] as const)("%s", async (_what, endpoint, params, pages, object) => {
    const { body, result } = await stored({ endpoint, params, pages }, fakeSource());
    const perPage = Number((params as Record<string, unknown>).per_page ?? 100);
    const urls: string[] = [];
    let raw: string[] = [];
    // The pages the engine joined: up to the first short page.
    for (let page = 1; page <= pages; page += 1) {
      const query = new URLSearchParams(
        Object.fromEntries(
          Object.entries({ ...params, ...(pages > 1 ? { page } : {}) }).map(([k, v]) => [
            k,
            String(v),
          ]),
        ),
      );
      urls.push(`${env.api.baseUrl}/${endpoint}?${query}`);
      raw = await rawBodies(urls);
      if (!object && (JSON.parse(raw[raw.length - 1]) as unknown[]).length < perPage) {
        break;
      }
    }
    expect(body.toString("utf8")).toBe(wholePayloadBytes(raw, object).toString("utf8"));
    expect(result.unchanged).toBe(false);
  });

  it("with gzip: true stores gzip of those bytes, as gzipSync at level 9 made them", async () => {
    env.api.setOptions({ gzip: true });
    const { body } = await stored(
      {
        endpoint: "coins/markets",
        params: { vs_currency: "usd", per_page: 10 },
        pages: 6,
        gzip: true,
      },
      fakeSource(),
    );
    env.api.setOptions({ gzip: false });
    const raw = await rawBodies(
      [1, 2, 3].map(
        (page) => `${env.api.baseUrl}/coins/markets?page=${page}&per_page=10&vs_currency=usd`,
      ),
    );
    const expected = wholePayloadBytes(raw, false);
    expect(gunzipSync(body).toString("utf8")).toBe(expected.toString("utf8"));
    expect(body.equals(gzipSync(expected, { level: 9 }))).toBe(true);
  });

  it("an empty page stores [] and a newline", async () => {
    env.api.pushFault({ kind: "empty" });
    const { body, result } = await stored(
      { endpoint: "coins/markets", params: { vs_currency: "usd" }, minItems: 0 },
      fakeSource(),
    );
    expect(body.toString("utf8")).toBe("[]\n");
    expect(result.itemCount).toBe(0);
  });

  describe("unicode, escapes and exponent numbers, split across chunks", () => {
    // Page 1 and 2 are full (per_page 250) and each over 64 KiB, so one answer spans several
    // batches; page 3 is empty, which ends the list.
    const items = Array.from({ length: 500 }, (_, i) => trickyItem(i));
    const pageBodies = [rawPage(items.slice(0, 250)), rawPage(items.slice(250)), "[ ]"];
    let server: { baseUrl: string; stop: () => Promise<void> };

    beforeAll(async () => {
      expect(Buffer.byteLength(pageBodies[0])).toBeGreaterThan(2 * 64 * 1024);
      server = await startPageServer(pageBodies);
    });
    afterAll(() => server.stop());

    it("pages joined as they arrive, the last one empty", async () => {
      const { body, result } = await stored(
        { endpoint: "coins/markets", params: { per_page: 250 }, pages: 4 },
        { plan: "public", baseUrl: server.baseUrl },
      );
      expect(body.toString("utf8")).toBe(wholePayloadBytes(pageBodies, false).toString("utf8"));
      expect(result.itemCount).toBe(500);
    });

    it("one large answer, streamed batch by batch", async () => {
      const { body } = await stored(
        { endpoint: "coins/markets", params: { per_page: 250 } },
        { plan: "public", baseUrl: server.baseUrl },
      );
      expect(body.toString("utf8")).toBe(
        wholePayloadBytes([pageBodies[0]], false).toString("utf8"),
      );
      // The old bytes round-trip: the same items, so nothing was lost or re-escaped on the way.
      expect(JSON.parse(body.toString("utf8"))).toEqual(JSON.parse(pageBodies[0]));
    });
  });
});
