import { StackValidationPolicy } from "@pulumi/policy";
import { configWithDefaults } from "../common/config";
import { checkDefaultEncryption, SSE_ALGORITHMS } from "../common/guardRails";
import { checkEveryBucket } from "../common/stackPolicy";

/** Tunables of `s3-bucket-disallow-unencrypted`. */
export interface DisallowUnencryptedBucketConfig {
  /** Default-encryption algorithms a bucket may use. Defaults to `["AES256", "aws:kms", "aws:kms:dsse"]`. */
  allowedAlgorithms: string[];
}

/**
 * Forbids a bucket without default server-side encryption (a separate
 * `BucketServerSideEncryptionConfiguration(V2)` or the legacy inline setting). Mandatory by default.
 */
export const disallowUnencryptedBucket: StackValidationPolicy = {
  name: "s3-bucket-disallow-unencrypted",
  description:
    "Checks that every aws.s3.Bucket/BucketV2 and aws-native s3.Bucket in the stack has default server-side encryption with an allowed algorithm.",
  configSchema: {
    properties: {
      allowedAlgorithms: {
        type: "array",
        items: { type: "string", enum: SSE_ALGORITHMS },
        minItems: 1,
        default: SSE_ALGORITHMS,
        description:
          'Default-encryption algorithms a bucket may use; set ["aws:kms"] to require KMS.',
      },
    },
  },
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const { allowedAlgorithms } = configWithDefaults<DisallowUnencryptedBucketConfig>(args, {
      allowedAlgorithms: SSE_ALGORITHMS,
    });
    checkEveryBucket(args, reportViolation, (stack, bucket) =>
      checkDefaultEncryption(stack, bucket, allowedAlgorithms),
    );
  },
};
