import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { flagsTurnedOff, PUBLIC_ACCESS_BLOCK_FLAGS } from "../common/flags";
import { isRecord } from "../common/known";
import {
  checkPolicyDocument,
  NARROWING_CONFIG_SCHEMA,
  NarrowingConfig,
} from "../common/publicPolicy";
import { remediateDisabledFlags } from "../common/remediate";

/** Tunables of `s3-multi-region-access-point-disallow-public-access`. */
export type DisallowPublicMultiRegionAccessPointConfig = NarrowingConfig;

/**
 * Forbids a multi-region access point that can be made public: an
 * `aws.s3control.MultiRegionAccessPoint` whose `details.publicAccessBlock` turns a flag off (it
 * cannot be changed after creation, so it must be right at creation), or an
 * `aws.s3control.MultiRegionAccessPointPolicy` whose `details.policy` allows callers nobody named.
 * Under `remediate`, every flag of a given block that is not `true` becomes `true`. Mandatory by
 * default.
 */
export const disallowPublicMultiRegionAccessPoint: ResourceValidationPolicy = {
  name: "s3-multi-region-access-point-disallow-public-access",
  description:
    'Checks that no aws.s3control.MultiRegionAccessPoint turns a flag of details.publicAccessBlock off and that no aws.s3control.MultiRegionAccessPointPolicy allows Principal "*", {"AWS": "*"} or {"Federated": …} without a narrowing condition. Remediates every flag of a given block to true.',
  configSchema: { properties: NARROWING_CONFIG_SCHEMA },
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.s3control.MultiRegionAccessPoint, (mrap, _args, report) => {
      const details: unknown = mrap.details;
      const off = flagsTurnedOff(isRecord(details) ? details["publicAccessBlock"] : undefined);
      if (off.length > 0) {
        report(
          `\`details.publicAccessBlock\` turns ${off.join(", ")} off, so this multi-region access ` +
            "point can serve public requests. Set every flag to true, or omit them (they default " +
            "to true); the block cannot be changed after creation.",
        );
      }
    }),
    validateResourceOfType(aws.s3control.MultiRegionAccessPointPolicy, (policy, args, report) => {
      const details: unknown = policy.details;
      checkPolicyDocument(
        isRecord(details) ? details["policy"] : undefined,
        "details.policy",
        args,
        report,
        "accessPoint",
      );
    }),
  ],
  remediateResource: remediateDisabledFlags(
    [aws.s3control.MultiRegionAccessPoint],
    ["details", "publicAccessBlock"],
    PUBLIC_ACCESS_BLOCK_FLAGS,
  ),
};
