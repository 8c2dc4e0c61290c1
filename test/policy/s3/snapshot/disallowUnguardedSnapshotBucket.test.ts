import * as aws from "@pulumi/aws";
import { disallowUnguardedSnapshotBucket, SNAPSHOT_TYPE } from "../../../../policy/s3";
import {
  assertHasStackViolations,
  assertNoStackViolations,
  createStackValidationArgs,
  describePolicyBasics,
  runStackPolicy,
} from "../../../helpers/policy";
import {
  BUCKET_NAME,
  guardedBucketStack,
  SNAPSHOT_URN,
  withChange,
  without,
  withUnknownBucket,
} from "../fixtures";

const withSnapshotBucket = (bucket: string) => withChange("coins", { bucket });

describe("s3-snapshot-disallow-unguarded-bucket", () => {
  describePolicyBasics(disallowUnguardedSnapshotBucket, {
    name: "s3-snapshot-disallow-unguarded-bucket",
    enforcementLevel: "mandatory",
  });

  it("accepts a Snapshot into the guarded bucket, by id or by name", async () => {
    await assertNoStackViolations(disallowUnguardedSnapshotBucket, guardedBucketStack());
    await assertNoStackViolations(disallowUnguardedSnapshotBucket, withSnapshotBucket(BUCKET_NAME));
  });

  it("accepts a Snapshot into a bucket closed by the stack's account-level block instead of its own", async () => {
    const accountBlock = (restrictPublicBuckets: boolean) => ({
      type: aws.s3.AccountPublicAccessBlock,
      name: "account-block",
      props: {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets,
      },
    });
    await assertNoStackViolations(disallowUnguardedSnapshotBucket, [
      ...without("data-public-access-block"),
      accountBlock(true),
    ]);
    await assertHasStackViolations(
      disallowUnguardedSnapshotBucket,
      [...without("data-public-access-block"), accountBlock(false)],
      [
        {
          message: `Snapshot "coins" writes into an unguarded bucket: Bucket "data" (s3://${BUCKET_NAME}) has no public access block. Add an aws.s3.BucketPublicAccessBlock with \`bucket\` set to this bucket's id and blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true. Account public access block "account-block" has restrictPublicBuckets not true, so it does not close the bucket either.`,
          urn: SNAPSHOT_URN,
        },
      ],
    );
  });

  it("rejects a Snapshot into a bucket this stack does not declare", async () => {
    await assertHasStackViolations(
      disallowUnguardedSnapshotBucket,
      withSnapshotBucket("elsewhere"),
      [
        {
          message:
            'Snapshot "coins" writes to bucket "elsewhere", which is not declared in this stack, so its public access block, ownership and encryption cannot be verified. Create the bucket with PrivateBucket in this stack and pass its id as `bucket`.',
          urn: SNAPSHOT_URN,
        },
      ],
    );
  });

  it.each([
    ["data-public-access-block", "has no public access block."],
    ["data-ownership", "has no ownership controls."],
    ["data-encryption", "has no default encryption."],
  ])("rejects a Snapshot into a bucket missing %s", async (rail, problem) => {
    const outcome = await runStackPolicy(
      disallowUnguardedSnapshotBucket,
      createStackValidationArgs(without(rail)),
    );
    expect(outcome.violations).toEqual([
      {
        message: expect.stringContaining(
          `Snapshot "coins" writes into an unguarded bucket: Bucket "data" (s3://${BUCKET_NAME}) ${problem}`,
        ),
        urn: SNAPSHOT_URN,
      },
    ]);
  });

  it("is satisfied in preview when the engine says which bucket the unknown reference came from", async () => {
    await assertNoStackViolations(disallowUnguardedSnapshotBucket, withUnknownBucket("coins"));
  });

  it("is not applicable to stacks without Snapshots", async () => {
    const stack = guardedBucketStack().filter((r) => r.type !== SNAPSHOT_TYPE);
    await assertNoStackViolations(disallowUnguardedSnapshotBucket, stack);
  });

  it("ignores buckets no Snapshot writes to", async () => {
    const stack = [
      ...guardedBucketStack(),
      { type: aws.s3.Bucket, name: "bare", props: { bucket: "bare" } },
    ];
    await assertNoStackViolations(disallowUnguardedSnapshotBucket, stack);
  });
});
