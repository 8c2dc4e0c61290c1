/**
 * One check for every resource-based S3 policy (bucket policies, access point and multi-region
 * access point policies): the document must parse, and no Allow statement may open access to
 * callers nobody named. The bucket-policy and access-point policies both report through it, so the
 * two apply the same rule with the same words.
 */
import { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { configWithDefaults } from "./config";
import { describeStatement, parsePolicy } from "./policyDocument";
import {
  DEFAULT_NARROWING_CONDITION_KEYS,
  PolicyContext,
  publicStatements,
} from "./publicStatement";

/** Tunables shared by the policies that read resource-based policy documents. */
export interface NarrowingConfig {
  /**
   * Condition keys that make an open principal acceptable when compared exactly (StringEquals,
   * ArnEquals, StringLike/ArnLike without wildcards, IpAddress for aws:SourceIp) with fixed values.
   * Defaults to `DEFAULT_NARROWING_CONDITION_KEYS`.
   */
  narrowingConditionKeys: string[];
}

/** The `configSchema` entry of `narrowingConditionKeys`. */
export const NARROWING_CONFIG_SCHEMA = {
  narrowingConditionKeys: {
    type: "array" as const,
    items: { type: "string" as const },
    default: [...DEFAULT_NARROWING_CONDITION_KEYS],
    description:
      "Condition keys that narrow an open principal (to an account, organisation, named principal, source, network, user id or access point) when compared exactly with fixed values, as S3's policy status judges them (docs/policy.md).",
  },
};

/**
 * Reports `document` (the value of `field`) when it cannot be read or when a statement allows an
 * open principal without a narrowing condition. An absent document is fine. `context` says whether
 * the document is a bucket-level policy or an access point's.
 *
 * During a preview part of a document may be unknown (a policy object whose ARN is not computed
 * yet): the statements that can be judged are, and the unknown-value error is rethrown at the end,
 * so the host adds its one advisory "can't run … during preview" note instead of a guess.
 */
export function checkPolicyDocument(
  document: unknown,
  field: string,
  args: ResourceValidationArgs,
  report: ReportViolation,
  context: PolicyContext = "bucket",
): void {
  if (document === undefined) {
    return;
  }
  const { narrowingConditionKeys } = configWithDefaults<NarrowingConfig>(args, {
    narrowingConditionKeys: [...DEFAULT_NARROWING_CONDITION_KEYS],
  });
  const parsed = parsePolicy(document);
  if (!parsed.ok) {
    report(
      `\`${field}\` ${parsed.reason}, so it cannot be checked for public access. Give a valid IAM policy document.`,
    );
    return;
  }
  const { open: openStatements, unknown } = publicStatements(
    parsed.statements,
    narrowingConditionKeys,
    context,
  );
  for (const open of openStatements) {
    report(
      `\`${field}\` ${describeStatement(open)} allows ${open.principal} without a condition that narrows it ` +
        `to known callers. Name the principals (e.g. {"AWS": "arn:aws:iam::<account>:root"}) ` +
        `or add a condition such as {"StringEquals": {"aws:SourceVpce": "vpce-…"}} on one of: ` +
        `${narrowingConditionKeys.join(", ")}.`,
    );
  }
  if (unknown) {
    throw unknown;
  }
}
