/**
 * Remediations shared by several policies. Each rewrites only a value whose fix is unambiguous and
 * returns the whole property bag (the host sends it back to the engine as the resource's new
 * inputs), or `undefined` when nothing needed fixing.
 *
 * The host hands a remediation the inputs wrapped in its unknown-value proxy; assigning through it
 * writes the underlying inputs (secrets stay secret), so a fix keeps every other input exactly as
 * the program gave it. Reading a value that is unknown during a preview throws the SDK's
 * unknown-value error, which the host reports as "can't run remediation … during preview"; the fix
 * is then applied by `pulumi up`, when the value is known.
 */
import { ResourceRemediation, ResourceValidationArgs } from "@pulumi/policy";
import { isPublicCannedAcl } from "./acl";
import { configWithDefaults } from "./config";
import { isRecord } from "./known";
import { isOneOf, ResourceKind } from "./stackBuckets";

type Props = Record<string, unknown>;

/** A public canned `acl` (public-read, public-read-write, authenticated-read) becomes "private". */
export function remediatePublicCannedAcl(classes: readonly ResourceKind[]): ResourceRemediation {
  return (args: ResourceValidationArgs) => {
    if (!isOneOf(args, classes)) {
      return undefined;
    }
    const props = args.props as Props;
    if (!isPublicCannedAcl(props["acl"])) {
      return undefined;
    }
    props["acl"] = "private";
    return props;
  };
}

/**
 * Every public access block flag that is not `true` (set to `false`, or omitted where that means
 * `false`, as on `aws.s3.BucketPublicAccessBlock`) becomes `true`. `path` leads from the inputs to
 * the object holding the four flags (empty for the bucket block, whose flags are top-level). When
 * that object is absent nothing is added: an access point without one already has every flag on,
 * and a missing bucket block is a missing resource, which no remediation can add.
 */
export function remediateDisabledFlags(
  classes: readonly ResourceKind[],
  path: readonly string[],
  flags: readonly string[],
): ResourceRemediation {
  return (args: ResourceValidationArgs) => {
    if (!isOneOf(args, classes)) {
      return undefined;
    }
    const props = args.props as Props;
    let holder: unknown = props;
    for (const key of path) {
      holder = isRecord(holder) ? holder[key] : undefined;
    }
    if (!isRecord(holder)) {
      return undefined;
    }
    const off = flags.filter((flag) => holder[flag] !== true);
    if (off.length === 0) {
      return undefined;
    }
    for (const flag of off) {
      holder[flag] = true;
    }
    return props;
  };
}

/**
 * Ownership controls other than "BucketOwnerEnforced" become "BucketOwnerEnforced" (ACLs off),
 * unless the policy's `allowedCannedAcls` names ACLs the organisation keeps on purpose (a log
 * bucket's "log-delivery-write" needs ACLs on, and S3 refuses ACL writes once they are off).
 */
export function remediateOwnershipEnforced(classes: readonly ResourceKind[]): ResourceRemediation {
  return (args: ResourceValidationArgs) => {
    if (!isOneOf(args, classes)) {
      return undefined;
    }
    const { allowedCannedAcls } = configWithDefaults<{ allowedCannedAcls: unknown[] }>(args, {
      allowedCannedAcls: [],
    });
    if (allowedCannedAcls.length > 0) {
      return undefined;
    }
    const props = args.props as Props;
    const rule = props["rule"];
    if (!isRecord(rule) || rule["objectOwnership"] === "BucketOwnerEnforced") {
      return undefined;
    }
    rule["objectOwnership"] = "BucketOwnerEnforced";
    return props;
  };
}
