import * as aws from "@pulumi/aws";
import { disallowUnguardedSnapshotBucket, SNAPSHOT_TYPE } from "../../../../policy/s3";
import {
  assertHasStackViolations,
  assertNoStackViolations,
  createStackValidationArgs,
  fixtureUrn,
  metadataOf,
  runStackPolicy,
  UNKNOWN,
} from "../../../helpers/policy";
import { baselineProps, BUCKET_NAME, guardedBucketStack, withResource } from "../fixtures";

const SNAPSHOT_URN = fixtureUrn(SNAPSHOT_TYPE, "coins");
const withSnapshotBucket = (bucket: string) =>
  withResource(guardedBucketStack(), "coins", { ...baselineProps("coins"), bucket });

describe("s3-snapshot-disallow-unguarded-bucket", () => {
  it("is named for what it forbids and mandatory by default", () => {
    expect(metadataOf(disallowUnguardedSnapshotBucket)).toEqual({
      name: "s3-snapshot-disallow-unguarded-bucket",
      enforcementLevel: "mandatory",
    });
  });

  it("accepts a Snapshot into the guarded bucket, by id or by name", async () => {
    await assertNoStackViolations(
      disallowUnguardedSnapshotBucket,
      createStackValidationArgs(guardedBucketStack()),
    );
    await assertNoStackViolations(
      disallowUnguardedSnapshotBucket,
      createStackValidationArgs(withSnapshotBucket(BUCKET_NAME)),
    );
  });

  it("rejects a Snapshot into a bucket this stack does not declare", async () => {
    await assertHasStackViolations(
      disallowUnguardedSnapshotBucket,
      createStackValidationArgs(withSnapshotBucket("elsewhere")),
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
    const stack = withResource(guardedBucketStack(), rail, undefined);
    const outcome = await runStackPolicy(
      disallowUnguardedSnapshotBucket,
      createStackValidationArgs(stack),
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
    const stack = guardedBucketStack().map((r) =>
      r.name === "coins"
        ? {
            ...r,
            props: { ...r.props, bucket: UNKNOWN },
            propertyDependencies: { bucket: ["data"] },
          }
        : r,
    );
    await assertNoStackViolations(
      disallowUnguardedSnapshotBucket,
      createStackValidationArgs(stack),
    );
  });

  it("is not applicable to stacks without Snapshots", async () => {
    const stack = guardedBucketStack().filter((r) => r.type !== SNAPSHOT_TYPE);
    await assertNoStackViolations(
      disallowUnguardedSnapshotBucket,
      createStackValidationArgs(stack),
    );
  });

  it("ignores buckets no Snapshot writes to", async () => {
    const stack = [
      ...guardedBucketStack(),
      { type: aws.s3.Bucket, name: "bare", props: { bucket: "bare" } },
    ];
    await assertNoStackViolations(
      disallowUnguardedSnapshotBucket,
      createStackValidationArgs(stack),
    );
  });
});
