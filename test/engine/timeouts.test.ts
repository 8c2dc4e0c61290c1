import { RateLimiter, runSnapshot, SnapshotError } from "@api-s3-load/snapshot-engine";
import type { FetchLike, SnapshotSpec } from "@api-s3-load/snapshot-engine";

/**
 * An API that accepts every connection and never answers: each request ends only when the engine
 * aborts it, exactly as node-fetch rejects on its signal. Runs on jest's fake clock, so the default
 * 30 s timeouts are real settings, not scaled-down ones.
 */
function silentApi(): { fetch: FetchLike; requests: () => number } {
  let requests = 0;
  const fetch: FetchLike = (_url, init) => {
    requests += 1;
    return new Promise((_resolve, reject) => {
      init.signal.addEventListener("abort", () => {
        const error = new Error("The user aborted a request.");
        error.name = "AbortError";
        reject(error);
      });
    });
  };
  return { fetch, requests: () => requests };
}

/** An API that answers 503 at once, every time. */
function failingApi(): { fetch: FetchLike; requests: () => number } {
  let requests = 0;
  const fetch: FetchLike = () => {
    requests += 1;
    return Promise.resolve({
      status: 503,
      headers: { get: (name: string) => (name === "content-type" ? "application/json" : null) },
      body: (async function* () {
        yield Buffer.from('{"error":"Service unavailable"}');
      })(),
    });
  };
  return { fetch, requests: () => requests };
}

const spec = (overrides: Partial<SnapshotSpec> = {}): SnapshotSpec => ({
  name: "coins-markets",
  endpoint: "coins/markets",
  params: { vs_currency: "usd" },
  key: "coingecko/coins-markets.json",
  ...overrides,
});

/** Runs a snapshot on the fake clock; returns its error and the fake time it took to fail. */
async function failureOf(
  run: () => Promise<unknown>,
  budgetMs: number,
): Promise<{ error: SnapshotError; elapsedMs: number }> {
  const start = Date.now();
  let settled: { error: SnapshotError; elapsedMs: number } | undefined;
  const outcome = run().then(
    () => {
      throw new Error("the snapshot should have failed");
    },
    (error: SnapshotError) => {
      settled = { error, elapsedMs: Date.now() - start };
    },
  );
  // Step the clock in one-second ticks so the failure time is read to the second.
  for (let waited = 0; waited < budgetMs && settled === undefined; waited += 1000) {
    await jest.advanceTimersByTimeAsync(1000);
  }
  if (settled === undefined) {
    throw new Error(`the snapshot was still running after ${budgetMs / 1000} s`);
  }
  await outcome;
  return settled;
}

describe("a snapshot against an API that never answers", () => {
  const target = { bucket: "snapshots", endpoint: "http://127.0.0.1:1", forcePathStyle: true };
  const limiter = () => new RateLimiter({ limit: 5, windowMs: 60_000, maxConcurrency: 4 });

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("fails within 90 s by default, saying how long it waited and which field to raise", async () => {
    const api = silentApi();
    const { error, elapsedMs } = await failureOf(
      () =>
        runSnapshot(
          spec(),
          { plan: "public", baseUrl: "https://api.example.test/api/v3" },
          target,
          {
            fetch: api.fetch,
            limiter: limiter(),
          },
        ),
      90_000,
    );
    // Two 30 s timeouts and one backoff of 1–2 s: not five attempts as after a 5xx.
    expect(api.requests()).toBe(2);
    expect(elapsedMs).toBeGreaterThanOrEqual(61_000);
    expect(elapsedMs).toBeLessThanOrEqual(63_000);
    expect(error.kind).toBe("timeout");
    expect(error.message).toMatch(
      /^Snapshot "coins-markets": GET https:\/\/api\.example\.test\/api\/v3\/coins\/markets\?vs_currency=usd failed after 2 attempts over 6[12] s: no complete answer within 30 s\. If the API is only slow \(a slow link, a large payload\), raise `timeoutSeconds` of this snapshot \(its `snapshots` entry; the limit per request, now 30 s, default 30 s\)$/,
    );
  });

  it("also fails within 90 s when every page of a paginated snapshot hangs", async () => {
    const api = silentApi();
    const { error, elapsedMs } = await failureOf(
      () =>
        runSnapshot(
          spec({ pages: 8, params: { vs_currency: "usd", per_page: 250 } }),
          { plan: "public", baseUrl: "https://api.example.test/api/v3" },
          target,
          { fetch: api.fetch, limiter: limiter() },
        ),
      90_000,
    );
    expect(error.kind).toBe("timeout");
    expect(elapsedMs).toBeLessThanOrEqual(90_000);
  });

  it("waits longer when `timeoutSeconds` is raised for a slow link", async () => {
    const api = silentApi();
    const { error, elapsedMs } = await failureOf(
      () =>
        runSnapshot(
          spec({ timeoutSeconds: 120 }),
          { plan: "public", baseUrl: "https://api.example.test/api/v3" },
          target,
          { fetch: api.fetch, limiter: limiter() },
        ),
      300_000,
    );
    expect(api.requests()).toBe(2);
    expect(elapsedMs).toBeGreaterThanOrEqual(241_000);
    expect(error.message).toContain("no complete answer within 120 s");
    expect(error.message).toContain("now 120 s, default 30 s");
  });

  it("keeps the full five attempts for an API that answers 5xx", async () => {
    const api = failingApi();
    const { error } = await failureOf(
      () =>
        runSnapshot(
          spec(),
          { plan: "public", baseUrl: "https://api.example.test/api/v3" },
          target,
          {
            fetch: api.fetch,
            limiter: new RateLimiter({ limit: 50, windowMs: 60_000, maxConcurrency: 4 }),
          },
        ),
      120_000,
    );
    expect(api.requests()).toBe(5);
    expect(error).toMatchObject({ kind: "http" });
    expect(error.message).toContain("failed after 5 attempts");
  });
});
