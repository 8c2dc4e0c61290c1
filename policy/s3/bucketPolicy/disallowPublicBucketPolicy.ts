import * as aws from "@pulumi/aws";
import {
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import { configWithDefaults } from "../common/config";
import {
  DEFAULT_NARROWING_CONDITION_KEYS,
  describeStatement,
  parsePolicy,
  publicAllowStatements,
} from "../common/policyDocument";

/** Tunables of `s3-bucket-policy-disallow-public-principal`. */
export interface DisallowPublicBucketPolicyConfig {
  /**
   * Condition keys that make an open principal acceptable when matched with a positive operator
   * (StringEquals, StringLike, ArnEquals, …) against non-wildcard values. Defaults to
   * `["aws:PrincipalAccount", "aws:SourceAccount", "aws:SourceVpce", "aws:SourceVpc"]`.
   */
  narrowingConditionKeys: string[];
}

/**
 * Forbids bucket policy statements that allow everyone (`Principal: "*"`, `{"AWS": "*"}` as a
 * string or in a list, or any `NotPrincipal`) unless a condition narrows them to an account or a
 * VPC endpoint. Checks `aws.s3.BucketPolicy` and the legacy inline `policy` of Bucket/BucketV2.
 * Mandatory by default.
 */
export const disallowPublicBucketPolicy: ResourceValidationPolicy = {
  name: "s3-bucket-policy-disallow-public-principal",
  description:
    'Checks that no bucket policy statement allows Principal "*" or {"AWS": "*"} unless a condition narrows it to an account or a VPC endpoint.',
  configSchema: {
    properties: {
      narrowingConditionKeys: {
        type: "array",
        items: { type: "string" },
        default: [...DEFAULT_NARROWING_CONDITION_KEYS],
        description:
          "Condition keys that narrow an open principal (to an account or VPC endpoint) when matched with a positive operator against non-wildcard values.",
      },
    },
  },
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.s3.BucketPolicy, (policy, args, report) =>
      checkPolicy(policy.policy, "policy", args, report),
    ),
    validateResourceOfType(aws.s3.Bucket, (bucket, args, report) =>
      checkPolicy(bucket.policy, "policy", args, report),
    ),
    validateResourceOfType(aws.s3.BucketV2, (bucket, args, report) =>
      checkPolicy(bucket.policy, "policy", args, report),
    ),
  ],
};

function checkPolicy(
  document: unknown,
  field: string,
  args: ResourceValidationArgs,
  report: ReportViolation,
): void {
  if (document === undefined) {
    return;
  }
  const { narrowingConditionKeys } = configWithDefaults<DisallowPublicBucketPolicyConfig>(args, {
    narrowingConditionKeys: [...DEFAULT_NARROWING_CONDITION_KEYS],
  });
  const parsed = parsePolicy(document);
  if (!parsed.ok) {
    report(
      `\`${field}\` ${parsed.reason}, so it cannot be checked for public access. Give a valid IAM policy document.`,
    );
    return;
  }
  for (const open of publicAllowStatements(parsed.statements, narrowingConditionKeys)) {
    report(
      `\`${field}\` ${describeStatement(open)} allows ${open.principal} without a condition that narrows it ` +
        `to an account or VPC endpoint. Name the principals (e.g. {"AWS": "arn:aws:iam::<account>:root"}) ` +
        `or add a condition such as {"StringEquals": {"aws:SourceVpce": "vpce-…"}} on one of: ` +
        `${narrowingConditionKeys.join(", ")}.`,
    );
  }
}
