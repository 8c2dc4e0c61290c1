/**
 * `npm start`: runs a stack's snapshots once, through the same engine the Pulumi provider uses,
 * into an S3-compatible server embedded in this process (or any S3 endpoint you name).
 *
 * Five steps: read the settings and check everything (flags, stack config, bucket, port, folders:
 * every mistake at once, before a server starts or a byte is fetched), start the store, run the
 * snapshots, report.
 */
import { resolve } from "node:path";
import { flagsOrMistakes } from "../flags/parseFlags";
import { RunInterrupts } from "./interrupt";
import type { Io } from "./io";
import { parseRunFlags, RUN_USAGE } from "./runFlags";
import { checkRun } from "./runPlan";
import { reportRun } from "./runReport";
import { runSnapshots } from "./runSnapshots";
import { openStore } from "./store";

const ROOT = resolve(__dirname, "..");

/**
 * @param root The project folder holding Pulumi.yaml and the stack files; tests pass a copy.
 * @returns the exit code: 0 when every snapshot landed, 1 when one failed, 2 for a usage error.
 */
export async function runCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
  root: string = ROOT,
): Promise<number> {
  const flags = flagsOrMistakes(
    () => parseRunFlags(argv),
    (problem) => io.stderr(`error: ${problem}`),
  );
  if (flags === undefined) {
    return 2;
  }
  if (flags.help) {
    io.stdout(RUN_USAGE);
    return 0;
  }
  const progress = flags.quiet ? () => {} : io.stderr;
  const plan = checkRun(flags, env, root);
  const store = await openStore(plan, progress);
  // From here on, Ctrl-C and SIGTERM stop the run with a sentence on what was written.
  const interrupts = new RunInterrupts(plan.bucket, plan.settings.snapshots, io);
  interrupts.guard(store.client);
  try {
    const outcome = await runSnapshots(plan, store, interrupts, io, progress);
    const reportFailures = await reportRun(plan, store, outcome, io);
    return outcome.failures + reportFailures === 0 ? 0 : 1;
  } finally {
    interrupts.dispose();
    await store.stop();
  }
}
