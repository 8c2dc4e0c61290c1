import * as aws from "@pulumi/aws";
import {
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import {
  AclField,
  allowedCannedAclsSetting,
  allowedCannedAcls,
  AWS_ACL_FIELD,
  BUCKET_CANNED_ACLS,
  describeGrant,
  nonPublicAclMessage,
  publicAccessControlPolicyGrants,
  publicInlineGrants,
  PublicGrant,
} from "../common/acl";
import { configWithDefaults } from "../common/config";
import { cannedAclFromNative, cannedAclToNative, NATIVE } from "../common/nativeTypes";
import { remediatePublicCannedAcl } from "../common/remediate";

/** Tunables of `s3-bucket-disallow-public-acl`. */
export interface DisallowPublicBucketAclConfig {
  /**
   * Canned ACLs that are not public but not private either ("log-delivery-write", "aws-exec-read",
   * "bucket-owner-read", "bucket-owner-full-control") that this organisation accepts besides
   * "private". Public ACLs cannot be listed. Defaults to `[]`.
   */
  allowedCannedAcls: string[];
}

/**
 * Forbids public bucket ACLs, wherever they are set: the legacy inline `acl`/`grants` of
 * `aws.s3.Bucket`/`BucketV2`, and `aws.s3.BucketAcl`/`BucketAclV2` (`acl` and every grant of
 * `accessControlPolicy`). Canned ACLs that are not public but not private are refused too, unless
 * listed in `allowedCannedAcls`. Under `remediate`, a public canned ACL becomes "private".
 * Mandatory by default.
 */
export const disallowPublicBucketAcl: ResourceValidationPolicy = {
  name: "s3-bucket-disallow-public-acl",
  description:
    'Checks that bucket ACLs are private: a canned `acl` on aws.s3.Bucket, BucketV2, BucketAcl or BucketAclV2 (`accessControl` on aws-native s3.Bucket) must be "private" (or one of `allowedCannedAcls`), and no grant may name the AllUsers or AuthenticatedUsers group. Remediates a public canned ACL to "private".',
  configSchema: {
    properties: {
      allowedCannedAcls: allowedCannedAclsSetting(
        'Canned ACLs that are not public but not private either, accepted besides "private" (e.g. "log-delivery-write" for a legacy log bucket).',
      ),
    },
  },
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.s3.Bucket, (bucket, args, report) =>
      checkInlineAcl(bucket, args, report),
    ),
    validateResourceOfType(aws.s3.BucketV2, (bucket, args, report) =>
      checkInlineAcl(bucket, args, report),
    ),
    validateResourceOfType(aws.s3.BucketAcl, (acl, args, report) =>
      checkBucketAcl(acl, args, report),
    ),
    validateResourceOfType(aws.s3.BucketAclV2, (acl, args, report) =>
      checkBucketAcl(acl, args, report),
    ),
    // aws-native's bucket has no grants input: its ACL is the canned `accessControl` alone.
    (args: ResourceValidationArgs, report: ReportViolation) => {
      if (args.type !== NATIVE.bucket) {
        args.notApplicable(`Policy only applies to resources of type '${NATIVE.bucket}'`);
      }
      const acl = cannedAclFromNative(args.props["accessControl"]);
      checkCannedAcl(acl === undefined ? undefined : String(acl), args, report, NATIVE_ACL_FIELD);
    },
  ],
  remediateResource: remediatePublicCannedAcl([
    aws.s3.Bucket,
    aws.s3.BucketV2,
    aws.s3.BucketAcl,
    aws.s3.BucketAclV2,
  ]),
};

const NATIVE_ACL_FIELD: AclField = { field: "accessControl", spell: cannedAclToNative };

/** The legacy inline ACL of `Bucket` and `BucketV2`, which share these two properties. */
function checkInlineAcl(
  bucket: { acl?: string; grants?: Parameters<typeof publicInlineGrants>[0] },
  args: ResourceValidationArgs,
  report: ReportViolation,
): void {
  checkCannedAcl(bucket.acl, args, report);
  checkGrants(publicInlineGrants(bucket.grants), "grants", report);
}

/** `BucketAcl` and its deprecated twin `BucketAclV2`, which share these two properties. */
function checkBucketAcl(
  acl: {
    acl?: string;
    accessControlPolicy?: Parameters<typeof publicAccessControlPolicyGrants>[0];
  },
  args: ResourceValidationArgs,
  report: ReportViolation,
): void {
  checkCannedAcl(acl.acl, args, report);
  checkGrants(
    publicAccessControlPolicyGrants(acl.accessControlPolicy),
    "accessControlPolicy.grants",
    report,
  );
}

function checkCannedAcl(
  acl: string | undefined,
  args: ResourceValidationArgs,
  report: ReportViolation,
  where: AclField = AWS_ACL_FIELD,
): void {
  const config = configWithDefaults<DisallowPublicBucketAclConfig>(args, {
    allowedCannedAcls: [],
  });
  const allowed = allowedCannedAcls(BUCKET_CANNED_ACLS, config.allowedCannedAcls);
  if (acl === undefined || allowed.includes(acl)) {
    return;
  }
  const must = `A bucket ACL must be "${where.spell("private")}"`;
  report(
    nonPublicAclMessage(acl, must, where) ??
      `\`${where.field}\` is "${where.spell(acl)}", but a bucket ACL must be "${where.spell("private")}". ` +
        `Remove \`${where.field}\` and keep ACLs disabled with ownership controls "BucketOwnerEnforced", ` +
        `or set it to "${where.spell("private")}".`,
  );
}

function checkGrants(grants: PublicGrant[], field: string, report: ReportViolation): void {
  for (const grant of grants) {
    report(
      `\`${field}\` gives ${describeGrant(grant)}, which makes the bucket public. ` +
        "Remove every grant to the AllUsers and AuthenticatedUsers groups.",
    );
  }
}
