/**
 * One pipeline approach in its own process, so its peak RSS is its own, driven by the parent one run
 * at a time: `approach pages concurrency baseUrl s3Endpoint bucket [endpoint]`. Every approach loads
 * the same modules before the baseline RSS is read, so the "over baseline" figures compare the work,
 * not the imports.
 *
 * Protocol (bench/common.ts `startWorker`): after loading, it prints `BENCH_RESULT {baselineRssKb}`;
 * then each stdin line `run <key>` runs the approach once, writing to `<key>`, and prints
 * `BENCH_RESULT {ms, baselineRssKb, peakRssKb}`: RSS before the run (after a full GC, so garbage of an
 * earlier run is not counted) and the peak during it. `trace <key>` runs ours once with every API
 * request and S3 call timed (bench/timeline.ts) and adds them as `events`. It exits when stdin ends.
 *
 * - ours: the engine's `runSnapshot` (fetch, validate, format, sha256, HEAD, conditional PUT).
 * - naive: the original script: pages one after another, JSON.parse, JSON.stringify(…, null, 2), one PUT.
 * - floor: the same pages with the same concurrency, raw bytes concatenated and PUT as they are.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { performance } from "node:perf_hooks";
import type { S3Client } from "@aws-sdk/client-s3";
import type { FetchLike } from "@api-s3-load/snapshot-engine";
import { emitResult, PER_PAGE, s3rverClient } from "./common";

export type Approach = "ours" | "naive" | "floor";

export interface PipelineWorkerReady {
  baselineRssKb: number;
}

/** One request of a traced run, in ms from the run's start. */
export interface TraceEvent {
  /** `GET page 3`, `HeadObject`, `PutObject`. */
  label: string;
  startMs: number;
  /** When its answer (for a GET, the last byte of its body) arrived. */
  endMs: number;
}

export interface PipelineRunResult {
  ms: number;
  /** Only for `trace`. */
  events?: TraceEvent[];
  /** RSS just before the run, after a full GC. */
  baselineRssKb: number;
  /** Peak RSS during the run (VmHWM after resetting it; else the process's `maxRSS`). */
  peakRssKb: number;
}

function procStatusKb(field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(
    readFileSync("/proc/self/status", "utf8"),
  );
  if (!match) {
    throw new Error(`/proc/self/status has no ${field}.`);
  }
  return Number(match[1]);
}

/**
 * Starts a peak-RSS measurement and returns the baseline. On Linux, writing 5 to clear_refs resets
 * the kernel's high-water mark (VmHWM) to the current RSS, so the peak is the run's own, not module
 * loading's or an earlier run's; elsewhere the process-wide `maxRSS` is the fallback.
 */
function markMemory(): { baselineKb: number; peakKb: () => number } {
  (globalThis as { gc?: () => void }).gc?.();
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return { baselineKb: procStatusKb("VmRSS"), peakKb: () => procStatusKb("VmHWM") };
  } catch {
    const maxRss = () => process.resourceUsage().maxRSS;
    return { baselineKb: maxRss(), peakKb: maxRss };
  }
}

function pageUrl(baseUrl: string, endpoint: string, page: number, pages: number): string {
  // A single-page endpoint (such as coins/list) takes no paging parameters.
  return pages === 1 && endpoint !== "coins/markets"
    ? `${baseUrl}/${endpoint}`
    : `${baseUrl}/${endpoint}?page=${page}&per_page=${PER_PAGE}&vs_currency=usd`;
}

/**
 * A fetch and an S3 client that time every request into `events`, from `started`: a GET until the
 * last byte of its body, an S3 call until its answer.
 */
