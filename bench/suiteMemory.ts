/**
 * `npm run bench:suite-memory [-- <jest args>]`: runs jest (the whole suite, or the files and flags
 * given) and prints the peak resident memory of every process it started — the jest parent, each
 * worker, and any server or child a test spawned — as the kernel counts it (`VmHWM` in
 * /proc/<pid>/status, sampled every 100 ms while the process lives), plus the most memory the run
 * held at one moment across all its processes. Linux only: it reads /proc. Run on the whole suite
 * (no jest arguments), it also writes bench/suiteMemory.json and section 9 of docs/benchmarks.md.
 *
 * With SUITE_MEMORY_LOG=<file> set, the test environment also appends one line per test file with
 * the worker's RSS and heap after that file (test/helpers/testEnvironment.ts), which shows whether a
 * worker's memory grows file after file or falls back.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { type ProcessPeak, type SuiteMemoryResults, writeSuiteMemory } from "./suiteMemoryReport";

const PROJECT_ROOT = join(__dirname, "..");
const SAMPLE_MS = 100;
const KB_PER_MB = 1024;
/** Processes smaller than this (shells, pyenv probes) are left out of the saved figures. */
const LISTED_MB = 50;
const FORCE_EXIT_WARNING = "A worker process has failed to exit gracefully";

/** Copies a jest output stream through, keeping its summary lines and noting the exit warning. */
class OutputWatch {
  summary: string[] = [];
  workerForceExited = false;
  private pending = "";

  take(chunk: Buffer, out: NodeJS.WriteStream): void {
    out.write(chunk);
    const lines = (this.pending + chunk.toString("utf8")).split("\n");
    this.pending = lines.pop() ?? "";
    for (const line of lines) {
      if (line.includes(FORCE_EXIT_WARNING)) {
        this.workerForceExited = true;
      }
      if (/^(Test Suites|Tests):/.test(line)) {
        this.summary.push(line.replace(/\s+/g, " ").trim());
      }
    }
  }
}

const roundedLoad = (): number[] => loadavg().map((v) => Math.round(v * 100) / 100);

/** Parent pid of every live process, read from /proc/<pid>/stat. */
function parentPids(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name (field 2) may hold spaces and parentheses; the fields after its last ")" do not.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // The process exited between the directory listing and the read.
    }
  }
  return parents;
}

/** `root` and every process below it. */
function descendants(root: number, parents: Map<number, number>): number[] {
  const found = [root];
  for (let i = 0; i < found.length; i += 1) {
    for (const [pid, ppid] of parents) {
      if (ppid === found[i]) {
        found.push(pid);
      }
    }
  }
  return found;
}

/** `VmHWM` (peak) and `VmRSS` (current) of a process in MB, or undefined once it has exited. */
function residentMb(pid: number): { peak: number; now: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string): number =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) / KB_PER_MB;
    return { peak: field("VmHWM"), now: field("VmRSS") };
  } catch {
    return undefined;
  }
}

/** A short name for a process: jest's parent, a jest worker, or its own command line. */
function describe(pid: number, root: number): string {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return "(exited)";
  }
  if (argv.length === 0) {
    // A process that has exited and not yet been reaped keeps its status but loses its command line.
    return "(exited)";
  }
  if (pid === root) {
    return "jest parent";
  }
  if (argv.some((arg) => arg.includes("jest-worker") || arg.includes("processChild"))) {
    return "jest worker";
  }
  return argv
    .map((arg) => arg.replace(PROJECT_ROOT, "."))
    .join(" ")
    .replace(/\s+/g, " ")
    .slice(0, 200);
}

function main(): void {
  const jestArgs = process.argv.slice(2);
  const loadAtStart = roundedLoad();
  const child = spawn(
    process.execPath,
    [join(PROJECT_ROOT, "node_modules/jest/bin/jest.js"), "--ci", ...jestArgs],
    { cwd: PROJECT_ROOT, stdio: ["inherit", "pipe", "pipe"] },
  );
  const watch = new OutputWatch();
  child.stdout.on("data", (chunk: Buffer) => watch.take(chunk, process.stdout));
  child.stderr.on("data", (chunk: Buffer) => watch.take(chunk, process.stderr));
  const root = child.pid;
  if (root === undefined) {
    throw new Error("jest did not start: check that `npm ci` has installed node_modules/jest.");
  }
  const peaks = new Map<number, ProcessPeak>();
  let heldAtOnceMb = 0;
  const startedAt = Date.now();
  const sample = (): void => {
    let heldNow = 0;
    for (const pid of descendants(root, parentPids())) {
      const memory = residentMb(pid);
      if (memory === undefined) {
        continue;
      }
      heldNow += memory.now;
      // Read again each time: a forked process carries its parent's command line until it execs.
      const command = describe(pid, root);
      const known = peaks.get(pid);
      if (known === undefined) {
        peaks.set(pid, { pid, command, peakMb: memory.peak });
      } else {
        known.peakMb = Math.max(known.peakMb, memory.peak);
        known.command = command === "(exited)" ? known.command : command;
      }
    }
    heldAtOnceMb = Math.max(heldAtOnceMb, heldNow);
  };
  const timer = setInterval(sample, SAMPLE_MS);
  child.on("close", (code, signal) => {
    clearInterval(timer);
    const processes = [...peaks.values()].sort((a, b) => b.peakMb - a.peakMb);
    const seconds = (Date.now() - startedAt) / 1000;
    report(processes, heldAtOnceMb, seconds);
    if (jestArgs.length === 0) {
      const results: SuiteMemoryResults = {
        measuredAt: `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
        node: process.version,
        cores: cpus().length,
        loadAverage: { start: loadAtStart, end: roundedLoad() },
        seconds,
        summary: watch.summary,
        workerForceExited: watch.workerForceExited,
        processes: processes.filter((p) => p.peakMb >= LISTED_MB),
        heldAtOnceMb,
      };
      writeSuiteMemory(results, join(PROJECT_ROOT, "docs", "benchmarks.md"));
      process.stdout.write("wrote bench/suiteMemory.json and section 9 of docs/benchmarks.md\n");
    }
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}

function report(sorted: ProcessPeak[], heldAtOnceMb: number, seconds: number): void {
  const lines = sorted.map(
    (p) =>
      `${String(Math.round(p.peakMb)).padStart(7)} MB  pid ${String(p.pid).padEnd(8)}${p.command}`,
  );
  const largest = sorted[0];
  process.stdout.write(
    [
      "",
      `Suite memory: peak resident per process (VmHWM, sampled every ${SAMPLE_MS} ms), ${seconds.toFixed(0)} s:`,
      ...lines,
      `largest process: ${largest ? `${Math.round(largest.peakMb)} MB (${largest.command})` : "none"}`,
      `most held at once, all processes: ${Math.round(heldAtOnceMb)} MB`,
      "",
    ].join("\n"),
  );
}

main();
