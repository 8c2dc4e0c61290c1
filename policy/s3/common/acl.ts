/**
 * What makes an S3 ACL public: a canned ACL other than the private ones, or a grant to the
 * AllUsers ("everyone") or AuthenticatedUsers ("any AWS account") group, whatever the permission.
 */
import { asList, isRecord } from "./known";

/** The only canned ACL a bucket may carry. */
export const BUCKET_CANNED_ACLS: readonly string[] = ["private"];

/** Canned ACLs an object may carry: private, or full control for the bucket owner (cross-account writes). */
export const OBJECT_CANNED_ACLS: readonly string[] = ["private", "bucket-owner-full-control"];

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
