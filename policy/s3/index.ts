/**
 * The S3 policies of the api-s3-load-guard pack, in the order the pack reports them.
 *
 * Kept apart from `policy/index.ts` because constructing a `PolicyPack` starts the policy server:
 * tests import this list instead.
 */
import { Policies } from "@pulumi/policy";
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
import { disallowPublicObjectAcl } from "./object";
import { disallowUnguardedSnapshotBucket } from "./snapshot";

export * from "./bucket";
export * from "./bucketCors";
export * from "./bucketPolicy";
export * from "./object";
export * from "./snapshot";

/** Mandatory by default: each one stops a change that would make data public or unguarded. */
export const mandatoryPolicies: Policies = [
  disallowPublicBucketAcl,
  disallowPublicObjectAcl,
  disallowUnblockedPublicAccess,
  disallowUncontrolledOwnership,
  disallowPublicBucketPolicy,
  disallowUnencryptedBucket,
  disallowUnguardedSnapshotBucket,
];

/** Advisory by default; the prod pack config (policy/config/prod.json) makes them mandatory. */
export const advisoryPolicies: Policies = [
  disallowUnversionedBucket,
  disallowInsecureTransport,
  disallowBucketWebsite,
  disallowWildcardCorsWrite,
];

export const s3Policies: Policies = [...mandatoryPolicies, ...advisoryPolicies];
