import * as aws from "@pulumi/aws";
import { disallowPublicAccessPoint } from "../../../../policy/s3";
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs,
  describePolicyBasics,
  runResourcePolicy,
} from "../../../helpers/policy";
import { BUCKET_NAME } from "../fixtures";

const AP_ARN = "arn:aws:s3:us-east-1:123456789012:accesspoint/reader";

const readerStatement = (): Record<string, unknown> => ({
  Sid: "Reader",
  Effect: "Allow",
  Principal: { AWS: "arn:aws:iam::123456789012:role/reader" },
  Action: "s3:GetObject",
  Resource: `${AP_ARN}/object/*`,
});

const policyJson = (statement: Record<string, unknown>) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [statement] });

/** An access point as AWS recommends it: every flag of its block on, a policy naming a role. */
const accessPointProps = (): Record<string, unknown> => ({
  bucket: BUCKET_NAME,
  name: "reader",
  publicAccessBlockConfiguration: {
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  },
  policy: policyJson(readerStatement()),
});

const KEYS =
  "aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:SourceAccount, aws:SourceArn, aws:SourceOwner, aws:SourceOrgID, aws:SourceOrgPaths, aws:SourceVpc, aws:SourceVpce, aws:SourceIp, aws:userid, s3:DataAccessPointAccount, s3:DataAccessPointArn";

const openMessage = (principal: string) =>
  `\`policy\` statement 0 (Sid "Reader") allows ${principal} without a condition that narrows it to known callers. Name the principals (e.g. {"AWS": "arn:aws:iam::<account>:root"}) or add a condition such as {"StringEquals": {"aws:SourceVpce": "vpce-…"}} on one of: ${KEYS}.`;

const flagMessage = (flags: string) =>
  `\`publicAccessBlockConfiguration\` turns ${flags} off, so this access point can serve public requests. Set every flag to true, or omit them (they default to true).`;

describe("s3-access-point-disallow-public-access", () => {
  describePolicyBasics(disallowPublicAccessPoint, {
    name: "s3-access-point-disallow-public-access",
    enforcementLevel: "mandatory",
    baseline: {
      title: "accepts an access point with its block on and a policy naming a role",
      args: () => createResourceValidationArgs(aws.s3.AccessPoint, accessPointProps()),
    },
  });

  it("accepts an access point that leaves its block and policy out (AWS turns every flag on)", async () => {
    await assertNoResourceViolations(
      disallowPublicAccessPoint,
      createResourceValidationArgs(aws.s3.AccessPoint, { bucket: BUCKET_NAME, name: "reader" }),
    );
  });

  it.each(["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])(
    "rejects an access point with %s false",
    async (flag) => {
      const props = accessPointProps();
      props["publicAccessBlockConfiguration"] = {
        ...(props["publicAccessBlockConfiguration"] as object),
        [flag]: false,
      };
      await assertHasResourceViolation(
        disallowPublicAccessPoint,
        createResourceValidationArgs(aws.s3.AccessPoint, props),
        flagMessage(flag),
      );
    },
  );

  it("names every flag turned off", async () => {
    const props = {
      ...accessPointProps(),
      publicAccessBlockConfiguration: { blockPublicPolicy: false, restrictPublicBuckets: false },
    };
    await assertHasResourceViolation(
      disallowPublicAccessPoint,
      createResourceValidationArgs(aws.s3.AccessPoint, props),
      flagMessage("blockPublicPolicy, restrictPublicBuckets"),
    );
  });

  it.each([
    ['"*"', "*"],
    ['{"AWS":"*"}', { AWS: "*" }],
    [
      '{"Federated":"cognito-identity.amazonaws.com"}',
      { Federated: "cognito-identity.amazonaws.com" },
    ],
  ])("rejects an access point's own policy allowing %s", async (shown, principal) => {
    const props = {
      ...accessPointProps(),
      policy: policyJson({ ...readerStatement(), Principal: principal }),
    };
    await assertHasResourceViolation(
      disallowPublicAccessPoint,
      createResourceValidationArgs(aws.s3.AccessPoint, props),
      openMessage(`Principal ${shown}`),
    );
  });

  it('rejects an aws.s3control.AccessPointPolicy allowing "*"', async () => {
    const args = createResourceValidationArgs(aws.s3control.AccessPointPolicy, {
      accessPointArn: AP_ARN,
      policy: policyJson({ ...readerStatement(), Principal: "*" }),
    });
    await assertHasResourceViolation(disallowPublicAccessPoint, args, openMessage('Principal "*"'));
  });

  it('accepts an AccessPointPolicy allowing "*" narrowed to the organisation', async () => {
    const args = createResourceValidationArgs(aws.s3control.AccessPointPolicy, {
      accessPointArn: AP_ARN,
      policy: policyJson({
        ...readerStatement(),
        Principal: "*",
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
      }),
    });
    await assertNoResourceViolations(disallowPublicAccessPoint, args);
  });

  it("reports a flag and an open policy on one access point separately", async () => {
    const props = {
      ...accessPointProps(),
      publicAccessBlockConfiguration: { blockPublicPolicy: false },
      policy: policyJson({ ...readerStatement(), Principal: "*" }),
    };
    const outcome = await runResourcePolicy(
      disallowPublicAccessPoint,
      createResourceValidationArgs(aws.s3.AccessPoint, props),
    );
    expect(outcome.violations.map((v) => v.message)).toEqual([
      flagMessage("blockPublicPolicy"),
      openMessage('Principal "*"'),
    ]);
  });

  it("does not apply to bucket policies", async () => {
    const args = createResourceValidationArgs(aws.s3.BucketPolicy, {
      bucket: BUCKET_NAME,
      policy: policyJson({ ...readerStatement(), Principal: "*" }),
    });
    await assertNoResourceViolations(disallowPublicAccessPoint, args);
  });
});
