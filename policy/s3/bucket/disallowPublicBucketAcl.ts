import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import {
  BUCKET_CANNED_ACLS,
  describeGrant,
  publicAccessControlPolicyGrants,
  publicInlineGrants,
  PublicGrant,
} from "../common/acl";

/**
 * Forbids public bucket ACLs, wherever they are set: the legacy inline `acl`/`grants` of
 * `aws.s3.Bucket`/`BucketV2`, and `aws.s3.BucketAcl`/`BucketAclV2` (`acl` and every grant of
 * `accessControlPolicy`). Mandatory by default.
 */
export const disallowPublicBucketAcl: ResourceValidationPolicy = {
  name: "s3-bucket-disallow-public-acl",
  description:
    'Checks that bucket ACLs are private: a canned `acl` on aws.s3.Bucket, BucketV2, BucketAcl or BucketAclV2 must be "private", and no grant may name the AllUsers or AuthenticatedUsers group.',
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.s3.Bucket, (bucket, _args, report) =>
      checkInlineAcl(bucket, report),
    ),
    validateResourceOfType(aws.s3.BucketV2, (bucket, _args, report) =>
      checkInlineAcl(bucket, report),
    ),
    validateResourceOfType(aws.s3.BucketAcl, (acl, _args, report) => checkBucketAcl(acl, report)),
    validateResourceOfType(aws.s3.BucketAclV2, (acl, _args, report) => checkBucketAcl(acl, report)),
  ],
};

/** The legacy inline ACL of `Bucket` and `BucketV2`, which share these two properties. */
function checkInlineAcl(
  bucket: { acl?: string; grants?: Parameters<typeof publicInlineGrants>[0] },
  report: ReportViolation,
): void {
  checkCannedAcl(bucket.acl, report);
  checkGrants(publicInlineGrants(bucket.grants), "grants", report);
}

/** `BucketAcl` and its deprecated twin `BucketAclV2`, which share these two properties. */
function checkBucketAcl(
  acl: {
    acl?: string;
    accessControlPolicy?: Parameters<typeof publicAccessControlPolicyGrants>[0];
  },
  report: ReportViolation,
): void {
  checkCannedAcl(acl.acl, report);
  checkGrants(
    publicAccessControlPolicyGrants(acl.accessControlPolicy),
    "accessControlPolicy.grants",
    report,
  );
}

function checkCannedAcl(acl: string | undefined, report: ReportViolation): void {
  if (acl !== undefined && !BUCKET_CANNED_ACLS.includes(acl)) {
    report(
      `\`acl\` is "${acl}", but a bucket ACL must be "private". Remove \`acl\` and keep ACLs ` +
        'disabled with ownership controls "BucketOwnerEnforced", or set it to "private".',
    );
  }
}

function checkGrants(grants: PublicGrant[], field: string, report: ReportViolation): void {
  for (const grant of grants) {
    report(
      `\`${field}\` gives ${describeGrant(grant)}, which makes the bucket public. ` +
        "Remove every grant to the AllUsers and AuthenticatedUsers groups.",
    );
  }
}
