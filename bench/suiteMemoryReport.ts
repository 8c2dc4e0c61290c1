/**
 * The test suite's memory as docs/benchmarks.md shows it: what bench/suiteMemory.ts measured on
 * the whole suite, kept in bench/suiteMemory.json so that `npm run bench` (which regenerates the
 * page and does not run the suite) carries the last figures over.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const SUITE_MEMORY_JSON = join(__dirname, "suiteMemory.json");
const SECTION_TITLE = "## 9. Test suite memory";
const NEXT_SECTION = "## How to reproduce";
/** The largest process must stay under this, so the suite runs on a 16 GB laptop beside an editor. */
export const LARGEST_PROCESS_TARGET_MB = 3072;

export interface ProcessPeak {
  pid: number;
  command: string;
  peakMb: number;
}

export interface SuiteMemoryResults {
  measuredAt: string;
  node: string;
  cores: number;
  loadAverage: { start: number[]; end: number[] };
  seconds: number;
  /** jest's own summary lines ("Tests: …", "Test Suites: …"). */
  summary: string[];
  /** Whether jest printed "A worker process has failed to exit gracefully". */
  workerForceExited: boolean;
  /** Every process with a peak of at least 50 MB, largest first. */
  processes: ProcessPeak[];
  heldAtOnceMb: number;
}

export function readSuiteMemory(): SuiteMemoryResults | undefined {
  return existsSync(SUITE_MEMORY_JSON)
    ? (JSON.parse(readFileSync(SUITE_MEMORY_JSON, "utf8")) as SuiteMemoryResults)
    : undefined;
}

/**
 * A command line as short as it can be and still say what ran: `node` for Node's path, `<tmp>/`
 * for a temporary project, a package's path for its bin script.
 */
export function shortCommand(command: string): string {
  return command
    .replace(/\S*\/bin\/node(?=\s|$)/g, "node")
    .replace(/\/tmp\/[^/\s]+\//g, "<tmp>/")
    .replace(/\.\/node_modules\/(\S+?)(\/dist\/bin)?(\.js)?(?=\s|$)/g, "$1")
    .slice(0, 90);
}

/** The largest processes, and the jest parent wherever it ranks. */
function listed(processes: ProcessPeak[]): ProcessPeak[] {
  const top = processes.slice(0, 8);
  const parent = processes.find((p) => p.command === "jest parent");
  return parent && !top.includes(parent) ? [...top, parent] : top;
}

const mb = (value: number): string => `${Math.round(value).toLocaleString("en-US")} MB`;

/** The section's lines, or none before the suite has been measured. */
export function renderSuiteMemory(results = readSuiteMemory()): string[] {
  if (results === undefined) {
    return [];
  }
  const [largest] = results.processes;
  const verdict = largest.peakMb < LARGEST_PROCESS_TARGET_MB ? "**met**" : "**missed**";
  return [
    SECTION_TITLE,
    "",
    `The whole suite (\`npx jest --ci\`, maxWorkers 2) under bench/suiteMemory.ts, measured ${results.measuredAt} in`,
    `${results.seconds.toFixed(0)} s on Node ${results.node}, ${results.cores} cores, load average ${results.loadAverage.start.join(", ")} at the start and`,
    `${results.loadAverage.end.join(", ")} at the end. Each process's peak is the kernel's VmHWM, read every 100 ms while it`,
    "lives; the jest parent, each worker and every server or child a test starts are counted apart.",
    `jest: ${results.summary.join("; ")}. Worker force-exit warning: ${results.workerForceExited ? "**printed**" : "none"}.`,
    "",
    "| process | peak RSS |",
    "|---|---:|",
    ...listed(results.processes).map((p) => `| ${shortCommand(p.command)} | ${mb(p.peakMb)} |`),
    "",
    `Most resident at one moment, all processes together: ${mb(results.heldAtOnceMb)}.`,
    `Target: largest process under ${mb(LARGEST_PROCESS_TARGET_MB)}: ${mb(largest.peakMb)} (${largest.command}), ${verdict}.`,
    "",
    "Pulumi serializes the Snapshot provider through an inspector session it opens once per load of its",
    "runtime and never closes; jest loads that runtime again for every test file and every fresh Pulumi, so",
    "each worker kept one debugger per load, each holding a copy of every script compiled after it, and grew",
    "past 5 GB outside the JS heap (jest's `workerIdleMemoryLimit` reads only the heap). The test environment",
    "now closes those sessions when a file or a Pulumi run is over (test/helpers/inspectorSessions.ts).",
    "",
    "jest gives an ending worker 500 ms to exit. Nothing is left open by then; the time went in Node's natural",
    "exit, which disposes the V8 isolate and unmaps its heap page by page (perf: over 400 ms in `Heap::TearDown`",
    "for a 0.6 GB worker here, seconds for a 5 GB one). A worker now exits with `process.exit()` once its loop has",
    "drained (test/helpers/workerExit.ts), leaving the memory to the kernel. Timed with strace on test/program and",
    "test/consumer (2 workers): a 0.6 GB worker took 700 ms from jest's end to its death by SIGTERM before, 83 ms after.",
    "",
    "Reproduce with `npm run bench:suite-memory`; `npm run bench:suite-memory -- <test files> --maxWorkers=2`",
    "measures a subset and only prints it, and `SUITE_MEMORY_LOG=<file>` adds each worker's memory after each file.",
    "",
  ];
}

/** Writes the figures and puts the section into docs/benchmarks.md in place of the last one. */
export function writeSuiteMemory(results: SuiteMemoryResults, docsPath: string): void {
  writeFileSync(SUITE_MEMORY_JSON, `${JSON.stringify(results, null, 2)}\n`);
  const doc = readFileSync(docsPath, "utf8");
  const end = doc.indexOf(NEXT_SECTION);
  if (end < 0) {
    throw new Error(
      `${docsPath} has no "${NEXT_SECTION}" section to put the suite's memory before: regenerate it with \`npm run bench\`.`,
    );
  }
  const start = doc.indexOf(SECTION_TITLE);
  const before = doc.slice(0, start >= 0 ? start : end);
  writeFileSync(docsPath, `${before}${renderSuiteMemory(results).join("\n")}\n${doc.slice(end)}`);
}