function tracing(
  fetch: FetchLike,
  s3: S3Client,
): { fetch: FetchLike; s3: S3Client; events: TraceEvent[]; started: number } {
  const trace = { fetch, s3, events: [] as TraceEvent[], started: 0 };
  const at = () => performance.now() - trace.started;
  trace.fetch = async (url, init) => {
    const startMs = at();
    const page = new URL(url).searchParams.get("page");
    const label = page ? `GET page ${page}` : "GET";
    const response = await fetch(url, init);
    const body = response.body;
    const timed = body
      ? (async function* () {
          try {
            yield* body;
          } finally {
            trace.events.push({ label, startMs, endMs: at() });
          }
        })()
      : null;
    return { status: response.status, headers: response.headers, body: timed };
  };
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const startMs = at();
      try {
        return await next(args);
      } finally {
        trace.events.push({ label: context.commandName ?? "S3", startMs, endMs: at() });
      }
    },
    { step: "initialize", name: "benchTrace" },
  );
  return trace;
}

async function main(): Promise<void> {
  const [approach, pagesText, concurrencyText, baseUrl, s3Endpoint, bucket, endpointArg] =
    process.argv.slice(2);
  const pages = Number(pagesText);
  const concurrency = Number(concurrencyText);
  const endpoint = endpointArg ?? "coins/markets";
  const engine =
    require("@api-s3-load/snapshot-engine") as typeof import("@api-s3-load/snapshot-engine");
  const fetch = require("node-fetch") as typeof import("node-fetch").default;
  const { PutObjectCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
  const s3: S3Client = s3rverClient(s3Endpoint);

  const put = (key: string, body: Buffer | string) =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: "application/json",
      }),
    );

  const traced = tracing(engine.defaultFetch(), s3rverClient(s3Endpoint));

  const once = async (key: string, trace = false): Promise<void> => {
    switch (approach as Approach) {
      case "ours": {
        traced.events.length = 0;
        traced.started = performance.now();
        await engine.runSnapshot(
          {
            name: "bench",
            endpoint,
            params: endpoint === "coins/markets" ? { vs_currency: "usd", per_page: PER_PAGE } : {},
            pages,
            key,
          },
          // High enough that the limiter never waits here; it is measured on its own (rate limit).
          { plan: "public", baseUrl, callsPerMinute: 1_000_000 },
          { bucket, endpoint: s3Endpoint, forcePathStyle: true, region: "us-east-1" },
          {
            s3: trace ? traced.s3 : s3,
            fetch: trace ? traced.fetch : undefined,
            pageConcurrency: concurrency,
            maxConcurrency: Math.max(4, concurrency),
          },
        );
        return;
      }
      case "naive": {
        const items: unknown[] = [];
        for (let page = 1; page <= pages; page += 1) {
          const response = await fetch(pageUrl(baseUrl, endpoint, page, pages));
          items.push(...(JSON.parse(await response.text()) as unknown[]));
        }
        await put(key, JSON.stringify(items, null, 2));
        return;
      }
      case "floor": {
        const parts: Buffer[] = [];
        let next = 1;
        const worker = async () => {
          while (next <= pages) {
            const page = next;
            next += 1;
            const response = await fetch(pageUrl(baseUrl, endpoint, page, pages));
            parts[page - 1] = await response.buffer();
          }
        };
        await Promise.all(Array.from({ length: Math.min(concurrency, pages) }, worker));
        await put(key, Buffer.concat(parts));
        return;
      }
      default:
        throw new Error(`Unknown approach "${approach}": use ours, naive or floor.`);
    }
  };

  emitResult({ baselineRssKb: process.resourceUsage().maxRSS } satisfies PipelineWorkerReady);
  // One command at a time: the parent waits for each reply before it sends the next line.
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, key] = line.trim().split(/\s+/);
    if ((command !== "run" && command !== "trace") || !key) {
      throw new Error(`Unknown command "${line}": send "run <key>" or "trace <key>".`);
    }
    const memory = markMemory();
    const started = process.hrtime.bigint();
    await once(key, command === "trace");
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    emitResult({
      ms,
      events: command === "trace" ? [...traced.events] : undefined,
      baselineRssKb: memory.baselineKb,
      peakRssKb: memory.peakKb(),
    } satisfies PipelineRunResult);
  }
  s3.destroy();
  traced.s3.destroy();
  // Idle keep-alive sockets would otherwise hold the process open.
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
