import * as aws from "@pulumi/aws";
import {
  ReportViolation,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { PUBLIC_ACCESS_BLOCK_FLAGS } from "../common/flags";
import { tryRead } from "../common/known";
import { NATIVE } from "../common/nativeTypes";
import { NARROWING_CONFIG_SCHEMA, NarrowingConfig } from "../common/publicPolicy";
import { remediateDisabledFlags } from "../common/remediate";
import { describeTypes, validateGuardedInputs } from "../common/resourcePolicyInputs";
import { ACCESS_POINT_INPUTS, BLOCK } from "./accessPointInputs";
import { judgeAccessPointPolicies, OpenAccessPointPolicy } from "./accessPointPolicies";

/** Tunables of `s3-access-point-disallow-public-access`. */
export type DisallowPublicAccessPointConfig = NarrowingConfig;

/**
 * The sentence added when an access point policy's access point is not in the stack: its network
 * origin cannot be read, so the document is judged alone, as for an internet access point.
 */
function notInStack(open: OpenAccessPointPolicy): string {
  const arn = tryRead(() => open.holder.props["accessPointArn"]);
  const named = arn.known && typeof arn.value === "string" ? ` ${arn.value}` : "";
  return (
    ` Its access point${named} is not declared in this stack, so its network origin cannot be ` +
    "read and the policy is judged alone (an access point only a VPC can reach would be non-public)."
  );
}

/**
 * The stack half: an `aws.s3control.AccessPointPolicy` is public only if its access point can be
 * reached from the internet, which only the access point (found in the stack) tells.
 */
function validateSeparatePolicies(args: StackValidationArgs, report: ReportViolation): void {
  const { open, undecided } = judgeAccessPointPolicies(args, true);
  for (const found of open) {
    if (found.unreadable !== undefined) {
      report(found.unreadable, found.holder.urn);
    }
    if (found.origin?.kind === "vpc") {
      continue;
    }
    const suffix = found.origin === undefined ? notInStack(found) : "";
    found.messages.forEach((message) => report(`${message}${suffix}`, found.holder.urn));
  }
  if (undecided) {
    throw undecided;
  }
}

/**
 * Forbids an access point that can be made public: a public access block that turns a flag off,
 * or an access point policy that is public as S3's policy status decides it, on an access point
 * the internet can reach. An access point is a second door to its bucket with its own block and
 * policy, and S3 applies the most restrictive of account, bucket and access point settings, so
 * each must stay closed. An access point with a VPC network origin is non-public whatever its
 * policy says (S3 User Guide, "The meaning of 'public'"), so its open policy is left to the
 * advisory `s3-access-point-disallow-open-vpc-policy`. An access point's own policy is judged with
 * its inputs; a separate `AccessPointPolicy` by the stack check, which finds its access point.
 * Under `remediate`, every flag of a given block that is not `true` becomes `true`. Mandatory by
 * default.
 */
export const disallowPublicAccessPoint: ResourceValidationPolicy &
  Pick<StackValidationPolicy, "validateStack"> = {
  name: "s3-access-point-disallow-public-access",
  description: `Checks that no access point turns a public access block flag off and that no access point policy is public as S3 judges it (an Allow to "*", any principal ARN with a wildcard, a web identity or OIDC {"Federated": …} (a fixed SAML provider too when samlProvidersArePublic) or NotPrincipal without a condition limiting it to fixed callers) on an access point with an Internet network origin (a VPC origin is never public; a separate AccessPointPolicy is matched to its access point in the stack). Types: ${describeTypes(ACCESS_POINT_INPUTS)}. Remediates every flag of a given block to true.`,
  configSchema: { properties: NARROWING_CONFIG_SCHEMA },
  enforcementLevel: "mandatory",
  validateResource: validateGuardedInputs(
    ACCESS_POINT_INPUTS,
    (field, off) =>
      `\`${field}\` turns ${off.join(", ")} off, so this access point can serve public requests. ` +
      "Set every flag to true, or omit them (they default to true).",
  ),
  validateStack: validateSeparatePolicies,
  remediateResource: remediateDisabledFlags(
    [aws.s3.AccessPoint, NATIVE.accessPoint, NATIVE.expressAccessPoint],
    BLOCK,
    PUBLIC_ACCESS_BLOCK_FLAGS,
  ),
};
