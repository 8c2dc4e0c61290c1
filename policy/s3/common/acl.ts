/**
 * What makes an S3 ACL public: a canned ACL other than the private ones, or a grant to the
 * AllUsers ("everyone") or AuthenticatedUsers ("any AWS account") group, whatever the permission.
 */
import { asList, isRecord } from "./known";

/** The only canned ACL a bucket may carry. */
export const BUCKET_CANNED_ACLS: readonly string[] = ["private"];

/** Canned ACLs an object may carry: private, or full control for the bucket owner (cross-account writes). */
export const OBJECT_CANNED_ACLS: readonly string[] = ["private", "bucket-owner-full-control"];

/** Canned ACLs that grant to the AllUsers or AuthenticatedUsers group: public by AWS's definition. */
export const PUBLIC_CANNED_ACLS: readonly string[] = [
  "public-read",
  "public-read-write",
  "authenticated-read",
];

/**
 * Canned ACLs that are not public (no group of strangers is granted anything) but not private
 * either, with what each grants and what to use instead. An organisation may allow them by name
 * (`allowedCannedAcls`); a public ACL can never be allowed.
 */
export const NON_PUBLIC_CANNED_ACLS: Readonly<Record<string, { grants: string; instead: string }>> =
  {
    "log-delivery-write": {
      grants: "the S3 LogDelivery group WRITE and READ_ACP",
      instead:
        "For server access logs, keep ACLs disabled and give the logging.s3.amazonaws.com service " +
        "principal s3:PutObject on the log prefix in the target bucket's policy (conditioned on " +
        "aws:SourceAccount).",
    },
    "aws-exec-read": {
      grants: "EC2 READ, for AMI bundles",
      instead: "Grant the role that reads the objects access in a bucket policy instead.",
    },
    "bucket-owner-read": {
      grants: "the bucket owner READ while the writer keeps ownership",
      instead:
        'Use "bucket-owner-full-control", or ownership controls "BucketOwnerEnforced" so the bucket ' +
        "owner owns every object.",
    },
    "bucket-owner-full-control": {
      grants: "the bucket owner full control, which means nothing on a bucket's own ACL",
      instead: 'Use "private".',
    },
  };

/** The canned ACLs an organisation may add through `allowedCannedAcls`. */
export const ALLOWABLE_CANNED_ACLS: readonly string[] = Object.keys(NON_PUBLIC_CANNED_ACLS);

/**
 * The `allowedCannedAcls` setting, as the three ACL-judging policies declare it: an organisation
 * lists the non-public canned ACLs it accepts (the two ACL policies and the ownership policy must
 * be kept in step). `description` says what each policy accepts besides them.
 */
export function allowedCannedAclsSetting(description: string) {
  return {
    type: "array" as const,
    items: { type: "string" as const, enum: [...ALLOWABLE_CANNED_ACLS] },
    default: [] as string[],
    description,
  };
}

/**
 * Where a resource type keeps its canned ACL and how it spells one: `acl` with S3's "public-read"
 * in @pulumi/aws, `accessControl` with "PublicRead" in aws-native. Messages name the user's field
 * and spelling.
 */
export interface AclField {
  field: string;
  spell: (acl: string) => string;
}

export const AWS_ACL_FIELD: AclField = { field: "acl", spell: (acl) => acl };

/**
 * The violation message for a canned ACL that is not public but not private either, or
 * `undefined` for any other ACL. `must` says what the ACL must be ('a bucket ACL must be
 * "private"').
 */
export function nonPublicAclMessage(
  acl: unknown,
  must: string,
  where: AclField = AWS_ACL_FIELD,
): string | undefined {
  const known =
    typeof acl === "string" && Object.hasOwn(NON_PUBLIC_CANNED_ACLS, acl)
      ? NON_PUBLIC_CANNED_ACLS[acl]
      : undefined;
  if (known === undefined) {
    return undefined;
  }
  return (
    `\`${where.field}\` is "${where.spell(String(acl))}", which is not public but not private either: it grants ` +
    `${known.grants}. ${must}. ${known.instead} To accept it anyway, list it in this policy's ` +
    "`allowedCannedAcls` config."
  );
}

/** True when `acl` is one of the canned ACLs that make a bucket or object public. */
export function isPublicCannedAcl(acl: unknown): boolean {
  return typeof acl === "string" && PUBLIC_CANNED_ACLS.includes(acl);
}

/**
 * The allowed canned ACLs of a policy: the kind's private ACLs plus the organisation's
 * `allowedCannedAcls`, of which only non-public ones count (the schema refuses others; a host that
 * skips schema validation must not open a hole).
 */
export function allowedCannedAcls(base: readonly string[], extra: readonly unknown[]): string[] {
  const added = extra.filter(
    (a): a is string => typeof a === "string" && ALLOWABLE_CANNED_ACLS.includes(a),
  );
  return [...base, ...added.filter((a) => !base.includes(a))];
}

// Group grantees are identified by URI; S3 accepts http and https spellings and any case.
const PUBLIC_GROUP_URI =
  /^https?:\/\/acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)\/?$/i;

/** True when `uri` names the AllUsers or AuthenticatedUsers group. */
export function isPublicGroupUri(uri: unknown): boolean {
  return typeof uri === "string" && PUBLIC_GROUP_URI.test(uri.trim());
}

/** A grant that opens data to a public group. */
export interface PublicGrant {
  uri: string;
  permissions: string[];
}

/** Public grants among `BucketAcl(V2).accessControlPolicy.grants` (`{grantee: {uri}, permission}`). */
export function publicAccessControlPolicyGrants(accessControlPolicy: unknown): PublicGrant[] {
  const grants = isRecord(accessControlPolicy) ? asList(accessControlPolicy["grants"]) : [];
  return grants.flatMap((grant) => {
    const grantee = isRecord(grant) ? grant["grantee"] : undefined;
    const uri = isRecord(grantee) ? grantee["uri"] : undefined;
    if (!isPublicGroupUri(uri) || !isRecord(grant)) {
      return [];
    }
    return [{ uri: String(uri), permissions: asList(grant["permission"]).map(String) }];
  });
}

/** Public grants among the legacy inline `Bucket(V2).grants` (`{uri, permissions: []}`). */
export function publicInlineGrants(grants: unknown): PublicGrant[] {
  return asList(grants).flatMap((grant) => {
    if (!isRecord(grant) || !isPublicGroupUri(grant["uri"])) {
      return [];
    }
    return [{ uri: String(grant["uri"]), permissions: asList(grant["permissions"]).map(String) }];
  });
}

/** "READ on http://acs.amazonaws.com/groups/global/AllUsers", for messages. */
export function describeGrant(grant: PublicGrant): string {
  const permissions = grant.permissions.length > 0 ? grant.permissions.join("/") : "a permission";
  return `${permissions} to ${grant.uri}`;
}
