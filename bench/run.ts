/**
 * `npm run bench`: measures the five items of issue 6, the program start under the CLI (issue 10
 * item 2) and memory (issue 11 item 6) in one run, printing each figure as it is measured, and
 * writes docs/benchmarks.md and docs/benchmarks.svg. Not part of `npm test`: timings belong here,
 * never in assertions.
 *
 * Environment: BENCH_RUNS (pipeline rounds, default 5), BENCH_PROGRAM_RUNS (mocked program rounds,
 * default 5), BENCH_LOAD_RUNS (program-start rounds, default 3), BENCH_MEMORY_RUNS (default 3).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchCliLoad } from "./cliLoad";
import { loadAverage, machine, PROJECT_ROOT, progress } from "./common";
import { benchMemory } from "./memory";
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
  const startLoad = loadAverage();
  progress(`load average at start: ${startLoad.join(", ")}`);
  const runs = {
    pipeline: positiveInteger("BENCH_RUNS", 5),
    program: positiveInteger("BENCH_PROGRAM_RUNS", 5),
    load: positiveInteger("BENCH_LOAD_RUNS", 3),
    memory: positiveInteger("BENCH_MEMORY_RUNS", 3),
  };
  // Items that load the program first: it refuses to start when the engine's dist is older than its
  // sources, so they run right after `npm run build:engine`. Memory last, on the engine as it is then.
  const cliLoad = await benchCliLoad(runs.load);
  const program = await benchProgramCost(runs.program);
  const redeploy = await benchRedeploy();
  const state = await benchStateFootprint();
  const rateLimit = await benchRateLimit([
    { limit: 10, windowMs: 2_000, latencyMs: 50 },
    { limit: 6, windowMs: 1_000, latencyMs: 50 },
  ]);
  const pipeline = await benchPipeline({
    runs: runs.pipeline,
    defaultConcurrency: DEFAULT_PAGE_CONCURRENCY,
    tunedConcurrency: TUNED_PAGE_CONCURRENCY,
  });
  const memory = await benchMemory({
    runs: runs.memory,
    defaultConcurrency: DEFAULT_PAGE_CONCURRENCY,
  });
  const endLoad = loadAverage();
  progress(`load average at end: ${endLoad.join(", ")}`);

  const results: BenchResults = {
    machine: machine(),
    startedAt: new Date(started).toISOString().slice(0, 16).replace("T", " ") + " UTC",
    totalSeconds: (Date.now() - started) / 1000,
    loadAverage: { start: startLoad, end: endLoad },
    runs,
    latencyMs: LATENCY_MS,
    defaultConcurrency: DEFAULT_PAGE_CONCURRENCY,
    tunedConcurrency: TUNED_PAGE_CONCURRENCY,
    pipeline,
    rateLimit,
    state,
    redeploy,
    program,
    cliLoad,
    memory,
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
