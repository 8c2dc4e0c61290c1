/**
 * Step 4 of `npm start`: each snapshot of the stack, through the engine the Pulumi provider uses,
 * with one line per result on stdout.
 */
import {
  headSnapshot,
  runSnapshot,
  snapshotRetryPolicy,
  type SnapshotResult,
  type SourceConfig,
} from "@api-s3-load/snapshot-engine";
import type { SnapshotConfig } from "../config/stackConfig";
import { tellAboutDemo } from "../demo/hint";
import { storedBytes } from "../verify";
import type { RunInterrupts } from "./interrupt";
import type { Io } from "./io";
import type { RunPlan } from "./runPlan";
import type { Store } from "./store";
import {
  coingeckoRule,
  count,
  describeRunError,
  noticingFetch,
  NoticingRateLimiter,
  sourceRule,
} from "./waits";

export interface RunOutcome {
  written: SnapshotResult[];
  failures: number;
}

/** Runs every snapshot of `plan` into `store`; a failed one is reported and the next one runs. */
export async function runSnapshots(
  plan: RunPlan,
  store: Store,
  interrupts: RunInterrupts,
  io: Io,
  progress: (line: string) => void,
): Promise<RunOutcome> {
  const limiterFor = limiters(plan, progress);
  const outcome: RunOutcome = { written: [], failures: 0 };
  for (const spec of plan.settings.snapshots) {
    interrupts.begin(spec.name);
    try {
      const limiter = limiterFor(spec);
      const result = await runOne(spec, plan, store, { interrupts, io, progress, limiter });
      outcome.written.push(result);
      interrupts.end(spec.name, result.unchanged ? "unchanged" : "written");
      io.stdout(resultLine(spec.name, result));
    } catch (error) {
      interrupts.end(spec.name, "failed");
      outcome.failures++;
      reportFailure(spec, error as Error, plan, io);
    }
  }
  return outcome;
}

/**
 * The limiter each snapshot waits on, announcing waits of 3 s or more: CoinGecko's, shared by every
 * CoinGecko snapshot of the run, and one per declared source that declares a `rateLimit` (none: the
 * engine waits only on the API's own answers).
 */
function limiters(
  plan: RunPlan,
  progress: (line: string) => void,
): (spec: SnapshotConfig) => NoticingRateLimiter | undefined {
  const coingecko = new NoticingRateLimiter(
    coingeckoRule(plan.settings.plan, plan.settings.callsPerMinute),
    progress,
  );
  const bySource = new Map<string, NoticingRateLimiter | undefined>();
  return (spec) => {
    const source = spec.source;
    if (source === undefined) {
      return coingecko;
    }
    if (!bySource.has(source.name)) {
      const rule = sourceRule(source);
      bySource.set(source.name, rule && new NoticingRateLimiter(rule, progress));
    }
    return bySource.get(source.name);
  };
}

async function runOne(
  spec: SnapshotConfig,
  plan: RunPlan,
  { client, target }: Store,
  context: {
    interrupts: RunInterrupts;
    io: Io;
    progress: (line: string) => void;
    limiter: NoticingRateLimiter | undefined;
  },
): Promise<SnapshotResult> {
  // This job owns the objects it wrote before (they carry our sha256 metadata), so a re-run
  // updates them; anything else at the key is refused rather than overwritten. "Ours and
  // unchanged" needs the stored bytes to be the ones the metadata describes, or a corrupted
  // object would stay corrupted.
  const stored = await headSnapshot(target, spec.key, { s3: client });
  context.interrupts.found(spec.name, stored !== undefined);
  let previous = stored?.sha256 ? { etag: stored.etag, sha256: stored.sha256 } : undefined;
  let adopt = false;
  if (stored?.sha256) {
    const bytes = await storedBytes(client, plan.bucket, spec.key, stored.sha256);
    if (!bytes.intact) {
      context.io.stderr(
        `${spec.name}: s3://${plan.bucket}/${spec.key} holds bytes with sha256 ${bytes.sha256}, not the ${stored.sha256} its metadata records: writing the snapshot again.`,
      );
      previous = undefined;
      adopt = true;
    }
  }
  return runSnapshot(spec, sourceOf(spec, plan), target, {
    s3: client,
    previous,
    adopt,
    log: withoutResultLines(context.progress),
    limiter: context.limiter,
    fetch: noticingFetch(
      context.progress,
      snapshotRetryPolicy(undefined, spec.timeoutSeconds).requestTimeoutMs,
    ),
  });
}

/** CoinGecko's settings, or a declared source with its key from the environment (docs/sources.md). */
function sourceOf(spec: SnapshotConfig, plan: RunPlan): SourceConfig {
  if (spec.source === undefined) {
    return plan.source;
  }
  const secret = spec.source.auth?.secret;
  return {
    plan: plan.settings.plan,
    definition: spec.source,
    apiKey: secret === undefined ? undefined : plan.sourceSecret(secret),
  };
}

/**
 * The engine's log, less its own result lines ("wrote s3://…", "payload unchanged"): this command
 * prints each result once, on stdout (`resultLine`).
 */
function withoutResultLines(progress: (line: string) => void): (line: string) => void {
  return (line) => {
    if (!/^snapshot \S+: (wrote s3:\/\/|payload unchanged)/.test(line)) {
      progress(line);
    }
  };
}

/** The one line a snapshot gets on stdout when it succeeds. */
export function resultLine(name: string, result: SnapshotResult): string {
  const facts = `${count(result.bytes, "byte")}, ${count(result.itemCount, "item")}, sha256 ${result.sha256}`;
  return result.unchanged
    ? `${name}: data unchanged at ${result.s3Uri}, nothing written (${facts})`
    : `${name}: data successfully uploaded to ${result.s3Uri} (${facts})`;
}

function reportFailure(spec: SnapshotConfig, error: Error, plan: RunPlan, io: Io): void {
  const name = spec.name;
  // CoinGecko's base URL says nothing about a declared source, whose errors name its own.
  const message = spec.source
    ? error.message
    : describeRunError(error.message, {
        baseUrl: plan.settings.baseUrl,
        baseUrlOrigin: plan.baseUrlOrigin,
      });
  io.stderr(`${name}: failed: ${message}`);
  if (!spec.source) {
    // The demo stands in for CoinGecko only.
    tellAboutDemo(message, io, plan.source.baseUrl);
  }
  if (message.includes("coingeckoPlan") || message.includes("coingeckoApiKey")) {
    // The engine speaks in stack config keys; say how this command takes the same settings.
    io.stderr(
      "npm start takes the plan from --plan or COINGECKO_PLAN and the key from COINGECKO_API_KEY, e.g. COINGECKO_PLAN=demo COINGECKO_API_KEY=<key> npm start.",
    );
  }
}
