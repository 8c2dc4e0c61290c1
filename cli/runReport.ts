/**
 * Step 5 of `npm start`: after the snapshots, `--verify` reads every object back, and the run says
 * where its data can be read once the command has ended (or exports it with `--export`).
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { SnapshotResult } from "@api-s3-load/snapshot-engine";
import { checkSnapshotObject, formatResult } from "../verify";
import { exportWritten, tellWhereDataIs } from "./dataLocation";
import type { Io } from "./io";
import type { RunPlan } from "./runPlan";
import type { RunOutcome } from "./runSnapshots";
import type { Store } from "./store";
import { count } from "./waits";

/** Verifies and exports (or locates) what the run wrote; returns how many of those steps failed. */
export async function reportRun(
  plan: RunPlan,
  store: Store,
  { written }: RunOutcome,
  io: Io,
): Promise<number> {
  let failures = 0;
  if (plan.verify) {
    failures += await verifyWritten(store.client, plan.bucket, written, io);
  }
  if (plan.exportDir !== undefined) {
    failures += await exportWritten(store.client, plan.bucket, written, plan.exportDir, io);
  } else {
    tellWhereDataIs(io, plan.bucket, written, {
      embeddedDirectory: store.embedded?.directory,
      endpoint: plan.external?.endpoint,
      gzip: plan.settings.snapshots.some((spec) => spec.gzip),
    });
  }
  return failures;
}

/**
 * `--verify`: the object check of `npm run verify`, run while the embedded server still serves the
 * data: each object is read back and its body's sha256 compared with its metadata and with what
 * this run wrote. The bucket guard rails are AWS settings the embedded server does not have; check
 * them on AWS with `npm run verify`.
 */
async function verifyWritten(
  s3: S3Client,
  bucket: string,
  written: SnapshotResult[],
  io: Io,
): Promise<number> {
  let failed = 0;
  for (const result of written) {
    const check = await checkSnapshotObject(s3, bucket, {
      key: result.key,
      sha256: result.sha256,
    });
    if (!check.ok) {
      failed++;
    }
    io.stdout(formatResult(check));
  }
  io.stdout(
    failed === 0
      ? `verify: ${written.length === 1 ? "the 1 object holds" : `all ${written.length} objects hold`}`
      : `verify: ${failed} of ${count(written.length, "object")} failed`,
  );
  return failed;
}
