import * as aws from "@pulumi/aws";
import {
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import {
  allowedCannedAclsSetting,
  allowedCannedAcls,
  describeGrant,
  nonPublicAclMessage,
  OBJECT_CANNED_ACLS,
  publicInlineGrants,
} from "../common/acl";
import { configWithDefaults } from "../common/config";
import { remediatePublicCannedAcl } from "../common/remediate";
import { SNAPSHOT_TYPE } from "../snapshot/snapshotType";

/** Tunables of `s3-object-disallow-public-acl`. */
export interface DisallowPublicObjectAclConfig {
  /**
   * Canned ACLs that are not public but not private either ("aws-exec-read", "bucket-owner-read",
   * …) that this organisation accepts besides "private" and "bucket-owner-full-control". Public
   * ACLs cannot be listed. Defaults to `[]`.
   */
  allowedCannedAcls: string[];
}

/**
 * Forbids public object ACLs on `aws.s3.BucketObject`, `BucketObjectv2`, `ObjectCopy` (its canned
 * `acl` and its `grants`) and the program's own Snapshot resource (which has no ACL input today; if
 * one appears it is held to the same rule). Under `remediate`, a public canned ACL on an AWS object
 * becomes "private". Mandatory by default.
 */
export const disallowPublicObjectAcl: ResourceValidationPolicy = {
  name: "s3-object-disallow-public-acl",
  description:
    'Checks that object ACLs are private: `acl` on aws.s3.BucketObject, BucketObjectv2, ObjectCopy and the Snapshot resource, when set, must be "private", "bucket-owner-full-control" (or one of `allowedCannedAcls`), and no ObjectCopy grant may name the AllUsers or AuthenticatedUsers group. Remediates a public canned ACL to "private".',
  configSchema: {
    properties: {
      allowedCannedAcls: allowedCannedAclsSetting(
        'Canned ACLs that are not public but not private either, accepted besides "private" and "bucket-owner-full-control".',
      ),
    },
  },
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.s3.BucketObject, (object, args, report) =>
      checkObjectAcl(object.acl, args, report),
    ),
    validateResourceOfType(aws.s3.BucketObjectv2, (object, args, report) =>
      checkObjectAcl(object.acl, args, report),
    ),
    validateResourceOfType(aws.s3.ObjectCopy, (copy, args, report) => {
      checkObjectAcl(copy.acl, args, report);
      for (const grant of publicInlineGrants(copy.grants)) {
        report(
          `\`grants\` gives ${describeGrant(grant)}, which makes the copied object public. ` +
            "Remove every grant to the AllUsers and AuthenticatedUsers groups.",
        );
      }
    }),
    // A dynamic resource has no class with a type token, so it is recognised by its token.
    (args: ResourceValidationArgs, report: ReportViolation) => {
      if (args.type !== SNAPSHOT_TYPE) {
        args.notApplicable(`Policy only applies to resources of type '${SNAPSHOT_TYPE}'`);
      }
      checkObjectAcl(args.props["acl"] as unknown, args, report);
    },
  ],
  remediateResource: remediatePublicCannedAcl([
    aws.s3.BucketObject,
    aws.s3.BucketObjectv2,
    aws.s3.ObjectCopy,
  ]),
};

function checkObjectAcl(acl: unknown, args: ResourceValidationArgs, report: ReportViolation): void {
  const config = configWithDefaults<DisallowPublicObjectAclConfig>(args, {
    allowedCannedAcls: [],
  });
  const allowed = allowedCannedAcls(OBJECT_CANNED_ACLS, config.allowedCannedAcls);
  if (acl === undefined || (typeof acl === "string" && allowed.includes(acl))) {
    return;
  }
  report(
    nonPublicAclMessage(acl, 'An object ACL must be "private" or "bucket-owner-full-control"') ??
      `\`acl\` is ${JSON.stringify(acl)}, but an object ACL must be "private" or ` +
        '"bucket-owner-full-control". Remove `acl` (objects are private by default) or set it to "private".',
  );
}
