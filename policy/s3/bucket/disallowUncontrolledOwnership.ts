import { StackValidationPolicy } from "@pulumi/policy";
import { checkOwnershipControls } from "../common/guardRails";
import { checkEveryBucket } from "../common/stackPolicy";

/**
 * Forbids a bucket without ownership controls, and ACL-enabling ownership ("BucketOwnerPreferred",
 * "ObjectWriter") unless the bucket's ACL is "private". Mandatory by default.
 */
export const disallowUncontrolledOwnership: StackValidationPolicy = {
  name: "s3-bucket-disallow-uncontrolled-ownership",
  description:
    'Checks that every aws.s3.Bucket/BucketV2 in the stack has aws.s3.BucketOwnershipControls, and that "BucketOwnerPreferred" or "ObjectWriter" ownership comes with a private bucket ACL.',
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) =>
    checkEveryBucket(args, reportViolation, checkOwnershipControls),
};
