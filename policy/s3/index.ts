/**
 * The S3 policies of the api-s3-load-guard pack, in the order the pack reports them.
 *
 * Kept apart from `policy/index.ts` because constructing a `PolicyPack` starts the policy server:
 * tests import this list instead.
 */
import { Policies } from "@pulumi/policy";
import { disallowOpenVpcAccessPointPolicy, disallowPublicAccessPoint } from "./accessPoint";
import {
  disallowBucketWebsite,
  disallowInsecureTransport,
  disallowPublicBucketAcl,
  disallowUnblockedPublicAccess,
  disallowUncontrolledOwnership,
  disallowUnencryptedBucket,
  disallowUnversionedBucket,
} from "./bucket";
import { disallowWildcardCorsWrite } from "./bucketCors";
import { disallowPublicBucketPolicy } from "./bucketPolicy";
import { disallowPublicMultiRegionAccessPoint } from "./multiRegionAccessPoint";
import { disallowPublicObjectAcl } from "./object";
import { disallowUnguardedSnapshotBucket } from "./snapshot";

export * from "./accessPoint";
export * from "./bucket";
export * from "./bucketCors";
export * from "./bucketPolicy";
export * from "./multiRegionAccessPoint";
export * from "./object";
export * from "./snapshot";

/** Mandatory by default: each one stops a change that would make data public or unguarded. */
export const mandatoryPolicies: Policies = [
  disallowPublicBucketAcl,
  disallowPublicObjectAcl,
  disallowUnblockedPublicAccess,
  disallowUncontrolledOwnership,
  disallowPublicBucketPolicy,
  disallowPublicAccessPoint,
  disallowPublicMultiRegionAccessPoint,
  disallowUnencryptedBucket,
  disallowUnguardedSnapshotBucket,
];

/**
 * Advisory by default. The prod pack config (policy/config/prod.json) makes versioning and the
 * TLS-only policy mandatory; website hosting, wildcard CORS writes and open policies on VPC-only
 * access points stay advisory there too, because none makes data public by itself (see
 * `advisoryInProd`).
 */
export const advisoryPolicies: Policies = [
  disallowUnversionedBucket,
  disallowInsecureTransport,
  disallowBucketWebsite,
  disallowWildcardCorsWrite,
  disallowOpenVpcAccessPointPolicy,
];

/**
 * Advisory even in prod, by design: a website configuration serves only what a public bucket
 * policy or ACL already exposes (both mandatory everywhere), so a bucket read only through
 * CloudFront with OAI/OAC exposes nothing; a CORS rule only lets browsers read cross-origin
 * responses, and a PUT still needs credentials or a presigned URL; an open policy on an access
 * point only a VPC can reach is one S3 itself counts as non-public. All three stay as hints.
 */
export const advisoryInProd: Policies = [
  disallowBucketWebsite,
  disallowWildcardCorsWrite,
  disallowOpenVpcAccessPointPolicy,
];

export const s3Policies: Policies = [...mandatoryPolicies, ...advisoryPolicies];
