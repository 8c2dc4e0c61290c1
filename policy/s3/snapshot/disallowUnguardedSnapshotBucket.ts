import { StackValidationPolicy } from "@pulumi/policy";
import { tryRead } from "../common/known";
import {
  checkDefaultEncryption,
  checkOwnershipControls,
  checkPublicAccessBlock,
  SSE_ALGORITHMS,
} from "../common/guardRails";
import { describeBucket, StackBuckets } from "../common/stackBuckets";
import { SNAPSHOT_TYPE } from "./snapshotType";

/**
 * Forbids a Snapshot that writes into a bucket this stack does not guard: the bucket must be
 * declared in the same stack with a full public access block, ownership controls and default
 * encryption (what `PrivateBucket` creates). Mandatory by default.
 */
export const disallowUnguardedSnapshotBucket: StackValidationPolicy = {
  name: "s3-snapshot-disallow-unguarded-bucket",
  description: `Checks that every ${SNAPSHOT_TYPE} writes into a bucket declared in the same stack with a public access block (all four flags true), ownership controls and default encryption.`,
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const stack = new StackBuckets(args.resources);
    let undecided: Error | undefined;
    for (const snapshot of args.resources.filter((r) => r.type === SNAPSHOT_TYPE)) {
      const target = stack.bucketsReferencedBy(snapshot);
      if (target.buckets.length === 0) {
        if (target.undecided) {
          undecided = undecided ?? target.undecided;
          continue;
        }
        const named = tryRead(() => snapshot.props["bucket"] as unknown);
        reportViolation(
          `Snapshot "${snapshot.name}" writes to bucket ${named.known ? JSON.stringify(named.value) : "(unknown)"}, which is not declared in ` +
            "this stack, so its public access block, ownership and encryption cannot be verified. " +
            "Create the bucket with PrivateBucket in this stack and pass its id as `bucket`.",
          snapshot.urn,
        );
        continue;
      }
      for (const bucket of target.buckets) {
        const checks = [
          checkPublicAccessBlock(stack, bucket),
          checkOwnershipControls(stack, bucket),
          // Any S3 algorithm will do here; s3-bucket-disallow-unencrypted enforces a narrower list.
          checkDefaultEncryption(stack, bucket, SSE_ALGORITHMS),
        ];
        for (const check of checks) {
          if (check.status === "problem") {
            reportViolation(
              `Snapshot "${snapshot.name}" writes into an unguarded bucket: ${describeBucket(bucket)} ${check.problem}`,
              snapshot.urn,
            );
          } else if (check.status === "undecided") {
            undecided = undecided ?? check.error;
          }
        }
      }
    }
    if (undecided) {
      throw undecided;
    }
  },
};
