import { createS3Client, runSnapshot } from "@api-s3-load/snapshot-engine";
import type { SnapshotSpec, SourceConfig } from "@api-s3-load/snapshot-engine";
import { marketsItem } from "../helpers/fakeCoingecko";
import { CANARY_KEY, FAST_RETRY, readObject, useApiAndS3 } from "./engineHarness";

const BUCKET = "pages";

describe("pagination concatenates pages in order and stops at the end of the list", () => {
  const env = useApiAndS3(BUCKET);
  let n = 0;
  const source = (): SourceConfig => ({
    plan: "demo",
    apiKey: CANARY_KEY,
    baseUrl: env.api.baseUrl,
  });

  const spec = (pages: number, perPage = 10): SnapshotSpec => ({
    name: "paged",
    endpoint: "coins/markets",
    params: { vs_currency: "usd", per_page: perPage },
    pages,
    key: `paged/${(n += 1)}.json`,
  });
  const run = (s: SnapshotSpec, pageConcurrency: number) =>
    runSnapshot(s, source(), env.target, {
      s3: createS3Client(env.target),
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
        (await readObject(env.s3.client, BUCKET, s.key))!.body.toString("utf8"),
      );
      expect(stored).toEqual(Array.from({ length: 23 }, (_, i) => marketsItem(i)));
      expect(result.itemCount).toBe(23);
      expect(result.sourceUrl).toBe(
        `${env.api.baseUrl}/coins/markets?page=1&per_page=10&vs_currency=usd`,
      );
    },
  );

  it("fetches pages one after another without requesting past the short page", async () => {
    await run(spec(6), 1);
    expect(
      env.api.requests.map((r) => new URL(r.url, "http://x").searchParams.get("page")),
    ).toEqual(["1", "2", "3"]);
  });

  it("stops at an empty page", async () => {
    const result = await run(spec(5, 23), 1);
    expect(result.itemCount).toBe(23);
    expect(env.api.count("page=")).toBe(2);
  });

  it("ignores a failure of a page after the end of the list", async () => {
    env.api.pushFault({ kind: "server-error", status: 500, match: "page=4&" });
    const result = await run(spec(6), 4);
    expect(result.itemCount).toBe(23);
  });

  it("fails when a page before the end of the list fails", async () => {
    env.api.pushFault({ kind: "server-error", status: 500, match: "page=2&" });
    await expect(run(spec(6), 2)).rejects.toMatchObject({
      kind: "http",
      message: expect.stringContaining("page=2&per_page=10"),
    });
  });

  it("stops at the page count even when every page is full", async () => {
    const result = await run(spec(2), 2);
    expect(result.itemCount).toBe(20);
    expect(env.api.count("page=")).toBe(2);
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
