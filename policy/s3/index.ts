/**
 * The S3 policies of the api-s3-load-guard pack, in the order the pack reports them.
 *
 * Kept apart from `policy/index.ts` because constructing a `PolicyPack` starts the policy server:
 * tests import this list instead.
 */
import { Policies } from "@pulumi/policy";
import { disallowPublicAccessPoint } from "./accessPoint";
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
 * TLS-only policy mandatory; website hosting and wildcard CORS writes stay advisory there too,
 * because neither grants access by itself (see `advisoryInProd`).
 */
export const advisoryPolicies: Policies = [
  disallowUnversionedBucket,
  disallowInsecureTransport,
  disallowBucketWebsite,
  disallowWildcardCorsWrite,
];

/**
 * Advisory even in prod, by design: a website configuration serves only what a public bucket
 * policy or ACL already exposes (both mandatory everywhere), so a bucket read only through
 * CloudFront with OAI/OAC exposes nothing; a CORS rule only lets browsers read cross-origin
 * responses, and a PUT still needs credentials or a presigned URL. Both stay as hints.
 */
export const advisoryInProd: Policies = [disallowBucketWebsite, disallowWildcardCorsWrite];

export const s3Policies: Policies = [...mandatoryPolicies, ...advisoryPolicies];
