import * as aws from "@pulumi/aws";
import { disallowPublicMultiRegionAccessPoint } from "../../../../policy/s3";
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs,
  describePolicyBasics,
} from "../../../helpers/policy";
import { BUCKET_NAME } from "../fixtures";

const MRAP_ARN = "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap";

const mrapProps = (publicAccessBlock?: Record<string, boolean>): Record<string, unknown> => ({
  details: {
    name: "markets",
    regions: [{ bucket: BUCKET_NAME }],
    ...(publicAccessBlock ? { publicAccessBlock } : {}),
  },
});

const ALL_ON = {
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
};

const policyProps = (statement: Record<string, unknown>) => ({
  details: {
    name: "markets",
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }),
  },
});

const reader = (): Record<string, unknown> => ({
  Effect: "Allow",
  Principal: { AWS: "arn:aws:iam::123456789012:role/reader" },
  Action: "s3:GetObject",
  Resource: `${MRAP_ARN}/object/*`,
});

const KEYS =
  "aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:SourceAccount, aws:SourceArn, aws:SourceOwner, aws:SourceOrgID, aws:SourceOrgPaths, aws:SourceVpc, aws:SourceVpce, aws:SourceIp, aws:userid, s3:DataAccessPointAccount, s3:DataAccessPointArn";

describe("s3-multi-region-access-point-disallow-public-access", () => {
  describePolicyBasics(disallowPublicMultiRegionAccessPoint, {
    name: "s3-multi-region-access-point-disallow-public-access",
    enforcementLevel: "mandatory",
    baseline: {
      title: "accepts a multi-region access point with every flag on",
      args: () =>
        createResourceValidationArgs(aws.s3control.MultiRegionAccessPoint, mrapProps(ALL_ON)),
    },
  });

  it("accepts one without a public access block (AWS turns every flag on)", async () => {
    await assertNoResourceViolations(
      disallowPublicMultiRegionAccessPoint,
      createResourceValidationArgs(aws.s3control.MultiRegionAccessPoint, mrapProps()),
    );
  });

  it.each(["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])(
    "rejects one with %s false",
    async (flag) => {
      await assertHasResourceViolation(
        disallowPublicMultiRegionAccessPoint,
        createResourceValidationArgs(
          aws.s3control.MultiRegionAccessPoint,
          mrapProps({ ...ALL_ON, [flag]: false }),
        ),
        `\`details.publicAccessBlock\` turns ${flag} off, so this multi-region access point can serve public requests. Set every flag to true, or omit them (they default to true); the block cannot be changed after creation.`,
      );
    },
  );

  it("accepts a policy naming a role", async () => {
    await assertNoResourceViolations(
      disallowPublicMultiRegionAccessPoint,
      createResourceValidationArgs(
        aws.s3control.MultiRegionAccessPointPolicy,
        policyProps(reader()),
      ),
    );
  });

  it('rejects a policy allowing {"AWS": "*"}', async () => {
    await assertHasResourceViolation(
      disallowPublicMultiRegionAccessPoint,
      createResourceValidationArgs(
        aws.s3control.MultiRegionAccessPointPolicy,
        policyProps({ ...reader(), Principal: { AWS: "*" } }),
      ),
      `\`details.policy\` statement 0 allows Principal {"AWS":"*"} without a condition that narrows it to known callers. Name the principals (e.g. {"AWS": "arn:aws:iam::<account>:root"}) or add a condition such as {"StringEquals": {"aws:SourceVpce": "vpce-…"}} on one of: ${KEYS}.`,
    );
  });
});
