/**
 * Item 6 (issue 11): memory. Each measurement is one run in a fresh worker process
 * (`pipelineChild.ts`), so its peak RSS (`maxRSS`) holds that run only; the baseline is the same
 * process's `maxRSS` after loading the engine, the AWS SDK and node-fetch, before the first request.
 *
 * - A large single response (about 60 MB of `coins/markets`-shaped items from one request) through
 *   the engine's `runSnapshot` to s3rver: peak over baseline against the payload.
 * - 32 pages (same fake API and latency as the pipeline rows): ours at the default concurrency and
 *   the naive script, interleaved round by round.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { marketsItem, startFakeCoingecko } from "../test/helpers/fakeCoingecko";
import { startS3Server } from "../test/helpers/s3Server";
import { PER_PAGE, progress, spread, startWorker, type Spread } from "./common";
import { LATENCY_MS } from "./pipeline";
// Types only: importing a value would run the child's main() in this process.
import type { PipelineRunResult, PipelineWorkerReady } from "./pipelineChild";

export const LARGE_PAYLOAD_BYTES = 60_000_000;
const BUCKET = "bench-memory";
const PAGES = 32;

export interface MemoryRun {
  baselineRssMb: number;
  peakRssMb: number;
  overBaselineMb: number;
  ms: number;
}

export interface MemoryResults {
  large: { payloadBytes: number; runs: MemoryRun[]; ratio: Spread };
  pages: {
    pages: number;
    concurrency: number;
    ours: MemoryRun[];
    naive: MemoryRun[];
    ratio: Spread;
  };
}

/** A JSON array of market items of at least `bytes` bytes, served whole from one request. */
function largeBody(bytes: number): Buffer {
  const parts: string[] = [];
  let size = 2;
  for (let i = 0; size < bytes; i += 1) {
    const item = JSON.stringify(marketsItem(i));
    parts.push(item);
    size += item.length + 1;
  }
  return Buffer.from(`[${parts.join(",")}]`);
}

async function serve(body: Buffer): Promise<{ baseUrl: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** One run of `approach` in a fresh worker. */
async function oneRun(args: string[], key: string): Promise<MemoryRun> {
  const worker = await startWorker<PipelineWorkerReady, PipelineRunResult>(
    "pipelineChild.ts",
    args,
  );
  try {
    const result = await worker.request(`run ${key}`);
    const baselineRssMb = result.baselineRssKb / 1024;
    const peakRssMb = result.peakRssKb / 1024;
    return { baselineRssMb, peakRssMb, overBaselineMb: peakRssMb - baselineRssMb, ms: result.ms };
  } finally {
    await worker.stop();
  }
}

export async function benchMemory(options: {
  runs: number;
  defaultConcurrency: number;
}): Promise<MemoryResults> {
  const s3 = await startS3Server([BUCKET]);
  const body = largeBody(LARGE_PAYLOAD_BYTES);
  const large = await serve(body);
  const api = await startFakeCoingecko({ latencyMs: LATENCY_MS, catalogue: PAGES * PER_PAGE });
  const payloadMb = body.length / 1024 / 1024;
  const largeRuns: MemoryRun[] = [];
  const ours: MemoryRun[] = [];
  const naive: MemoryRun[] = [];
  try {
    for (let round = 0; round < options.runs; round += 1) {
      const run = await oneRun(
        [
          "ours",
          "1",
          String(options.defaultConcurrency),
          large.baseUrl,
          s3.endpoint,
          BUCKET,
          "coins/list",
        ],
        `bench/large-${round}.json`,
      );
      largeRuns.push(run);
      progress(
        `memory, ${payloadMb.toFixed(1)} MB single response, run ${round + 1}/${options.runs}: peak ${run.peakRssMb.toFixed(0)} MB, ${run.overBaselineMb.toFixed(0)} MB over baseline = ${(run.overBaselineMb / payloadMb).toFixed(2)}× the payload (${Math.round(run.ms)} ms)`,
      );
    }
    for (let round = 0; round < options.runs; round += 1) {
      const o = await oneRun(
        [
          "ours",
          String(PAGES),
          String(options.defaultConcurrency),
          api.baseUrl,
          s3.endpoint,
          BUCKET,
        ],
        `bench/memory-ours-${round}.json`,
      );
      const n = await oneRun(
        ["naive", String(PAGES), "1", api.baseUrl, s3.endpoint, BUCKET],
        `bench/memory-naive-${round}.json`,
      );
      ours.push(o);
      naive.push(n);
      progress(
        `memory, ${PAGES} pages, round ${round + 1}/${options.runs}: over baseline ours ${o.overBaselineMb.toFixed(1)} MB, naive ${n.overBaselineMb.toFixed(1)} MB (${(o.overBaselineMb / n.overBaselineMb).toFixed(2)}×)`,
      );
    }
  } finally {
    await api.stop();
    await new Promise<void>((resolve) => large.server.close(() => resolve()));
    await s3.stop();
  }
  return {
    large: {
      payloadBytes: body.length,
      runs: largeRuns,
      ratio: spread(largeRuns.map((r) => r.overBaselineMb / payloadMb)),
    },
    pages: {
      pages: PAGES,
      concurrency: options.defaultConcurrency,
      ours,
      naive,
      ratio: spread(ours.map((o, k) => o.overBaselineMb / naive[k].overBaselineMb)),
    },
  };
}
