import { disallowInsecureTransport } from "../../../../policy/s3";
import {
  assertHasStackViolations,
  assertNoStackViolations,
  describePolicyBasics,
} from "../../../helpers/policy";
import {
  BUCKET_ARN,
  BUCKET_NAME,
  guardedBucketStack,
  onBucket,
  tlsOnlyStatement,
  withChange,
  without,
} from "../fixtures";

const POLICY = "data-policy";
const MESSAGE = `Bucket "data" (s3://${BUCKET_NAME}) has no policy statement that denies insecure transport. Add a statement {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [<bucket arn>, <bucket arn>/*], "Condition": {"Bool": {"aws:SecureTransport": "false"}}} to its aws.s3.BucketPolicy.`;

const withStatement = (change: Record<string, unknown>) =>
  withChange(POLICY, {
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ ...tlsOnlyStatement(), ...change }],
    }),
  });

describe("s3-bucket-disallow-insecure-transport", () => {
  describePolicyBasics(disallowInsecureTransport, {
    name: "s3-bucket-disallow-insecure-transport",
    enforcementLevel: "advisory",
    baseline: { title: "accepts the TLS-only deny statement", args: guardedBucketStack },
  });

  it("rejects a bucket without a bucket policy", async () => {
    await assertHasStackViolations(disallowInsecureTransport, without(POLICY), [onBucket(MESSAGE)]);
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
    await assertHasStackViolations(disallowInsecureTransport, withStatement(change), [
      onBucket(MESSAGE),
    ]);
  });

  it('accepts the deny written with a boolean, Resource "*" and {"AWS": "*"}', async () => {
    const stack = withStatement({
      Principal: { AWS: "*" },
      Resource: "*",
      Condition: { Bool: { "aws:SecureTransport": false } },
    });
    await assertNoStackViolations(disallowInsecureTransport, stack);
  });
});
