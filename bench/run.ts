/**
 * `npm run bench`: measures the five items of issue 6 in one run and writes docs/benchmarks.md and
 * docs/benchmarks.svg. Not part of `npm test`: timings belong here, never in assertions.
 *
 * Environment: BENCH_RUNS (pipeline runs per scenario, default 5), BENCH_PROGRAM_RUNS (mocked
 * program runs per size, default 5).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { machine, PROJECT_ROOT, progress } from "./common";
import { benchPipeline, LATENCY_MS } from "./pipeline";
import { benchProgramCost } from "./programCost";
import { benchRateLimit } from "./rateLimit";
import { benchRedeploy } from "./redeploy";
import { renderMarkdown, renderSvg, type BenchResults } from "./report";
import { benchStateFootprint } from "./stateFootprint";
import { DEFAULT_PAGE_CONCURRENCY } from "@api-s3-load/snapshot-engine";

/** The engine's default `pageConcurrency` (RunOptions), and the tuned value compared beside it. */
const TUNED_PAGE_CONCURRENCY = 2 * DEFAULT_PAGE_CONCURRENCY;

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(
      `${name} is "${raw}": set it to a whole number of at least 1, or unset it for ${fallback}.`,
    );
  }
  return value;
}

async function main(): Promise<void> {
  const started = Date.now();
  const runs = {
    pipeline: positiveInteger("BENCH_RUNS", 5),
    program: positiveInteger("BENCH_PROGRAM_RUNS", 5),
  };
  // Cheap items first, so a failure shows before the long pipeline runs.
  const redeploy = await benchRedeploy();
  const state = await benchStateFootprint();
  const rateLimit = await benchRateLimit([
    { limit: 10, windowMs: 2_000, latencyMs: 50 },
    { limit: 6, windowMs: 1_000, latencyMs: 50 },
  ]);
  const program = await benchProgramCost(runs.program);
  const pipeline = await benchPipeline({
    runs: runs.pipeline,
    defaultConcurrency: DEFAULT_PAGE_CONCURRENCY,
    tunedConcurrency: TUNED_PAGE_CONCURRENCY,
  });

  const results: BenchResults = {
    machine: machine(),
    startedAt: new Date(started).toISOString().slice(0, 16).replace("T", " ") + " UTC",
    totalSeconds: (Date.now() - started) / 1000,
    runs,
    latencyMs: LATENCY_MS,
    defaultConcurrency: DEFAULT_PAGE_CONCURRENCY,
    tunedConcurrency: TUNED_PAGE_CONCURRENCY,
    pipeline,
    rateLimit,
    state,
    redeploy,
    program,
  };
  const docs = join(PROJECT_ROOT, "docs");
  writeFileSync(join(docs, "benchmarks.svg"), renderSvg(results));
  writeFileSync(join(docs, "benchmarks.md"), renderMarkdown(results, "benchmarks.svg"));
  writeFileSync(
    join(PROJECT_ROOT, "bench", "results.json"),
    `${JSON.stringify(results, null, 2)}\n`,
  );
  progress(
    `wrote docs/benchmarks.md, docs/benchmarks.svg and bench/results.json in ${results.totalSeconds.toFixed(0)} s`,
  );
}

main().then(
  // Every server was stopped; exiting explicitly guards against a stray idle keep-alive socket.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
