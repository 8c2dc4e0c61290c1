import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import {
  checkPolicyDocument,
  NARROWING_CONFIG_SCHEMA,
  NarrowingConfig,
} from "../common/publicPolicy";

/** Tunables of `s3-bucket-policy-disallow-public-principal`. */
export type DisallowPublicBucketPolicyConfig = NarrowingConfig;

/**
 * Forbids bucket policy statements that allow callers nobody named (`Principal: "*"`,
 * `{"AWS": "*"}` as a string or in a list, `{"Federated": …}`, or any `NotPrincipal`) unless a
 * condition narrows them to an account, organisation, named principal, VPC, VPC endpoint or the
 * bucket's access points. Checks `aws.s3.BucketPolicy` and the legacy inline `policy` of
 * Bucket/BucketV2. Mandatory by default.
 */
export const disallowPublicBucketPolicy: ResourceValidationPolicy = {
  name: "s3-bucket-policy-disallow-public-principal",
  description:
    'Checks that no bucket policy statement allows Principal "*", {"AWS": "*"} or {"Federated": …} unless a condition narrows it to an account, organisation, named principal, VPC, VPC endpoint or access point.',
  configSchema: { properties: NARROWING_CONFIG_SCHEMA },
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.s3.BucketPolicy, (policy, args, report) =>
      checkPolicyDocument(policy.policy, "policy", args, report),
    ),
    validateResourceOfType(aws.s3.Bucket, (bucket, args, report) =>
      checkPolicyDocument(bucket.policy, "policy", args, report),
    ),
    validateResourceOfType(aws.s3.BucketV2, (bucket, args, report) =>
      checkPolicyDocument(bucket.policy, "policy", args, report),
    ),
  ],
};
