import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { PUBLIC_ACCESS_BLOCK_FLAGS } from "../common/flags";
import { checkPublicAccessBlock } from "../common/guardRails";
import { remediateDisabledFlags } from "../common/remediate";
import { checkEveryBucket } from "../common/stackPolicy";

/**
 * Forbids a bucket without a public access block that has all four flags on. A stack policy,
 * because the block is a separate resource that names its bucket by name or id; an account-level
 * block with all four flags on, declared in the same stack through the bucket's provider, also
 * satisfies it. Under `remediate`, every flag of an `aws.s3.BucketPublicAccessBlock` that is not
 * `true` (set to `false` or omitted) becomes `true`; a missing block still fails, since a
 * remediation cannot add a resource. Mandatory by default.
 */
export const disallowUnblockedPublicAccess: StackValidationPolicy &
  Pick<ResourceValidationPolicy, "remediateResource"> = {
  name: "s3-bucket-disallow-unblocked-public-access",
  description:
    "Checks that every aws.s3.Bucket/BucketV2 in the stack has an aws.s3.BucketPublicAccessBlock (an aws-native s3.Bucket: its publicAccessBlockConfiguration) with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true, or that the stack has an aws.s3.AccountPublicAccessBlock with all four true for the bucket's provider. Remediates a bucket block's flags to true.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) =>
    checkEveryBucket(args, reportViolation, checkPublicAccessBlock),
  remediateResource: remediateDisabledFlags(
    [aws.s3.BucketPublicAccessBlock],
    [],
    PUBLIC_ACCESS_BLOCK_FLAGS,
  ),
};
