import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { checkOwnershipControls } from "../common/guardRails";
import { remediateOwnershipEnforced } from "../common/remediate";
import { checkEveryBucket } from "../common/stackPolicy";

/**
 * Forbids a bucket without ownership controls, and ACL-enabling ownership ("BucketOwnerPreferred",
 * "ObjectWriter") unless the bucket's ACL is "private". Under `remediate`, every
 * `aws.s3.BucketOwnershipControls` gets "BucketOwnerEnforced" (ACLs disabled: the one setting under
 * which no ACL can open the bucket or an object). Mandatory by default.
 */
export const disallowUncontrolledOwnership: StackValidationPolicy &
  Pick<ResourceValidationPolicy, "remediateResource"> = {
  name: "s3-bucket-disallow-uncontrolled-ownership",
  description:
    'Checks that every aws.s3.Bucket/BucketV2 in the stack has aws.s3.BucketOwnershipControls, and that "BucketOwnerPreferred" or "ObjectWriter" ownership comes with a private bucket ACL. Remediates ownership controls to "BucketOwnerEnforced".',
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) =>
    checkEveryBucket(args, reportViolation, checkOwnershipControls),
  remediateResource: remediateOwnershipEnforced([aws.s3.BucketOwnershipControls]),
};
