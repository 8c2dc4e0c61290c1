import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { PUBLIC_ACCESS_BLOCK_FLAGS } from "../common/flags";
import { NATIVE } from "../common/nativeTypes";
import { NARROWING_CONFIG_SCHEMA, NarrowingConfig } from "../common/publicPolicy";
import { remediateDisabledFlags } from "../common/remediate";
import {
  describeTypes,
  GuardedInputs,
  validateGuardedInputs,
} from "../common/resourcePolicyInputs";

/** Tunables of `s3-access-point-disallow-public-access`. */
export type DisallowPublicAccessPointConfig = NarrowingConfig;

const BLOCK = ["publicAccessBlockConfiguration"];

/**
 * Access points and their policies, per provider: S3 access points (their own `policy` and block,
 * or a separate policy resource), Object Lambda access points, directory bucket (S3 Express) and
 * S3 on Outposts access points.
 */
export const ACCESS_POINT_INPUTS: readonly GuardedInputs[] = [
  { kind: aws.s3.AccessPoint, document: ["policy"], block: BLOCK, context: "accessPoint" },
  { kind: aws.s3control.AccessPointPolicy, document: ["policy"], context: "accessPoint" },
  {
    kind: aws.s3control.ObjectLambdaAccessPointPolicy,
    document: ["policy"],
    context: "accessPoint",
  },
  { kind: NATIVE.accessPoint, document: ["policy"], block: BLOCK, context: "accessPoint" },
  { kind: NATIVE.expressAccessPoint, document: ["policy"], block: BLOCK, context: "accessPoint" },
  { kind: NATIVE.outpostsAccessPoint, document: ["policy"], context: "accessPoint" },
  {
    kind: NATIVE.objectLambdaAccessPointPolicy,
    document: ["policyDocument"],
    context: "accessPoint",
  },
];

/**
 * Forbids an access point that can be made public: a public access block that turns a flag off,
 * or an access point policy that is public as S3's policy status decides it. An access point is a
 * second door to its bucket with its own block and policy, and S3 applies the most restrictive of
 * account, bucket and access point settings, so each must stay closed. Under `remediate`, every
 * flag of a given block that is not `true` becomes `true`. Mandatory by default.
 */
export const disallowPublicAccessPoint: ResourceValidationPolicy = {
  name: "s3-access-point-disallow-public-access",
  description: `Checks that no access point turns a public access block flag off and that no access point policy is public as S3 judges it (an Allow to "*", a wildcard account ARN, {"Federated": …} or NotPrincipal without a condition limiting it to fixed callers). Types: ${describeTypes(ACCESS_POINT_INPUTS)}. Remediates every flag of a given block to true.`,
  configSchema: { properties: NARROWING_CONFIG_SCHEMA },
  enforcementLevel: "mandatory",
  validateResource: validateGuardedInputs(
    ACCESS_POINT_INPUTS,
    (field, off) =>
      `\`${field}\` turns ${off.join(", ")} off, so this access point can serve public requests. ` +
      "Set every flag to true, or omit them (they default to true).",
  ),
  remediateResource: remediateDisabledFlags(
    [aws.s3.AccessPoint, NATIVE.accessPoint, NATIVE.expressAccessPoint],
    BLOCK,
    PUBLIC_ACCESS_BLOCK_FLAGS,
  ),
};
