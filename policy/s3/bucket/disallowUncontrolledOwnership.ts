import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { allowedCannedAcls, allowedCannedAclsSetting, BUCKET_CANNED_ACLS } from "../common/acl";
import { configWithDefaults } from "../common/config";
import { checkOwnershipControls } from "../common/guardRails";
import { remediateOwnershipEnforced } from "../common/remediate";
import { checkEveryBucket } from "../common/stackPolicy";

/** Tunables of `s3-bucket-disallow-uncontrolled-ownership`. */
export interface DisallowUncontrolledOwnershipConfig {
  /**
   * Non-public canned bucket ACLs accepted besides "private" next to ACL-enabling ownership, so a
   * bucket that `s3-bucket-disallow-public-acl`'s `allowedCannedAcls` lets keep, say,
   * "log-delivery-write" is not refused here. Defaults to `[]`.
   */
  allowedCannedAcls: string[];
}

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
    'Checks that every aws.s3.Bucket/BucketV2 in the stack has aws.s3.BucketOwnershipControls (an aws-native s3.Bucket: its ownershipControls), and that "BucketOwnerPreferred" or "ObjectWriter" ownership comes with a private bucket ACL. Remediates ownership controls to "BucketOwnerEnforced".',
  configSchema: {
    properties: {
      allowedCannedAcls: allowedCannedAclsSetting(
        'Non-public canned bucket ACLs accepted besides "private" with "BucketOwnerPreferred"/"ObjectWriter" ownership; keep in step with s3-bucket-disallow-public-acl.',
      ),
    },
  },
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const config = configWithDefaults<DisallowUncontrolledOwnershipConfig>(args, {
      allowedCannedAcls: [],
    });
    const accepted = allowedCannedAcls(BUCKET_CANNED_ACLS, config.allowedCannedAcls);
    checkEveryBucket(args, reportViolation, (stack, bucket) =>
      checkOwnershipControls(stack, bucket, accepted),
    );
  },
  remediateResource: remediateOwnershipEnforced([aws.s3.BucketOwnershipControls]),
};
