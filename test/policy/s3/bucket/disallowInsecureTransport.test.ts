import * as aws from "@pulumi/aws";
import { disallowInsecureTransport } from "../../../../policy/s3";
import {
  assertHasStackViolations,
  assertNoStackViolations,
  createStackValidationArgs,
  fixtureUrn,
  metadataOf,
} from "../../../helpers/policy";
import {
  BUCKET_ARN,
  BUCKET_ID,
  BUCKET_NAME,
  guardedBucketStack,
  tlsOnlyStatement,
  withResource,
} from "../fixtures";

const BUCKET_URN = fixtureUrn(aws.s3.Bucket, "data");
const POLICY = "data-policy";
const MESSAGE = `Bucket "data" (s3://${BUCKET_NAME}) has no policy statement that denies insecure transport. Add a statement {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [<bucket arn>, <bucket arn>/*], "Condition": {"Bool": {"aws:SecureTransport": "false"}}} to its aws.s3.BucketPolicy.`;

const withStatement = (change: Record<string, unknown>) =>
  withResource(guardedBucketStack(), POLICY, {
    bucket: BUCKET_ID,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ ...tlsOnlyStatement(), ...change }],
    }),
  });

describe("s3-bucket-disallow-insecure-transport", () => {
  it("is named for what it forbids and advisory by default", () => {
    expect(metadataOf(disallowInsecureTransport)).toEqual({
      name: "s3-bucket-disallow-insecure-transport",
      enforcementLevel: "advisory",
    });
  });

  it("accepts the TLS-only deny statement", async () => {
    await assertNoStackViolations(
      disallowInsecureTransport,
      createStackValidationArgs(guardedBucketStack()),
    );
  });

  it("rejects a bucket without a bucket policy", async () => {
    const stack = withResource(guardedBucketStack(), POLICY, undefined);
    await assertHasStackViolations(disallowInsecureTransport, createStackValidationArgs(stack), [
      { message: MESSAGE, urn: BUCKET_URN },
    ]);
  });

  it.each([
    ["an Allow", { Effect: "Allow" }],
    [
      "a condition on another key",
      { Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } },
    ],
    ["only object-level resources", { Resource: `${BUCKET_ARN}/*` }],
    ["a narrower action", { Action: "s3:GetObject" }],
  ])("rejects %s instead of the deny", async (_label, change) => {
    await assertHasStackViolations(
      disallowInsecureTransport,
      createStackValidationArgs(withStatement(change)),
      [{ message: MESSAGE, urn: BUCKET_URN }],
    );
  });

  it('accepts the deny written with a boolean, Resource "*" and {"AWS": "*"}', async () => {
    const stack = withStatement({
      Principal: { AWS: "*" },
      Resource: "*",
      Condition: { Bool: { "aws:SecureTransport": false } },
    });
    await assertNoStackViolations(disallowInsecureTransport, createStackValidationArgs(stack));
  });
});
