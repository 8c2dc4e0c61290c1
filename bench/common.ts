/**
 * Shared plumbing of the benchmark: statistics, child processes and the S3 client.
 *
 * Measurements that need their own memory figure or a fresh Pulumi runtime run in a child process
 * (`node -r ts-node/register/transpile-only`), which prints one `BENCH_RESULT <json>` line.
 */
import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { createInterface } from "node:readline";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { createS3Client } from "@api-s3-load/snapshot-engine";
import { S3RVER_CREDENTIALS } from "../cli/embeddedS3";

export const BENCH_DIR = __dirname;
export const PROJECT_ROOT = join(__dirname, "..");
export const RESULT_PREFIX = "BENCH_RESULT ";
/** Items per `coins/markets` page in the pipeline and memory rows (CoinGecko's maximum). */
export const PER_PAGE = 250;

export function median(values: number[]): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Median and range of per-round figures (ratios or times), in the order measured. */
export interface Spread {
  values: number[];
  median: number;
  min: number;
  max: number;
}

export function spread(values: number[]): Spread {
  return { values, median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** The 1-, 5- and 15-minute load averages, rounded to two decimals. */
export function loadAverage(): [number, number, number] {
  const [one, five, fifteen] = loadavg().map((v) => Math.round(v * 100) / 100);
  return [one, five, fifteen];
}

/** Prints the child's result where `runChild` looks for it. */
export function emitResult(result: unknown): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

/**
 * Runs `bench/<script>` in a fresh Node process and returns what it emitted. The child's stderr is
 * kept for the error message only; the AWS SDK prints a harmless Node-version warning there.
 */
export function runChild<T>(script: string, args: string[], timeoutMs = 120_000): Promise<T> {
  // A .js child registers its own TypeScript loader (cliLoadChild.js: run.js's), so none is preloaded.
  const preload = script.endsWith(".js") ? [] : ["-r", "ts-node/register/transpile-only"];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...preload, join(BENCH_DIR, script), ...args],
      {
        cwd: PROJECT_ROOT,
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, NODE_NO_WARNINGS: "1" },
      },
      (error, stdout, stderr) => {
        const line = stdout.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
        if (error || !line) {
          reject(
            new Error(
              `bench child ${script} ${args.join(" ")} failed (${error?.message ?? "no result line"}): ${stderr.slice(-2000)}`,
            ),
          );
          return;
        }
        resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as T);
      },
    );
  });
}

/**
 * A long-lived child (`bench/<script>`) that answers one `BENCH_RESULT` line per command line on its
 * stdin. Compared approaches each get a worker, so each keeps its own peak RSS, while the parent
 * interleaves their runs (ours, floor, naive, ours, …) so machine load falls on all of them alike.
 */
export interface Worker<Ready, Reply> {
  ready: Ready;
  request(command: string): Promise<Reply>;
  stop(): Promise<void>;
}

export async function startWorker<Ready, Reply>(
  script: string,
  args: string[],
): Promise<Worker<Ready, Reply>> {
  const child = spawn(
    process.execPath,
    // --expose-gc: a worker collects garbage before each run, so a run's baseline is its own.
    ["--expose-gc", "-r", "ts-node/register/transpile-only", join(BENCH_DIR, script), ...args],
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const failure = (why: string) =>
    new Error(`bench worker ${script} ${args.join(" ")} ${why}: ${stderr || "(no stderr)"}`);
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (line.startsWith(RESULT_PREFIX)) {
      waiting.shift()?.resolve(line.slice(RESULT_PREFIX.length));
    }
  });
  child.once("exit", (code) => {
    for (const w of waiting.splice(0)) {
      w.reject(failure(`exited with code ${code}`));
    }
  });
  const next = () => new Promise<string>((resolve, reject) => waiting.push({ resolve, reject }));
  const ready = JSON.parse(await next()) as Ready;
  return {
    ready,
    request: async (command) => {
      const reply = next();
      child.stdin.write(`${command}\n`);
      return JSON.parse(await reply) as Reply;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.end();
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

/** A path-style client for s3rver with its fixed, non-secret credentials. */
export function s3rverClient(endpoint: string): S3Client {
  return createS3Client(
    { endpoint, forcePathStyle: true, region: "us-east-1" },
    { credentials: S3RVER_CREDENTIALS },
  );
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? "unknown";
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    cpu = match ? match[1].trim() : cpu;
  } catch {
    // Not Linux: os.cpus() already gave the model.
  }
  return {
    cpu,
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** Logs progress to stderr so stdout stays free for results. */
export function progress(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}
