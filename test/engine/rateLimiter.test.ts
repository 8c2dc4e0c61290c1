import { createS3Client, RateLimiter, runSnapshot } from "@api-s3-load/snapshot-engine";
import type { S3Target } from "@api-s3-load/snapshot-engine";
import { startFakeCoingecko } from "../helpers/fakeCoingecko";
import type { FakeCoingecko } from "../helpers/fakeCoingecko";
import { startS3Server } from "../helpers/s3Server";
import type { EmbeddedS3 } from "../helpers/s3Server";
import { CANARY_KEY, useS3rverCredentials } from "./engineHarness";

describe("RateLimiter", () => {
  it("never has more than maxConcurrency holders at once", async () => {
    const limiter = new RateLimiter({ limit: 100, windowMs: 10, maxConcurrency: 2 });
    let holding = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const release = await limiter.acquire();
        holding += 1;
        most = Math.max(most, holding);
        await new Promise((resolve) => setImmediate(resolve));
        holding -= 1;
        release();
      }),
    );
    expect(most).toBe(2);
  });

  it("lets only `limit` requests start before a window has passed since a release", async () => {
    const limiter = new RateLimiter({ limit: 3, windowMs: 60_000, maxConcurrency: 10 });
    const granted: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      void limiter.acquire().then((release) => {
        granted.push(i);
        release();
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(granted).toEqual([0, 1, 2]);
  });

  it("lowers its limit to what the server announces, and never raises it", () => {
    const limiter = new RateLimiter({ limit: 30, windowMs: 1000, maxConcurrency: 1 });
    limiter.lower(10);
    limiter.lower(100);
    expect(limiter.limit).toBe(10);
  });

  it("tells onWait, as each request is queued, how long the rate limit holds it", async () => {
    const waits: { waitMs: number; atLeast: boolean }[] = [];
    const limiter = new RateLimiter({
      limit: 2,
      windowMs: 60_000,
      maxConcurrency: 4,
      onWait: ({ waitMs, atLeast }) => waits.push({ waitMs, atLeast }),
    });
    (await limiter.acquire())();
    // Three pages in one tick: the first takes the free slot, the second waits for the cooling
    // slot, the third for the first page's slot, which cools only after that page ends.
    const cancel = new AbortController();
    const pages = [1, 2, 3].map(() => limiter.acquire(cancel.signal));
    expect(waits).toHaveLength(2);
    expect(waits[0].atLeast).toBe(false);
    expect(waits[0].waitMs).toBeGreaterThan(59_000);
    expect(waits[1]).toEqual({ waitMs: 60_000, atLeast: true });
    (await pages[0])();
    cancel.abort();
    await expect(Promise.all(pages.slice(1))).rejects.toMatchObject({ name: "AbortError" });
  });

  it("gives up a queued wait when its signal aborts", async () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 60_000, maxConcurrency: 1 });
    (await limiter.acquire())();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
  });
});

describe("a burst of snapshots shares the plan's limit", () => {
  const WINDOW_MS = 400;
  const LIMIT = 4;
  let api: FakeCoingecko;
  let s3: EmbeddedS3;
  let target: S3Target;
  let restore: () => void;

  beforeAll(async () => {
    restore = useS3rverCredentials();
    // The server enforces LIMIT requests per sliding WINDOW_MS, as CoinGecko does per minute.
    [api, s3] = await Promise.all([
      startFakeCoingecko({ rateLimit: { limit: LIMIT, windowMs: WINDOW_MS } }),
      startS3Server(["burst"]),
    ]);
    target = { bucket: "burst", endpoint: s3.endpoint, forcePathStyle: true };
  });
  afterAll(async () => {
    await api.stop();
    await s3.stop();
    restore();
  });

  it("runs 12 concurrent snapshots (16 requests) with zero 429s", async () => {
    const s3Client = createS3Client(target);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        runSnapshot(
          {
            name: `burst-${i}`,
            endpoint: "coins/markets",
            params: { vs_currency: "usd", per_page: 100 },
            pages: i < 2 ? 3 : 1,
            key: `burst/${i}.json`,
          },
          // The limiter is the process-wide one for this plan and host, scaled to the server's window.
          { plan: "demo", apiKey: CANARY_KEY, baseUrl: api.baseUrl, callsPerMinute: LIMIT },
          target,
          { s3: s3Client, rateWindowMs: WINDOW_MS, retry: { maxAttempts: 1 } },
        ),
      ),
    );
    s3Client.destroy();
    expect(results.map((r) => r.requests)).toEqual([3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(api.requests.filter((r) => r.status === 429)).toHaveLength(0);
    expect(api.requests).toHaveLength(16);
  });

  it("earns 429s from the same burst without the limiter (the test can fail)", async () => {
    api.reset();
    const unlimited = new RateLimiter({ limit: 1000, windowMs: WINDOW_MS, maxConcurrency: 16 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        runSnapshot(
          {
            name: `free-${i}`,
            endpoint: "coins/markets",
            params: { vs_currency: "usd" },
            key: `free/${i}.json`,
          },
          { plan: "demo", apiKey: CANARY_KEY, baseUrl: api.baseUrl },
          target,
          { limiter: unlimited, retry: { maxAttempts: 1 } },
        ),
      ),
    );
    expect(api.requests.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(outcomes.some((o) => o.status === "rejected")).toBe(true);
  });
});

describe("the server's x-ratelimit-limit", () => {
  it("lowers the limiter the run uses", async () => {
    const restore = useS3rverCredentials();
    const [api, s3] = await Promise.all([
      startFakeCoingecko({ announceLimit: 2 }),
      startS3Server(["announce"]),
    ]);
    try {
      const limiter = new RateLimiter({ limit: 30, windowMs: 1000, maxConcurrency: 2 });
      await runSnapshot(
        { name: "a", endpoint: "coins/markets", params: { vs_currency: "usd" }, key: "a.json" },
        { plan: "demo", apiKey: CANARY_KEY, baseUrl: api.baseUrl },
        { bucket: "announce", endpoint: s3.endpoint, forcePathStyle: true },
        { limiter },
      );
      expect(limiter.limit).toBe(2);
    } finally {
      await api.stop();
      await s3.stop();
      restore();
    }
  });
});
