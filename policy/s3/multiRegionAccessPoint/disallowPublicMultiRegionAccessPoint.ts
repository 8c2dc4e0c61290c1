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

/** Tunables of `s3-multi-region-access-point-disallow-public-access`. */
export type DisallowPublicMultiRegionAccessPointConfig = NarrowingConfig;

/** Multi-region access points and their policies, per provider. */
export const MULTI_REGION_ACCESS_POINT_INPUTS: readonly GuardedInputs[] = [
  {
    kind: aws.s3control.MultiRegionAccessPoint,
    block: ["details", "publicAccessBlock"],
    context: "accessPoint",
  },
  {
    kind: aws.s3control.MultiRegionAccessPointPolicy,
    document: ["details", "policy"],
    context: "accessPoint",
  },
  {
    kind: NATIVE.multiRegionAccessPoint,
    block: ["publicAccessBlockConfiguration"],
    context: "accessPoint",
  },
  { kind: NATIVE.multiRegionAccessPointPolicy, document: ["policy"], context: "accessPoint" },
];

/**
 * Forbids a multi-region access point that can be made public: a public access block that turns a
 * flag off (it cannot be changed after creation, so it must be right at creation), or a policy that
 * is public as S3's policy status decides it. Under `remediate`, every flag of a given
 * @pulumi/aws block that is not `true` becomes `true`. Mandatory by default.
 */
export const disallowPublicMultiRegionAccessPoint: ResourceValidationPolicy = {
  name: "s3-multi-region-access-point-disallow-public-access",
  description: `Checks that no multi-region access point turns a public access block flag off and that no multi-region access point policy is public as S3 judges it (an Allow to "*", any principal ARN with a wildcard, a web identity or OIDC {"Federated": …} (a fixed SAML provider too when samlProvidersArePublic) or NotPrincipal without a condition limiting it to fixed callers). Types: ${describeTypes(MULTI_REGION_ACCESS_POINT_INPUTS)}. Remediates every flag of a given block to true.`,
  configSchema: { properties: NARROWING_CONFIG_SCHEMA },
  enforcementLevel: "mandatory",
  validateResource: validateGuardedInputs(
    MULTI_REGION_ACCESS_POINT_INPUTS,
    (field, off) =>
      `\`${field}\` turns ${off.join(", ")} off, so this multi-region access point can serve ` +
      "public requests. Set every flag to true, or omit them (they default to true); the block " +
      "cannot be changed after creation.",
  ),
  remediateResource: remediateDisabledFlags(
    [aws.s3control.MultiRegionAccessPoint],
    ["details", "publicAccessBlock"],
    PUBLIC_ACCESS_BLOCK_FLAGS,
  ),
};
