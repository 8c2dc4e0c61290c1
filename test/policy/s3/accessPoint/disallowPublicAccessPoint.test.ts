import * as aws from "@pulumi/aws";
import { disallowPublicAccessPoint } from "../../../../policy/s3";
import {
  assertHasResourceViolation,
  assertHasStackViolations,
  assertNoResourceViolations,
  assertNoStackViolations,
  createResourceValidationArgs,
  createStackValidationArgs,
  fixtureUrn,
  metadataOf,
  ResourceType,
  runResourcePolicy,
  runStackPolicy,
  StackResourceSpec,
  UNKNOWN,
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
  it("is named for what it forbids and mandatory by default", () => {
    expect(metadataOf(disallowPublicAccessPoint)).toEqual({
      name: "s3-access-point-disallow-public-access",
      enforcementLevel: "mandatory",
    });
  });

  it("accepts an access point with its block on and a policy naming a role", async () => {
    await assertNoResourceViolations(
      disallowPublicAccessPoint,
      createResourceValidationArgs(aws.s3.AccessPoint, accessPointProps()),
    );
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

  describe("an access point only a VPC can reach (network origin VPC)", () => {
    const open = () => policyJson({ ...readerStatement(), Principal: "*" });

    it.each([
      ["aws.s3.AccessPoint", aws.s3.AccessPoint],
      ["aws-native s3:AccessPoint", "aws-native:s3:AccessPoint"],
      ["aws-native s3express:AccessPoint", "aws-native:s3express:AccessPoint"],
      ["aws-native s3outposts:AccessPoint", "aws-native:s3outposts:AccessPoint"],
    ] as [string, ResourceType][])(
      "%s with an open policy passes: S3 counts it as non-public",
      async (_label, type) => {
        const props = {
          ...accessPointProps(),
          vpcConfiguration: { vpcId: "vpc-0abc" },
          policy: open(),
        };
        await assertNoResourceViolations(
          disallowPublicAccessPoint,
          createResourceValidationArgs(type, props),
        );
      },
    );

    it("still reports a policy that cannot be read", async () => {
      const props = { ...accessPointProps(), vpcConfiguration: { vpcId: "vpc-0abc" }, policy: "{" };
      await assertHasResourceViolation(
        disallowPublicAccessPoint,
        createResourceValidationArgs(aws.s3.AccessPoint, props),
        "`policy` is not valid JSON, so it cannot be checked for public access. Give a valid IAM policy document.",
      );
    });

    it("passes while the VPC's id is not known yet (the VPC is created in the same preview)", async () => {
      const props = { ...accessPointProps(), vpcConfiguration: { vpcId: UNKNOWN }, policy: open() };
      await assertNoResourceViolations(
        disallowPublicAccessPoint,
        createResourceValidationArgs(aws.s3.AccessPoint, props),
      );
    });

    it("passes once deployed, from the computed networkOrigin output", async () => {
      const props = { ...accessPointProps(), networkOrigin: "VPC", policy: open() };
      await assertNoResourceViolations(
        disallowPublicAccessPoint,
        createResourceValidationArgs(aws.s3.AccessPoint, props),
      );
    });

    it("does not guess when the whole vpcConfiguration is unknown: the host's preview note", async () => {
      const props = { ...accessPointProps(), vpcConfiguration: UNKNOWN, policy: open() };
      expect(
        await runResourcePolicy(
          disallowPublicAccessPoint,
          createResourceValidationArgs(aws.s3.AccessPoint, props),
        ),
      ).toEqual({
        violations: [],
        unknown: "string value at .vpcConfiguration can't be known during preview",
      });
    });

    it("still reports a block flag turned off (the flags stay closed on every access point)", async () => {
      const props = {
        ...accessPointProps(),
        vpcConfiguration: { vpcId: "vpc-0abc" },
        publicAccessBlockConfiguration: { blockPublicPolicy: false },
        policy: open(),
      };
      await assertHasResourceViolation(
        disallowPublicAccessPoint,
        createResourceValidationArgs(aws.s3.AccessPoint, props),
        flagMessage("blockPublicPolicy"),
      );
    });
  });

  describe("a separate aws.s3control.AccessPointPolicy, matched to its access point in the stack", () => {
    const POLICY_URN = fixtureUrn(aws.s3control.AccessPointPolicy, "reader-policy");
    const accessPoint = (change: Record<string, unknown> = {}): StackResourceSpec => ({
      type: aws.s3.AccessPoint,
      name: "reader",
      props: { bucket: BUCKET_NAME, name: "reader", arn: AP_ARN, ...change },
    });
    const policyResource = (
      principal: unknown,
      change: Record<string, unknown> = {},
      dependsOnAccessPoint = false,
    ): StackResourceSpec => ({
      type: aws.s3control.AccessPointPolicy,
      name: "reader-policy",
      props: {
        accessPointArn: AP_ARN,
        policy: policyJson({ ...readerStatement(), Principal: principal }),
        ...change,
      },
      ...(dependsOnAccessPoint ? { propertyDependencies: { accessPointArn: ["reader"] } } : {}),
    });

    it("is not judged by the resource check, which cannot see the access point", async () => {
      const args = createResourceValidationArgs(aws.s3control.AccessPointPolicy, {
        accessPointArn: AP_ARN,
        policy: policyJson({ ...readerStatement(), Principal: "*" }),
      });
      await assertNoResourceViolations(disallowPublicAccessPoint, args);
    });

    it('rejects "*" on an access point the internet can reach, on the policy resource', async () => {
      await assertHasStackViolations(
        disallowPublicAccessPoint,
        [accessPoint(), policyResource("*")],
        [{ message: openMessage('Principal "*"'), urn: POLICY_URN }],
      );
    });

    it('accepts "*" on an access point whose ARN it names and that only a VPC can reach', async () => {
      await assertNoStackViolations(disallowPublicAccessPoint, [
        accessPoint({ vpcConfiguration: { vpcId: "vpc-0abc" }, networkOrigin: "VPC" }),
        policyResource("*"),
      ]);
    });

    it("reports a separate policy that cannot be read, even on a VPC access point", async () => {
      await assertHasStackViolations(
        disallowPublicAccessPoint,
        [
          accessPoint({ vpcConfiguration: { vpcId: "vpc-0abc" } }),
          policyResource("*", { policy: "{" }),
        ],
        [
          {
            message:
              "`policy` is not valid JSON, so it cannot be checked for public access. Give a valid IAM policy document.",
            urn: POLICY_URN,
          },
        ],
      );
    });

    it("finds the access point during a preview through the engine's dependency record", async () => {
      await assertNoStackViolations(disallowPublicAccessPoint, [
        accessPoint({ arn: UNKNOWN, vpcConfiguration: { vpcId: UNKNOWN } }),
        policyResource("*", { accessPointArn: UNKNOWN }, true),
      ]);
    });

    it("finds a new access point, whose ARN is not computed yet, by the name a fixed ARN gives", async () => {
      await assertNoStackViolations(disallowPublicAccessPoint, [
        accessPoint({ arn: UNKNOWN, vpcConfiguration: { vpcId: "vpc-0abc" } }),
        policyResource("*"),
      ]);
    });

    it("judges the policy alone, and says so, when its access point is not in the stack", async () => {
      const elsewhere = "arn:aws:s3:us-east-1:123456789012:accesspoint/elsewhere";
      await assertHasStackViolations(
        disallowPublicAccessPoint,
        [
          accessPoint({ vpcConfiguration: { vpcId: "vpc-0abc" } }),
          policyResource("*", { accessPointArn: elsewhere }),
        ],
        [
          {
            message:
              openMessage('Principal "*"') +
              ` Its access point ${elsewhere} is not declared in this stack, so its network origin cannot be read and the policy is judged alone (an access point only a VPC can reach would be non-public).`,
            urn: POLICY_URN,
          },
        ],
      );
    });

    it("does not guess when the policy's access point cannot be told during a preview", async () => {
      const outcome = await runStackPolicy(
        disallowPublicAccessPoint,
        createStackValidationArgs([
          accessPoint(),
          policyResource("*", { accessPointArn: UNKNOWN }),
        ]),
      );
      expect(outcome).toEqual({
        violations: [],
        unknown: "string value at .accessPointArn can't be known during preview",
      });
    });

    it('accepts an AccessPointPolicy allowing "*" narrowed to the organisation', async () => {
      await assertNoStackViolations(disallowPublicAccessPoint, [
        accessPoint(),
        policyResource("*", {
          policy: policyJson({
            ...readerStatement(),
            Principal: "*",
            Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
          }),
        }),
      ]);
    });
  });
});
