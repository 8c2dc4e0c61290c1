import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { NATIVE } from "../common/nativeTypes";
import { NARROWING_CONFIG_SCHEMA, NarrowingConfig } from "../common/publicPolicy";
import {
  describeTypes,
  GuardedInputs,
  validateGuardedInputs,
} from "../common/resourcePolicyInputs";

/** Tunables of `s3-bucket-policy-disallow-public-principal`. */
export type DisallowPublicBucketPolicyConfig = NarrowingConfig;

/**
 * Bucket-level resource policies, per provider: general purpose buckets (and their legacy inline
 * `policy`), S3 on Outposts buckets, directory buckets, table buckets and tables, vector buckets,
 * S3 Files file systems and the S3 Access Grants instance. Each can grant S3 data to anyone.
 */
export const BUCKET_POLICY_INPUTS: readonly GuardedInputs[] = [
  { kind: aws.s3.BucketPolicy, document: ["policy"], context: "bucket" },
  { kind: aws.s3.Bucket, document: ["policy"], context: "bucket" },
  { kind: aws.s3.BucketV2, document: ["policy"], context: "bucket" },
  { kind: aws.s3control.BucketPolicy, document: ["policy"], context: "bucket" },
  { kind: aws.s3tables.TableBucketPolicy, document: ["resourcePolicy"], context: "bucket" },
  { kind: aws.s3tables.TablePolicy, document: ["resourcePolicy"], context: "bucket" },
  { kind: aws.s3.VectorsVectorBucketPolicy, document: ["policy"], context: "bucket" },
  { kind: aws.s3.FilesFileSystemPolicy, document: ["policy"], context: "bucket" },
  {
    kind: aws.s3control.AccessGrantsInstanceResourcePolicy,
    document: ["policy"],
    context: "bucket",
  },
  { kind: NATIVE.bucketPolicy, document: ["policyDocument"], context: "bucket" },
  { kind: NATIVE.outpostsBucketPolicy, document: ["policyDocument"], context: "bucket" },
  { kind: NATIVE.expressBucketPolicy, document: ["policyDocument"], context: "bucket" },
  { kind: NATIVE.tableBucketPolicy, document: ["resourcePolicy"], context: "bucket" },
  { kind: NATIVE.tablePolicy, document: ["resourcePolicy"], context: "bucket" },
  { kind: NATIVE.vectorBucketPolicy, document: ["policy"], context: "bucket" },
  { kind: NATIVE.fileSystemPolicy, document: ["policy"], context: "bucket" },
];

/**
 * Forbids bucket-level policy statements that are public as S3's policy status decides it
 * (common/publicStatement.ts): an open principal (`"*"`, a wildcard account ARN, a federated
 * provider, `NotPrincipal`) without a condition that limits it to fixed callers or networks.
 * Mandatory by default.
 */
export const disallowPublicBucketPolicy: ResourceValidationPolicy = {
  name: "s3-bucket-policy-disallow-public-principal",
  description: `Checks that no bucket-level policy statement is public as S3 judges it: an Allow to "*", any principal ARN with a wildcard, a web identity or OIDC {"Federated": …} (a fixed SAML provider too when samlProvidersArePublic) or NotPrincipal without a condition that limits it to fixed callers or networks. Types: ${describeTypes(BUCKET_POLICY_INPUTS)}.`,
  configSchema: { properties: NARROWING_CONFIG_SCHEMA },
  enforcementLevel: "mandatory",
  validateResource: validateGuardedInputs(BUCKET_POLICY_INPUTS, () => ""),
};
