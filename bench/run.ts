/**
 * `npm run bench`: measures the five items of issue 6, the program start under the CLI (issue 10
 * item 2) and memory (issue 11 item 6) in one run, printing each figure as it is measured, and
 * writes docs/benchmarks.md and docs/benchmarks.svg. Not part of `npm test`: timings belong here,
 * never in assertions.
 *
 * Environment: BENCH_RUNS (pipeline rounds, default 5), BENCH_PROGRAM_RUNS (mocked program rounds,
 * default 5), BENCH_LOAD_RUNS (program-start rounds, default 3), BENCH_MEMORY_RUNS (default 3).
 * BENCH_ONLY (a comma-separated list of parts: cliLoad, program, redeploy, state, rateLimit,
 * pipeline, timeline, memory, pluginStart,
 * cursor) measures only those, for iterating, and prints them instead of writing
 * the docs, which only a full run regenerates.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchCliLoad } from "./cliLoad";
import { benchCursorSource } from "./cursorSource";
import { loadAverage, machine, PROJECT_ROOT, progress } from "./common";
import { benchMemory } from "./memory";
import { benchPipeline, LATENCY_MS } from "./pipeline";
import { benchPluginStart } from "./pluginStart";
import { benchProgramCost } from "./programCost";
import { benchRateLimit } from "./rateLimit";
import { benchRedeploy } from "./redeploy";
import { renderMarkdown, renderSvg, type BenchResults } from "./report";
import { benchTimeline, renderTimelineSvg } from "./timeline";
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

const PARTS = [
  "cliLoad",
  "program",
  "redeploy",
  "state",
  "rateLimit",
  "pipeline",
  "timeline",
  "memory",
  "pluginStart",
  "cursor",
] as const;
type Part = (typeof PARTS)[number];

/** The parts BENCH_ONLY names, or undefined for a full run. */
function onlyParts(): Set<Part> | undefined {
  const raw = process.env.BENCH_ONLY;
  if (raw === undefined || raw.trim() === "") {
    return undefined;
  }
  const names = raw.split(",").map((name) => name.trim());
  const unknown = names.filter((name) => !(PARTS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_ONLY names ${unknown.map((n) => `"${n}"`).join(", ")}: use a comma-separated list of ${PARTS.join(", ")}, or unset it for a full run.`,
    );
  }
  return new Set(names as Part[]);
}

/** Runs the parts BENCH_ONLY names and prints their figures as JSON; writes no docs. */
async function runOnly(parts: Set<Part>, runs: BenchResults["runs"]): Promise<void> {
  const out: Record<string, unknown> = { loadAverageAtStart: loadAverage() };
  const measure: Record<Part, () => Promise<unknown>> = {
    cliLoad: () => benchCliLoad(runs.load),
    program: () => benchProgramCost(runs.program),
    redeploy: () => benchRedeploy(),
    state: () => benchStateFootprint(),
    rateLimit: () => benchRateLimit(RATE_LIMIT_CASES),
    pipeline: () =>
      benchPipeline({
        runs: runs.pipeline,
        defaultConcurrency: DEFAULT_PAGE_CONCURRENCY,
        tunedConcurrency: TUNED_PAGE_CONCURRENCY,
      }),
    timeline: () => benchTimeline(DEFAULT_PAGE_CONCURRENCY),
    memory: () => benchMemory({ runs: runs.memory, defaultConcurrency: DEFAULT_PAGE_CONCURRENCY }),
    pluginStart: () => benchPluginStart(runs.load),
    cursor: () => benchCursorSource({ runs: runs.pipeline, ...CURSOR_CASE }),
  };
  for (const part of PARTS) {
    if (parts.has(part)) {
      out[part] = await measure[part]();
    }
  }
  progress(`load average at end: ${loadAverage().join(", ")}`);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

/** Issue 25: a cursor-paged source of 16 pages at the pipeline's latency. */
const CURSOR_CASE = { pages: 16, latencyMs: LATENCY_MS };

const RATE_LIMIT_CASES = [
  { limit: 10, windowMs: 2_000, latencyMs: 50 },
  { limit: 6, windowMs: 1_000, latencyMs: 50 },
];

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
  const only = onlyParts();
  if (only) {
    await runOnly(only, runs);
    return;
  }
  // Items that load the program first: it refuses to start when the engine's dist is older than its
  // sources, so they run right after `npm run build:engine`. Memory last, on the engine as it is then.
  const cliLoad = await benchCliLoad(runs.load);
  const program = await benchProgramCost(runs.program);
  const redeploy = await benchRedeploy();
  const state = await benchStateFootprint();
  const rateLimit = await benchRateLimit(RATE_LIMIT_CASES);
  const pipeline = await benchPipeline({
    runs: runs.pipeline,
    defaultConcurrency: DEFAULT_PAGE_CONCURRENCY,
    tunedConcurrency: TUNED_PAGE_CONCURRENCY,
  });
  const timeline = await benchTimeline(DEFAULT_PAGE_CONCURRENCY);
  const cursor = await benchCursorSource({ runs: runs.pipeline, ...CURSOR_CASE });
  const memory = await benchMemory({
    runs: runs.memory,
    defaultConcurrency: DEFAULT_PAGE_CONCURRENCY,
  });
  const pluginStart = await benchPluginStart(runs.load);
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
    timeline,
    rateLimit,
    cursor,
    state,
    redeploy,
    program,
    cliLoad,
    memory,
    pluginStart,
  };
  const docs = join(PROJECT_ROOT, "docs");
  writeFileSync(join(docs, "benchmarks.svg"), renderSvg(results));
  writeFileSync(join(docs, "pipeline-timeline.svg"), renderTimelineSvg(results.timeline));
  writeFileSync(
    join(docs, "benchmarks.md"),
    renderMarkdown(results, "benchmarks.svg", "pipeline-timeline.svg"),
  );
  writeFileSync(
    join(PROJECT_ROOT, "bench", "results.json"),
    `${JSON.stringify(results, null, 2)}\n`,
  );
  progress(
    `wrote docs/benchmarks.md, docs/benchmarks.svg, docs/pipeline-timeline.svg and bench/results.json in ${results.totalSeconds.toFixed(0)} s`,
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
