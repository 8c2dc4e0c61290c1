/**
 * Item 2: 30 snapshots at once against a fake API that allows `limit` requests per sliding window,
 * with the client limit set to the same figure (as `coingeckoCallsPerMinute` would be).
 *
 * The theoretical minimum: the server admits at most `limit` requests in any window, so the last of
 * 30 requests cannot arrive before (ceil(30 / limit) − 1) windows after the first, and its answer
 * takes one more latency. S3 writes are not part of the minimum; they are in the measured time.
 */
import { runSnapshot } from "@api-s3-load/snapshot-engine";
import { startFakeCoingecko } from "../test/helpers/fakeCoingecko";
import { startS3Server } from "../test/helpers/s3Server";
import { progress, s3rverClient } from "./common";

export const SNAPSHOTS = 30;
const BUCKET = "bench-ratelimit";

export interface RateLimitRow {
  limit: number;
  windowMs: number;
  latencyMs: number;
  snapshots: number;
  requests: number;
  rateLimited: number;
  totalMs: number;
  minimumMs: number;
  ratio: number;
  failures: number;
}

export function theoreticalMinimumMs(
  snapshots: number,
  limit: number,
  windowMs: number,
  latencyMs: number,
): number {
  return (Math.ceil(snapshots / limit) - 1) * windowMs + latencyMs;
}

export async function benchRateLimit(
  cases: { limit: number; windowMs: number; latencyMs: number }[],
): Promise<RateLimitRow[]> {
  const s3 = await startS3Server([BUCKET]);
  const client = s3rverClient(s3.endpoint);
  const rows: RateLimitRow[] = [];
  try {
    for (const [index, c] of cases.entries()) {
      progress(`rate limit: ${SNAPSHOTS} snapshots, ${c.limit} per ${c.windowMs} ms`);
      const api = await startFakeCoingecko({
        catalogue: SNAPSHOTS * 10,
        latencyMs: c.latencyMs,
        rateLimit: { limit: c.limit, windowMs: c.windowMs },
      });
      try {
        // Warm the SDK and the engine (lazy requires) outside the timed part, on its own limiter.
        await runSnapshot(
          { name: "warmup", endpoint: "ping", params: {}, key: `warmup-${index}.json` },
          { plan: "public", baseUrl: api.baseUrl, callsPerMinute: 1_000_000 },
          { bucket: BUCKET, endpoint: s3.endpoint, forcePathStyle: true },
          { s3: client, rateWindowMs: 1 },
        );
        api.reset();
        const started = Date.now();
        const outcomes = await Promise.allSettled(
          Array.from({ length: SNAPSHOTS }, (_, i) =>
            runSnapshot(
              {
                name: `coins-${i}`,
                endpoint: "coins/markets",
                params: { vs_currency: "usd", per_page: 10, page: i + 1 },
                key: `rate/${index}/coins-${i}.json`,
              },
              { plan: "public", baseUrl: api.baseUrl, callsPerMinute: c.limit },
              { bucket: BUCKET, endpoint: s3.endpoint, forcePathStyle: true },
              // The process-wide limiter, as a deploy of 30 Snapshot resources would share it.
              { s3: client, rateWindowMs: c.windowMs },
            ),
          ),
        );
        const totalMs = Date.now() - started;
        const minimumMs = theoreticalMinimumMs(SNAPSHOTS, c.limit, c.windowMs, c.latencyMs);
        rows.push({
          ...c,
          snapshots: SNAPSHOTS,
          requests: api.requests.length,
          rateLimited: api.requests.filter((r) => r.status === 429).length,
          totalMs,
          minimumMs,
          ratio: totalMs / minimumMs,
          failures: outcomes.filter((o) => o.status === "rejected").length,
        });
      } finally {
        await api.stop();
      }
    }
  } finally {
    client.destroy();
    await s3.stop();
  }
  return rows;
}
