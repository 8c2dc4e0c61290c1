import { StackValidationPolicy } from "@pulumi/policy";
import { checkPublicAccessBlock } from "../common/guardRails";
import { checkEveryBucket } from "../common/stackPolicy";

/**
 * Forbids a bucket without a public access block that has all four flags on. A stack policy,
 * because the block is a separate resource that names its bucket by name or id. Mandatory by default.
 */
export const disallowUnblockedPublicAccess: StackValidationPolicy = {
  name: "s3-bucket-disallow-unblocked-public-access",
  description:
    "Checks that every aws.s3.Bucket/BucketV2 in the stack has an aws.s3.BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) =>
    checkEveryBucket(args, reportViolation, checkPublicAccessBlock),
};
