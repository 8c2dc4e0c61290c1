import { StackValidationPolicy } from "@pulumi/policy";
import { NARROWING_CONFIG_SCHEMA, NarrowingConfig } from "../common/publicPolicy";
import { describeAccessPoint, judgeAccessPointPolicies } from "./accessPointPolicies";

/** Tunables of `s3-access-point-disallow-open-vpc-policy`. */
export type DisallowOpenVpcAccessPointPolicyConfig = NarrowingConfig;

/**
 * Notes an access point that only a VPC can reach whose policy would be public on an internet
 * access point. S3 counts it as non-public whatever its policy says (S3 User Guide, "The meaning
 * of 'public'" → "Access points"), so the mandatory access point policy lets it pass; but the
 * policy still admits anyone who can send requests from that VPC (every account sharing it, every
 * workload behind its endpoints). A hint, advisory everywhere, prod included: blocking it would
 * refuse a setup AWS itself calls private. It judges known values only: during a preview the
 * mandatory policy already notes a value it cannot see, and one note per value is enough.
 */
export const disallowOpenVpcAccessPointPolicy: StackValidationPolicy = {
  name: "s3-access-point-disallow-open-vpc-policy",
  description:
    "Checks that no access point with a VPC network origin has a policy that would be public on an Internet access point (an open principal without a narrowing condition). S3 counts such an access point as non-public; this notes who in the VPC the policy admits. Types: aws.s3.AccessPoint, aws.s3control.AccessPointPolicy (matched to its access point in the stack), aws-native s3:AccessPoint, s3express:AccessPoint, s3outposts:AccessPoint.",
  configSchema: { properties: NARROWING_CONFIG_SCHEMA },
  enforcementLevel: "advisory",
  validateStack: (args, report) => {
    // Values a preview does not know are left to the mandatory access point policy, whose own
    // note says which; this hint speaks only of what it can see.
    const { open } = judgeAccessPointPolicies(args);
    for (const found of open) {
      if (found.origin?.kind !== "vpc") {
        continue;
      }
      const lead =
        `${describeAccessPoint(found)} can be reached only from ${found.origin.vpc} (network ` +
        "origin VPC), so S3 counts it as non-public whatever its policy says; but it lets in " +
        "anyone who can send requests from that VPC: ";
      found.messages.forEach((message) => report(`${lead}${message}`, found.holder.urn));
    }
  },
};
