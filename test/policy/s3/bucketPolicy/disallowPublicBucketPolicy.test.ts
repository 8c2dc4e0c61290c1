import * as aws from "@pulumi/aws";
import { disallowPublicBucketPolicy } from "../../../../policy/s3";
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs,
  describePolicyBasics,
  runResourcePolicy,
  UNKNOWN,
} from "../../../helpers/policy";
import { BUCKET_ARN, BUCKET_ID, tlsOnlyStatement } from "../fixtures";

const KEYS =
  "aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:SourceAccount, aws:SourceArn, aws:SourceOwner, aws:SourceOrgID, aws:SourceOrgPaths, aws:SourceVpc, aws:SourceVpce, aws:SourceIp, aws:userid, s3:DataAccessPointAccount, s3:DataAccessPointArn";

const readStatement = (): Record<string, unknown> => ({
  Sid: "PublicRead",
  Effect: "Allow",
  Principal: { AWS: "arn:aws:iam::123456789012:root" },
  Action: "s3:GetObject",
  Resource: `${BUCKET_ARN}/*`,
});

function policyArgs(statement: Record<string, unknown>, config: Record<string, unknown> = {}) {
  const policy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [tlsOnlyStatement(), statement],
  });
  return createResourceValidationArgs(aws.s3.BucketPolicy, { bucket: BUCKET_ID, policy }, config);
}

const openMessage = (principal: string, keys = KEYS) =>
  `\`policy\` statement 1 (Sid "PublicRead") allows ${principal} without a condition that narrows it to known callers. Name the principals (e.g. {"AWS": "arn:aws:iam::<account>:root"}) or add a condition such as {"StringEquals": {"aws:SourceVpce": "vpce-…"}} on one of: ${keys}.`;

