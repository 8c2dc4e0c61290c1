/**
 * Item 1: the snapshot pipeline against the naive approach and the transfer floor.
 *
 * The fake API, s3rver and the counting proxy run in this process; each scenario's client runs in a
 * child (`pipelineChild.ts`), so its wall time and peak RSS are its own. Requests are counted where
 * they arrive (the fake API, the proxy in front of s3rver), not by the code being measured.
 */
import { marketsItem, startFakeCoingecko } from "../test/helpers/fakeCoingecko";
import { startFaultProxy } from "../test/helpers/faultProxy";
import { startS3Server } from "../test/helpers/s3Server";
import { median, progress, runChild } from "./common";
import type { Approach, PipelineChildResult } from "./pipelineChild";

export const PAGE_COUNTS = [1, 8, 32] as const;
export const LATENCY_MS = 100;
const PER_PAGE = 250;
const BUCKET = "bench-pipeline";

export interface PipelineRow {
  approach: Approach;
  pages: number;
  /** Pages in flight at once (1 for naive). */
  concurrency: number;
  runs: number;
  timesMs: number[];
  medianMs: number;
  /** Per run, counted at the fake API. */
  apiRequests: number;
  /** Per run, counted at the proxy in front of s3rver, by method. */
  s3Requests: Record<string, number>;
  /** JSON bytes the API sent per run (identical for every approach). */
  apiBytes: number;
  /** Body bytes PUT to S3 per run. */
  putBytes: number;
  baselineRssMb: number;
  peakRssMb: number;
}

interface Scenario {
  approach: Approach;
  pages: number;
  concurrency: number;
}

/** Body bytes of one page as the fake sends it (`JSON.stringify` of its items, no gzip). */
function pageBytes(page: number): number {
  const items = Array.from({ length: PER_PAGE }, (_, i) => marketsItem((page - 1) * PER_PAGE + i));
  return Buffer.byteLength(JSON.stringify(items));
}

export function scenarios(defaultConcurrency: number, tunedConcurrency: number): Scenario[] {
  const list: Scenario[] = [];
  for (const pages of PAGE_COUNTS) {
    list.push({ approach: "naive", pages, concurrency: 1 });
    list.push({ approach: "floor", pages, concurrency: defaultConcurrency });
    list.push({ approach: "ours", pages, concurrency: defaultConcurrency });
    if (pages > 1) {
      list.push({ approach: "floor", pages, concurrency: tunedConcurrency });
      list.push({ approach: "ours", pages, concurrency: tunedConcurrency });
    }
  }
  return list;
}

export async function benchPipeline(options: {
  runs: number;
  defaultConcurrency: number;
  tunedConcurrency: number;
}): Promise<PipelineRow[]> {
  const api = await startFakeCoingecko({
    latencyMs: LATENCY_MS,
    catalogue: Math.max(...PAGE_COUNTS) * PER_PAGE,
  });
  const s3 = await startS3Server([BUCKET]);
  const proxy = await startFaultProxy(s3.endpoint);
  const rows: PipelineRow[] = [];
  try {
    const bytesByPages = new Map<number, number>();
    for (const pages of PAGE_COUNTS) {
      let total = 0;
      for (let page = 1; page <= pages; page += 1) {
        total += pageBytes(page);
      }
      bytesByPages.set(pages, total);
    }
    for (const scenario of scenarios(options.defaultConcurrency, options.tunedConcurrency)) {
      api.reset();
      proxy.reset();
      progress(
        `pipeline: ${scenario.approach} ${scenario.pages} pages, concurrency ${scenario.concurrency}`,
      );
      const result = await runChild<PipelineChildResult>("pipelineChild.ts", [
        scenario.approach,
        String(scenario.pages),
        String(scenario.concurrency),
        String(options.runs),
        api.baseUrl,
        proxy.endpoint,
        BUCKET,
      ]);
      // The child made runs + 1 (warm-up) identical passes.
      const passes = options.runs + 1;
      const s3Requests: Record<string, number> = {};
      for (const request of proxy.requests) {
        s3Requests[request.method] = (s3Requests[request.method] ?? 0) + 1;
      }
      for (const method of Object.keys(s3Requests)) {
        s3Requests[method] /= passes;
      }
      const putBytes = proxy.requests
        .filter((r) => r.method === "PUT")
        .reduce((sum, r) => sum + Number(r.headers["content-length"] ?? 0), 0);
      rows.push({
        ...scenario,
        runs: options.runs,
        timesMs: result.timesMs,
        medianMs: median(result.timesMs),
        apiRequests: api.count("/coins/markets") / passes,
        s3Requests,
        apiBytes: bytesByPages.get(scenario.pages) ?? 0,
        putBytes: putBytes / passes,
        baselineRssMb: result.baselineRssKb / 1024,
        peakRssMb: result.peakRssKb / 1024,
      });
    }
  } finally {
    await proxy.stop();
    await s3.stop();
    await api.stop();
  }
  return rows;
}
