import type { S3Client } from "@aws-sdk/client-s3";
import type { STSClient } from "@aws-sdk/client-sts";
import { checkCallerIdentity } from "./callerIdentity";
import { checkEncryption } from "./encryption";
import { checkListBuckets } from "./listBuckets";
import type { VerifyOptions } from "./options";
import { checkOwnershipControls } from "./ownershipControls";
import { checkPublicAccessBlock } from "./publicAccessBlock";
import type { CheckResult } from "./result";
import { checkSnapshotObject } from "./snapshotObject";
import { checkTlsOnlyPolicy } from "./tlsOnlyPolicy";
import { checkVersioning } from "./versioning";

export interface VerifyClients {
  s3: S3Client;
  /** A function so an STS that cannot even be created becomes a failed line, not a crash. */
  sts: () => Promise<STSClient>;
}

/**
 * Runs every check in a fixed order (identity, buckets, guard rails, objects) and returns one
 * result per check. Checks are independent: one failing does not hide the others.
 */
export async function runVerify(
  options: VerifyOptions,
  clients: VerifyClients,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let sts: STSClient | undefined;
  try {
    sts = await clients.sts();
  } catch (err) {
    results.push({
      ok: false,
      check: "caller-identity",
      detail: err instanceof Error ? err.message : String(err),
      fix: "run `npm ci`",
    });
  }
  if (sts) {
    results.push(await checkCallerIdentity(sts, options.expectedAccountId));
  }
  results.push(await checkListBuckets(clients.s3, options.bucket));
  const bucket = options.bucket;
  if (!bucket) {
    return results;
  }
  results.push(
    ...(await Promise.all([
      checkPublicAccessBlock(clients.s3, bucket),
      checkOwnershipControls(clients.s3, bucket),
      checkEncryption(clients.s3, bucket),
      checkVersioning(clients.s3, bucket),
      checkTlsOnlyPolicy(clients.s3, bucket),
    ])),
  );
  for (const object of options.objects) {
    results.push(await checkSnapshotObject(clients.s3, bucket, object));
  }
  return results;
}
