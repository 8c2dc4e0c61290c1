import { createS3Client, runSnapshot } from "@api-s3-load/snapshot-engine";
import type { S3Target, SnapshotSpec, SourceConfig } from "@api-s3-load/snapshot-engine";
import { marketsItem, startFakeCoingecko } from "../helpers/fakeCoingecko";
import type { FakeCoingecko } from "../helpers/fakeCoingecko";
import { startS3Server } from "../helpers/s3Server";
import type { EmbeddedS3 } from "../helpers/s3Server";
import { CANARY_KEY, FAST_RETRY, readObject, useS3rverCredentials } from "./engineHarness";

const BUCKET = "pages";

describe("pagination concatenates pages in order and stops at the end of the list", () => {
  let api: FakeCoingecko;
  let s3: EmbeddedS3;
  let target: S3Target;
  let source: SourceConfig;
  let restore: () => void;
  let n = 0;

  beforeAll(async () => {
    restore = useS3rverCredentials();
    // 23 coins: pages of 10 are full, full, short (3).
    [api, s3] = await Promise.all([startFakeCoingecko({ catalogue: 23 }), startS3Server([BUCKET])]);
    target = { bucket: BUCKET, endpoint: s3.endpoint, forcePathStyle: true };
    source = { plan: "demo", apiKey: CANARY_KEY, baseUrl: api.baseUrl };
  });
  beforeEach(() => api.reset());
  afterAll(async () => {
    await api.stop();
    await s3.stop();
    restore();
  });

  const spec = (pages: number, perPage = 10): SnapshotSpec => ({
    name: "paged",
    endpoint: "coins/markets",
    params: { vs_currency: "usd", per_page: perPage },
    pages,
    key: `paged/${(n += 1)}.json`,
  });
  const run = (s: SnapshotSpec, pageConcurrency: number) =>
    runSnapshot(s, source, target, {
      s3: createS3Client(target),
      retry: FAST_RETRY,
      rateWindowMs: 1000,
      pageConcurrency,
    });

  it.each([1, 2, 4])(
    "gives the same items in order with %i pages in flight",
    async (concurrency) => {
      const s = spec(6);
      const result = await run(s, concurrency);
      const stored = JSON.parse(
        (await readObject(s3.client, BUCKET, s.key))!.body.toString("utf8"),
      );
      expect(stored).toEqual(Array.from({ length: 23 }, (_, i) => marketsItem(i)));
      expect(result.itemCount).toBe(23);
      expect(result.sourceUrl).toBe(
        `${api.baseUrl}/coins/markets?page=1&per_page=10&vs_currency=usd`,
      );
    },
  );

  it("fetches pages one after another without requesting past the short page", async () => {
    await run(spec(6), 1);
    expect(api.requests.map((r) => new URL(r.url, "http://x").searchParams.get("page"))).toEqual([
      "1",
      "2",
      "3",
    ]);
  });

  it("stops at an empty page", async () => {
    const result = await run(spec(5, 23), 1);
    expect(result.itemCount).toBe(23);
    expect(api.count("page=")).toBe(2);
  });

  it("ignores a failure of a page after the end of the list", async () => {
    api.pushFault({ kind: "server-error", status: 500, match: "page=4&" });
    const result = await run(spec(6), 4);
    expect(result.itemCount).toBe(23);
  });

  it("fails when a page before the end of the list fails", async () => {
    api.pushFault({ kind: "server-error", status: 500, match: "page=2&" });
    await expect(run(spec(6), 2)).rejects.toMatchObject({
      kind: "http",
      message: expect.stringContaining("page=2&per_page=10"),
    });
  });

  it("stops at the page count even when every page is full", async () => {
    const result = await run(spec(2), 2);
    expect(result.itemCount).toBe(20);
    expect(api.count("page=")).toBe(2);
  });

  it("refuses to paginate an endpoint that answers an object", async () => {
    const s: SnapshotSpec = {
      name: "g",
      endpoint: "global",
      params: {},
      pages: 2,
      key: `paged/${(n += 1)}.json`,
    };
    await expect(run(s, 1)).rejects.toMatchObject({
      kind: "invalid-payload",
      message: expect.stringContaining("not a list, so it cannot be paginated: set pages to 1"),
    });
  });
});
