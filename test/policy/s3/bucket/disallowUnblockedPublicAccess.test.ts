import * as aws from "@pulumi/aws";
import { disallowUnblockedPublicAccess } from "../../../../policy/s3";
import {
  assertHasStackViolations,
  assertNoStackViolations,
  createStackValidationArgs,
  describePolicyBasics,
  fixtureUrn,
  runStackPolicy,
  UNKNOWN,
} from "../../../helpers/policy";
import {
  baselineProps,
  BUCKET_NAME,
  BUCKET_URN,
  guardedBucketStack,
  onBucket,
  withChange,
  without,
  withResource,
  withUnknownBucket,
} from "../fixtures";

const BLOCK = "data-public-access-block";

describe("s3-bucket-disallow-unblocked-public-access", () => {
  describePolicyBasics(disallowUnblockedPublicAccess, {
    name: "s3-bucket-disallow-unblocked-public-access",
    enforcementLevel: "mandatory",
    baseline: { title: "accepts a block that names the bucket by id", args: guardedBucketStack },
  });

  it("accepts a block that names the bucket by name", async () => {
    await assertNoStackViolations(
      disallowUnblockedPublicAccess,
      withChange(BLOCK, { bucket: BUCKET_NAME }),
    );
  });

  it("rejects a bucket without a block", async () => {
    await assertHasStackViolations(disallowUnblockedPublicAccess, without(BLOCK), [
      onBucket(
        `Bucket "data" (s3://${BUCKET_NAME}) has no public access block. Add an aws.s3.BucketPublicAccessBlock with \`bucket\` set to this bucket's id and blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.`,
      ),
    ]);
  });

  it("rejects a block for another bucket", async () => {
    const outcome = await runStackPolicy(
      disallowUnblockedPublicAccess,
      createStackValidationArgs(withChange(BLOCK, { bucket: "someone-else" })),
    );
    expect(outcome.violations.map((v) => v.urn)).toEqual([BUCKET_URN]);
  });

  it.each(["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])(
    "rejects a block with %s false",
    async (flag) => {
      await assertHasStackViolations(
        disallowUnblockedPublicAccess,
        withChange(BLOCK, { [flag]: false }),
        [
          onBucket(
            `Bucket "data" (s3://${BUCKET_NAME}) has public access block "${BLOCK}" with ${flag} not true. Set all four flags (blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets) to true.`,
          ),
        ],
      );
    },
  );

  it("treats an omitted flag as off", async () => {
    const props = baselineProps(BLOCK);
    delete props["restrictPublicBuckets"];
    const outcome = await runStackPolicy(
      disallowUnblockedPublicAccess,
      createStackValidationArgs(withResource(guardedBucketStack(), BLOCK, props)),
    );
    expect(outcome.violations.map((v) => v.message)).toEqual([
      expect.stringContaining("with restrictPublicBuckets not true"),
    ]);
  });

  it("matches a preview's unknown reference through the engine's property dependencies", async () => {
    await assertNoStackViolations(disallowUnblockedPublicAccess, withUnknownBucket(BLOCK));
  });

  it("leaves an undecidable bucket to the host's preview note instead of guessing", async () => {
    const outcome = await runStackPolicy(
      disallowUnblockedPublicAccess,
      createStackValidationArgs(withChange(BLOCK, { bucket: UNKNOWN })),
    );
    expect(outcome).toEqual({
      violations: [],
      unknown: "string value at .bucket can't be known during preview",
    });
  });

  it("still reports a definite violation when another bucket is undecidable", async () => {
    const logs = {
      type: aws.s3.BucketV2,
      name: "logs",
      props: { bucket: "logs-bucket", id: "logs-bucket" },
    };
    const stack = [...withChange(BLOCK, { bucket: UNKNOWN }), logs];
    const args = createStackValidationArgs(stack);
    // The unknown reference could be either bucket, so neither is reported as missing a block...
    expect((await runStackPolicy(disallowUnblockedPublicAccess, args)).violations).toEqual([]);
    // ...but a reference known to be another bucket's leaves "logs" definitely unguarded.
    const known = createStackValidationArgs([...withUnknownBucket(BLOCK), logs]);
    expect(await runStackPolicy(disallowUnblockedPublicAccess, known)).toEqual({
      violations: [
        {
          message: expect.stringContaining(
            'Bucket "logs" (s3://logs-bucket) has no public access block.',
          ),
          urn: fixtureUrn(aws.s3.BucketV2, "logs"),
        },
      ],
    });
  });
});

describe("s3-bucket-disallow-unblocked-public-access with an account-level block", () => {
  const ACCOUNT_BLOCK = "account-public-access-block";
  const accountBlock = (change: Record<string, unknown> = {}, provider?: string) => ({
    type: aws.s3.AccountPublicAccessBlock,
    name: ACCOUNT_BLOCK,
    props: {
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
      ...change,
    },
    ...(provider === undefined ? {} : { provider }),
  });

  it("accepts a bucket without its own block when the stack closes the whole account", async () => {
    await assertNoStackViolations(disallowUnblockedPublicAccess, [
      ...without(BLOCK),
      accountBlock(),
    ]);
  });

  it("accepts a bucket whose own block is open when the account block is closed (S3 applies the stricter)", async () => {
    await assertNoStackViolations(disallowUnblockedPublicAccess, [
      ...withChange(BLOCK, { blockPublicPolicy: false }),
      accountBlock(),
    ]);
  });

  it.each(["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])(
    "rejects a bucket without its own block when the account block has %s false",
    async (flag) => {
      await assertHasStackViolations(
        disallowUnblockedPublicAccess,
        [...without(BLOCK), accountBlock({ [flag]: false })],
        [
          onBucket(
            `Bucket "data" (s3://${BUCKET_NAME}) has no public access block. Add an aws.s3.BucketPublicAccessBlock with \`bucket\` set to this bucket's id and blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true. Account public access block "${ACCOUNT_BLOCK}" has ${flag} not true, so it does not close the bucket either.`,
          ),
        ],
      );
    },
  );

  it("rejects a bucket whose account block is declared through another provider (another account)", async () => {
    await assertHasStackViolations(
      disallowUnblockedPublicAccess,
      [...without(BLOCK), accountBlock({}, "other-account")],
      [
        onBucket(
          `Bucket "data" (s3://${BUCKET_NAME}) has no public access block. Add an aws.s3.BucketPublicAccessBlock with \`bucket\` set to this bucket's id and blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true. Account public access block "${ACCOUNT_BLOCK}" is not counted: it comes through provider "other-account" and the bucket through the default provider, which may be another account, and an account block closes only its own account. Declare the account block through the bucket's provider, or keep the bucket's own block.`,
        ),
      ],
    );
  });

  it("accepts the account block when bucket and block share an explicit provider", async () => {
    const stack = without(BLOCK).map((r) => (r.name === "data" ? { ...r, provider: "prod" } : r));
    await assertNoStackViolations(disallowUnblockedPublicAccess, [
      ...stack,
      accountBlock({}, "prod"),
    ]);
  });

  it("leaves the verdict to the host's preview note when the account block's flag is unknown", async () => {
    const outcome = await runStackPolicy(
      disallowUnblockedPublicAccess,
      createStackValidationArgs([...without(BLOCK), accountBlock({ ignorePublicAcls: UNKNOWN })]),
    );
    expect(outcome).toEqual({
      violations: [],
      unknown: "string value at .ignorePublicAcls can't be known during preview",
    });
  });
});
