import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { flagsTurnedOff, PUBLIC_ACCESS_BLOCK_FLAGS } from "../common/flags";
import {
  checkPolicyDocument,
  NARROWING_CONFIG_SCHEMA,
  NarrowingConfig,
} from "../common/publicPolicy";
import { remediateDisabledFlags } from "../common/remediate";

/** Tunables of `s3-access-point-disallow-public-access`. */
export type DisallowPublicAccessPointConfig = NarrowingConfig;

/**
 * Forbids an access point that can be made public: an `aws.s3.AccessPoint` whose
 * `publicAccessBlockConfiguration` turns a flag off, or an access point policy (the access point's
 * own `policy`, or `aws.s3control.AccessPointPolicy`) that allows callers nobody named. An access
 * point is a second door to its bucket with its own public access block and policy, and S3 applies
 * the most restrictive of account, bucket and access point settings, so each must stay closed.
 * Under `remediate`, every flag of a given block that is not `true` becomes `true`. Mandatory by
 * default.
 */
export const disallowPublicAccessPoint: ResourceValidationPolicy = {
  name: "s3-access-point-disallow-public-access",
  description:
    'Checks that no aws.s3.AccessPoint turns a public access block flag off and that no access point policy (`policy` on aws.s3.AccessPoint, aws.s3control.AccessPointPolicy) allows Principal "*", {"AWS": "*"} or {"Federated": …} without a narrowing condition. Remediates every flag of a given block to true.',
  configSchema: { properties: NARROWING_CONFIG_SCHEMA },
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.s3.AccessPoint, (accessPoint, args, report) => {
      const off = flagsTurnedOff(accessPoint.publicAccessBlockConfiguration);
      if (off.length > 0) {
        report(
          `\`publicAccessBlockConfiguration\` turns ${off.join(", ")} off, so this access point ` +
            "can serve public requests. Set every flag to true, or omit them (they default to true).",
        );
      }
      checkPolicyDocument(accessPoint.policy, "policy", args, report, "accessPoint");
    }),
    validateResourceOfType(aws.s3control.AccessPointPolicy, (policy, args, report) =>
      checkPolicyDocument(policy.policy, "policy", args, report, "accessPoint"),
    ),
  ],
  remediateResource: remediateDisabledFlags(
    [aws.s3.AccessPoint],
    ["publicAccessBlockConfiguration"],
    PUBLIC_ACCESS_BLOCK_FLAGS,
  ),
};
