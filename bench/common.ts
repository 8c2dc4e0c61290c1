/**
 * Shared plumbing of the benchmark: statistics, child processes and the S3 client.
 *
 * Measurements that need their own memory figure or a fresh Pulumi runtime run in a child process
 * (`node -r ts-node/register/transpile-only`), which prints one `BENCH_RESULT <json>` line.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { createS3Client } from "@api-s3-load/snapshot-engine";
import { S3RVER_CREDENTIALS } from "../cli/embeddedS3";

export const BENCH_DIR = __dirname;
export const PROJECT_ROOT = join(__dirname, "..");
export const RESULT_PREFIX = "BENCH_RESULT ";

export function median(values: number[]): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
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
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", join(BENCH_DIR, script), ...args],
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
