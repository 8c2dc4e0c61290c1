import * as aws from "@pulumi/aws";
import {
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import { OBJECT_CANNED_ACLS } from "../common/acl";
import { SNAPSHOT_TYPE } from "../snapshot/snapshotType";

/**
 * Forbids public object ACLs on `aws.s3.BucketObject`, `BucketObjectv2` and the program's own
 * Snapshot resource (which has no ACL input today; if one appears it is held to the same rule).
 * Mandatory by default.
 */
export const disallowPublicObjectAcl: ResourceValidationPolicy = {
  name: "s3-object-disallow-public-acl",
  description:
    'Checks that object ACLs are private: `acl` on aws.s3.BucketObject, BucketObjectv2 and the Snapshot resource, when set, must be "private" or "bucket-owner-full-control".',
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.s3.BucketObject, (object, _args, report) =>
      checkObjectAcl(object.acl, report),
    ),
    validateResourceOfType(aws.s3.BucketObjectv2, (object, _args, report) =>
      checkObjectAcl(object.acl, report),
    ),
    // A dynamic resource has no class with a type token, so it is recognised by its token.
    (args: ResourceValidationArgs, report: ReportViolation) => {
      if (args.type !== SNAPSHOT_TYPE) {
        args.notApplicable(`Policy only applies to resources of type '${SNAPSHOT_TYPE}'`);
      }
      checkObjectAcl(args.props["acl"] as unknown, report);
    },
  ],
};

function checkObjectAcl(acl: unknown, report: ReportViolation): void {
  if (acl !== undefined && (typeof acl !== "string" || !OBJECT_CANNED_ACLS.includes(acl))) {
    report(
      `\`acl\` is ${JSON.stringify(acl)}, but an object ACL must be "private" or ` +
        '"bucket-owner-full-control". Remove `acl` (objects are private by default) or set it to "private".',
    );
  }
}
