/**
 * Item 1: the snapshot pipeline against the naive approach and the transfer floor.
 *
 * The fake API, s3rver and the counting proxy run in this process; each scenario's client is a
 * worker process (`pipelineChild.ts`), so its wall time and peak RSS are its own. For each page
 * count all scenarios' workers are started, warmed up once, then run in rounds, one run of each
 * scenario per round (ours, floor, naive, ours at the tuned concurrency, floor at it), so load on
 * the machine falls on every approach of a round alike; the targets use the per-round ratios.
 * Requests are counted where they arrive (the fake API, the proxy in front of s3rver), per run.
 */
import { marketsItem, startFakeCoingecko } from "../test/helpers/fakeCoingecko";
import { startFaultProxy } from "../test/helpers/faultProxy";
import { startS3Server } from "../test/helpers/s3Server";
import {
  median,
  PER_PAGE,
  progress,
  spread,
  startWorker,
  type Spread,
  type Worker,
} from "./common";
// Types only: importing a value would run the child's main() in this process.
import type { Approach, PipelineRunResult, PipelineWorkerReady } from "./pipelineChild";

export const PAGE_COUNTS = [1, 8, 32] as const;
export const LATENCY_MS = 100;
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
  /** Worker RSS after loading its modules, before the warm-up. */
  baselineRssMb: number;
  /** Highest peak RSS of the measured runs. */
  peakRssMb: number;
  /** Median over runs of the run's peak minus the RSS just before it. */
  overBaselineMb: number;
}

/** Per-round ratios of ours to the floor (same concurrency) and to naive. */
export interface PipelineRatios {
  pages: number;
  concurrency: number;
  vsFloor: Spread;
  vsNaive: Spread;
  floorVsNaive: Spread;
}

export interface PipelineResults {
  rows: PipelineRow[];
  ratios: PipelineRatios[];
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

/** The scenarios of one page count, in the order each round runs them. */
export function scenarios(
  pages: number,
  defaultConcurrency: number,
  tunedConcurrency: number,
): Scenario[] {
  const list: Scenario[] = [
    { approach: "ours", pages, concurrency: defaultConcurrency },
    { approach: "floor", pages, concurrency: defaultConcurrency },
    { approach: "naive", pages, concurrency: 1 },
  ];
  if (pages > 1) {
    list.push(
      { approach: "ours", pages, concurrency: tunedConcurrency },
      { approach: "floor", pages, concurrency: tunedConcurrency },
    );
  }
  return list;
}

const label = (s: Scenario) => `${s.approach}/${s.concurrency}`;

export async function benchPipeline(options: {
  runs: number;
  defaultConcurrency: number;
  tunedConcurrency: number;
}): Promise<PipelineResults> {
  const api = await startFakeCoingecko({
    latencyMs: LATENCY_MS,
    catalogue: Math.max(...PAGE_COUNTS) * PER_PAGE,
  });
  const s3 = await startS3Server([BUCKET]);
  const proxy = await startFaultProxy(s3.endpoint);
  const rows: PipelineRow[] = [];
  const ratios: PipelineRatios[] = [];
  try {
    for (const pages of PAGE_COUNTS) {
      let apiBytes = 0;
      for (let page = 1; page <= pages; page += 1) {
        apiBytes += pageBytes(page);
      }
      const list = scenarios(pages, options.defaultConcurrency, options.tunedConcurrency);
      const workers: Worker<PipelineWorkerReady, PipelineRunResult>[] = [];
      try {
        for (const s of list) {
          workers.push(
            await startWorker<PipelineWorkerReady, PipelineRunResult>("pipelineChild.ts", [
              s.approach,
              String(pages),
              String(s.concurrency),
              api.baseUrl,
              proxy.endpoint,
              BUCKET,
            ]),
          );
        }
        // One untimed warm-up run each: JIT, lazy SDK modules and keep-alive sockets.
        for (const [i, s] of list.entries()) {
          await workers[i].request(
            `run bench/${s.approach}-${pages}-c${s.concurrency}-warmup.json`,
          );
        }
        const measured = list.map(() => ({
          timesMs: [] as number[],
          apiRequests: 0,
          s3: {} as Record<string, number>,
          putBytes: 0,
          peakRssKb: 0,
          overKb: [] as number[],
        }));
        for (let round = 0; round < options.runs; round += 1) {
          const figures: string[] = [];
          for (const [i, s] of list.entries()) {
            const apiBefore = api.count("/coins/markets");
            const s3Before = proxy.requests.length;
            // A fresh key each run, so ours always takes its create path (HEAD 404, then PUT).
            const result = await workers[i].request(
              `run bench/${s.approach}-${pages}-c${s.concurrency}-${round}.json`,
            );
            const m = measured[i];
            m.timesMs.push(result.ms);
            m.peakRssKb = Math.max(m.peakRssKb, result.peakRssKb);
            m.overKb.push(result.peakRssKb - result.baselineRssKb);
            m.apiRequests += api.count("/coins/markets") - apiBefore;
            for (const request of proxy.requests.slice(s3Before)) {
              m.s3[request.method] = (m.s3[request.method] ?? 0) + 1;
              if (request.method === "PUT") {
                m.putBytes += Number(request.headers["content-length"] ?? 0);
              }
            }
            figures.push(`${label(s)} ${Math.round(result.ms)} ms`);
          }
          progress(
            `pipeline ${pages} page(s), round ${round + 1}/${options.runs}: ${figures.join(", ")}`,
          );
        }
        for (const [i, s] of list.entries()) {
          const m = measured[i];
          rows.push({
            ...s,
            runs: options.runs,
            timesMs: m.timesMs,
            medianMs: median(m.timesMs),
            apiRequests: m.apiRequests / options.runs,
            s3Requests: Object.fromEntries(
              Object.entries(m.s3).map(([method, n]) => [method, n / options.runs]),
            ),
            apiBytes,
            putBytes: m.putBytes / options.runs,
            baselineRssMb: workers[i].ready.baselineRssKb / 1024,
            peakRssMb: m.peakRssKb / 1024,
            overBaselineMb: median(m.overKb) / 1024,
          });
        }
        if (pages > 1) {
          const naive = measured[list.findIndex((s) => s.approach === "naive")].timesMs;
          for (const concurrency of [options.defaultConcurrency, options.tunedConcurrency]) {
            const at = (approach: Approach) =>
              measured[
                list.findIndex((s) => s.approach === approach && s.concurrency === concurrency)
              ].timesMs;
            const ours = at("ours");
            const floor = at("floor");
            const r: PipelineRatios = {
              pages,
              concurrency,
              vsFloor: spread(ours.map((t, k) => t / floor[k])),
              vsNaive: spread(ours.map((t, k) => t / naive[k])),
              floorVsNaive: spread(floor.map((t, k) => t / naive[k])),
            };
            ratios.push(r);
            progress(
              `pipeline ${pages} pages, concurrency ${concurrency}: ours ÷ floor ${r.vsFloor.median.toFixed(2)}× (${r.vsFloor.min.toFixed(2)}–${r.vsFloor.max.toFixed(2)}), ours ÷ naive ${r.vsNaive.median.toFixed(2)}× (${r.vsNaive.min.toFixed(2)}–${r.vsNaive.max.toFixed(2)})`,
            );
          }
        }
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
      }
    }
  } finally {
    await proxy.stop();
    await s3.stop();
    await api.stop();
  }
  return { rows, ratios };
}