describe("s3-bucket-policy-disallow-public-principal", () => {
  describePolicyBasics(disallowPublicBucketPolicy, {
    name: "s3-bucket-policy-disallow-public-principal",
    enforcementLevel: "mandatory",
    baseline: {
      title: 'accepts a named principal and a Deny with Principal "*"',
      args: () => policyArgs(readStatement()),
    },
  });

  it.each([
    ['"*"', "*"],
    ['{"AWS":"*"}', { AWS: "*" }],
    [
      '{"AWS":["arn:aws:iam::123456789012:root","*"]}',
      { AWS: ["arn:aws:iam::123456789012:root", "*"] },
    ],
  ])("rejects Allow to Principal %s", async (shown, principal) => {
    await assertHasResourceViolation(
      disallowPublicBucketPolicy,
      policyArgs({ ...readStatement(), Principal: principal }),
      openMessage(`Principal ${shown}`),
    );
  });

  it.each([
    [
      '{"Federated":"cognito-identity.amazonaws.com"}',
      { Federated: "cognito-identity.amazonaws.com" },
    ],
    [
      '{"Federated":["accounts.google.com","graph.facebook.com"]}',
      { Federated: ["accounts.google.com", "graph.facebook.com"] },
    ],
  ])(
    "rejects Allow to a federated identity provider %s, which AWS counts as public",
    async (shown, principal) => {
      await assertHasResourceViolation(
        disallowPublicBucketPolicy,
        policyArgs({ ...readStatement(), Principal: principal }),
        openMessage(`Principal ${shown}`),
      );
    },
  );

  it("accepts a federated principal narrowed to the account", async () => {
    const statement = {
      ...readStatement(),
      Principal: { Federated: "cognito-identity.amazonaws.com" },
      Condition: { StringEquals: { "aws:PrincipalAccount": "123456789012" } },
    };
    await assertNoResourceViolations(disallowPublicBucketPolicy, policyArgs(statement));
  });

  it("rejects Allow with NotPrincipal, which allows everyone else", async () => {
    const statement = {
      ...readStatement(),
      Principal: undefined,
      NotPrincipal: { AWS: "arn:aws:iam::1:root" },
    };
    await assertHasResourceViolation(
      disallowPublicBucketPolicy,
      policyArgs(statement),
      openMessage('NotPrincipal {"AWS":"arn:aws:iam::1:root"}'),
    );
  });

  it.each([
    ["the account", { StringEquals: { "aws:PrincipalAccount": "123456789012" } }],
    ["a VPC endpoint", { StringEquals: { "aws:SourceVpce": ["vpce-0abc"] } }],
    ["a VPC", { StringLike: { "aws:sourcevpc": "vpc-0abc" } }],
    ["the organisation", { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } }],
    [
      "a named role",
      { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/reader" } },
    ],
    [
      "the account's access points",
      { StringEquals: { "s3:DataAccessPointAccount": "123456789012" } },
    ],
    [
      "one access point",
      {
        ArnLike: {
          "s3:DataAccessPointArn": "arn:aws:s3:us-east-1:123456789012:accesspoint/reader",
        },
      },
    ],
  ])('accepts Principal "*" narrowed to %s', async (_label, condition) => {
    const statement = { ...readStatement(), Principal: "*", Condition: condition };
    await assertNoResourceViolations(disallowPublicBucketPolicy, policyArgs(statement));
  });

  it.each([
    ["a negated operator", { StringNotEquals: { "aws:SourceVpce": "vpce-0abc" } }],
    ["an IfExists operator", { StringEqualsIfExists: { "aws:SourceVpce": "vpce-0abc" } }],
    ["a wildcard value", { StringLike: { "aws:SourceVpce": "vpce-*" } }],
    ["a key that does not name the caller", { StringEquals: { "s3:prefix": "public/" } }],
    ["a negated organisation", { StringNotEquals: { "aws:PrincipalOrgID": "o-abc123" } }],
    [
      "an IfExists principal ARN",
      { ArnLikeIfExists: { "aws:PrincipalArn": "arn:aws:iam::1:root" } },
    ],
    ["a wildcard principal ARN", { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/reader" } }],
    ["a wildcard access point", { StringLike: { "s3:DataAccessPointArn": "arn:aws:s3:*" } }],
  ])('rejects Principal "*" with %s', async (_label, condition) => {
    const statement = { ...readStatement(), Principal: "*", Condition: condition };
    await assertHasResourceViolation(
      disallowPublicBucketPolicy,
      policyArgs(statement),
      openMessage('Principal "*"'),
    );
  });

  it("takes the narrowing keys from config", async () => {
    const statement = {
      ...readStatement(),
      Principal: "*",
      Condition: { StringEquals: { "aws:ResourceAccount": "123456789012" } },
    };
    const config = { narrowingConditionKeys: ["aws:ResourceAccount"] };
    await assertNoResourceViolations(disallowPublicBucketPolicy, policyArgs(statement, config));
    await assertHasResourceViolation(
      disallowPublicBucketPolicy,
      policyArgs(statement),
      openMessage('Principal "*"'),
    );
  });

  it("accepts a policy given as an object and a single Statement", async () => {
    const args = createResourceValidationArgs(aws.s3.BucketPolicy, {
      bucket: BUCKET_ID,
      policy: { Version: "2012-10-17", Statement: readStatement() },
    });
    await assertNoResourceViolations(disallowPublicBucketPolicy, args);
  });

  it("rejects a policy it cannot read", async () => {
    const args = createResourceValidationArgs(aws.s3.BucketPolicy, {
      bucket: BUCKET_ID,
      policy: "{not json",
    });
    await assertHasResourceViolation(
      disallowPublicBucketPolicy,
      args,
      "`policy` is not valid JSON, so it cannot be checked for public access. Give a valid IAM policy document.",
    );
  });

  it("checks the legacy inline policy of a Bucket", async () => {
    const policy = JSON.stringify({ Statement: [{ ...readStatement(), Principal: "*" }] });
    const outcome = await runResourcePolicy(
      disallowPublicBucketPolicy,
      createResourceValidationArgs(aws.s3.Bucket, { bucket: "b", policy }),
    );
    expect(outcome.violations.map((v) => v.message)).toEqual([
      openMessage('Principal "*"').replace("statement 1", "statement 0"),
    ]);
  });

  describe("the two principals the authorities disagree on (docs/policy.md)", () => {
    const SAML = "arn:aws:iam::123456789012:saml-provider/corp-idp";

    it("rejects a fixed-account ARN with a wildcard role name, and shows the form AWS accepts", async () => {
      await assertHasResourceViolation(
        disallowPublicBucketPolicy,
        policyArgs({ ...readStatement(), Principal: { AWS: "arn:aws:iam::123456789012:role/*" } }),
        '`policy` statement 1 (Sid "PublicRead") allows Principal {"AWS":"arn:aws:iam::123456789012:role/*"}, a wildcard inside a principal ARN: S3 counts it as public, and IAM refuses it ("You cannot use a wildcard to match part of a principal name or ARN"). To admit only principals of account 123456789012, name {"AWS": "arn:aws:iam::123456789012:root"} with the condition {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/*"}}.',
      );
    });

    it("accepts the form it suggests instead", async () => {
      await assertNoResourceViolations(
        disallowPublicBucketPolicy,
        policyArgs({
          ...readStatement(),
          Principal: { AWS: "arn:aws:iam::123456789012:root" },
          Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/*" } },
        }),
      );
    });

    it("accepts a Federated SAML provider by default", async () => {
      await assertNoResourceViolations(
        disallowPublicBucketPolicy,
        policyArgs({ ...readStatement(), Principal: { Federated: SAML } }),
      );
    });

    it("leaves a provider ARN not known yet (a preview) to the host's note", async () => {
      // An object document (aws-native) keeps the unknown where it is; a JSON text would be
      // unknown as a whole.
      const args = createResourceValidationArgs("aws-native:s3:BucketPolicy", {
        bucket: BUCKET_ID,
        policyDocument: { Statement: [{ ...readStatement(), Principal: { Federated: UNKNOWN } }] },
      });
      expect(await runResourcePolicy(disallowPublicBucketPolicy, args)).toEqual({
        violations: [],
        unknown:
          "string value at .policyDocument.Statement.0.Principal.Federated can't be known during preview",
      });
    });

    it("rejects it when samlProvidersArePublic is true", async () => {
      await assertHasResourceViolation(
        disallowPublicBucketPolicy,
        policyArgs(
          { ...readStatement(), Principal: { Federated: SAML } },
          { samlProvidersArePublic: true },
        ),
        openMessage(`Principal {"Federated":"${SAML}"}`),
      );
    });
  });
});
