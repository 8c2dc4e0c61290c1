import * as aws from "@pulumi/aws";
import { disallowOpenVpcAccessPointPolicy } from "../../../../policy/s3";
import {
  assertHasStackViolations,
  assertNoStackViolations,
  describePolicyBasics,
  fixtureUrn,
  StackResourceSpec,
  UNKNOWN,
} from "../../../helpers/policy";
import { BUCKET_NAME } from "../fixtures";

const AP_ARN = "arn:aws:s3:us-east-1:123456789012:accesspoint/reader";
const AP_URN = fixtureUrn(aws.s3.AccessPoint, "reader");

const openPolicy = () =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Vpc",
        Effect: "Allow",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: `${AP_ARN}/object/*`,
      },
    ],
  });

const accessPoint = (change: Record<string, unknown>): StackResourceSpec => ({
  type: aws.s3.AccessPoint,
  name: "reader",
  props: { bucket: BUCKET_NAME, name: "reader", arn: AP_ARN, ...change },
});

const vpc: StackResourceSpec = { type: aws.ec2.Vpc, name: "main", props: { id: UNKNOWN } };

const KEYS =
  "aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:SourceAccount, aws:SourceArn, aws:SourceOwner, aws:SourceOrgID, aws:SourceOrgPaths, aws:SourceVpc, aws:SourceVpce, aws:SourceIp, aws:userid, s3:DataAccessPointAccount, s3:DataAccessPointArn";

const note = (subject: string, reach: string) =>
  `${subject} can be reached only from ${reach} (network origin VPC), so S3 counts it as non-public whatever its policy says; but it lets in anyone who can send requests from that VPC: \`policy\` statement 0 (Sid "Vpc") allows Principal "*" without a condition that narrows it to known callers. Name the principals (e.g. {"AWS": "arn:aws:iam::<account>:root"}) or add a condition such as {"StringEquals": {"aws:SourceVpce": "vpce-…"}} on one of: ${KEYS}.`;

describe("s3-access-point-disallow-open-vpc-policy", () => {
  describePolicyBasics(disallowOpenVpcAccessPointPolicy, {
    name: "s3-access-point-disallow-open-vpc-policy",
    enforcementLevel: "advisory",
    baseline: {
      title: "accepts a VPC access point whose policy names its callers",
      args: () => [accessPoint({ vpcConfiguration: { vpcId: "vpc-0abc" } })],
    },
  });

  it("notes an open policy on a VPC-only access point, naming the VPC", async () => {
    await assertHasStackViolations(
      disallowOpenVpcAccessPointPolicy,
      [accessPoint({ vpcConfiguration: { vpcId: "vpc-0abc" }, policy: openPolicy() })],
      [{ message: note('Access point "reader"', "VPC vpc-0abc"), urn: AP_URN }],
    );
  });

  it("names the VPC resource during a preview, when its id is not known yet", async () => {
    const ap = {
      ...accessPoint({ vpcConfiguration: { vpcId: UNKNOWN }, policy: openPolicy() }),
      propertyDependencies: { vpcConfiguration: ["main"] },
    };
    await assertHasStackViolations(
      disallowOpenVpcAccessPointPolicy,
      [vpc, ap],
      [
        {
          message: note('Access point "reader"', 'the VPC of aws:ec2/vpc:Vpc "main"'),
          urn: AP_URN,
        },
      ],
    );
  });

  it("notes a separate AccessPointPolicy on its VPC access point, on the policy resource", async () => {
    const policy: StackResourceSpec = {
      type: aws.s3control.AccessPointPolicy,
      name: "reader-policy",
      props: { accessPointArn: AP_ARN, policy: openPolicy() },
    };
    await assertHasStackViolations(
      disallowOpenVpcAccessPointPolicy,
      [accessPoint({ vpcConfiguration: { vpcId: "vpc-0abc" } }), policy],
      [
        {
          message: note('Access point "reader" (policy "reader-policy")', "VPC vpc-0abc"),
          urn: fixtureUrn(aws.s3control.AccessPointPolicy, "reader-policy"),
        },
      ],
    );
  });

  it("leaves an internet access point to the mandatory policy", async () => {
    await assertNoStackViolations(disallowOpenVpcAccessPointPolicy, [
      accessPoint({ policy: openPolicy() }),
    ]);
  });

  it("leaves a policy that cannot be read to the mandatory policy", async () => {
    await assertNoStackViolations(disallowOpenVpcAccessPointPolicy, [
      accessPoint({ vpcConfiguration: { vpcId: "vpc-0abc" }, policy: "{" }),
    ]);
  });
});
