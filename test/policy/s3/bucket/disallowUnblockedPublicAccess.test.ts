import * as aws from "@pulumi/aws";
import { disallowUnblockedPublicAccess } from "../../../../policy/s3";
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

const BUCKET_URN = fixtureUrn(aws.s3.Bucket, "data");
const BLOCK = "data-public-access-block";

describe("s3-bucket-disallow-unblocked-public-access", () => {
  it("is named for what it forbids and mandatory by default", () => {
    expect(metadataOf(disallowUnblockedPublicAccess)).toEqual({
      name: "s3-bucket-disallow-unblocked-public-access",
      enforcementLevel: "mandatory",
    });
  });

  it("accepts a block that names the bucket by id", async () => {
    await assertNoStackViolations(
      disallowUnblockedPublicAccess,
      createStackValidationArgs(guardedBucketStack()),
    );
  });

  it("accepts a block that names the bucket by name", async () => {
    const stack = withResource(guardedBucketStack(), BLOCK, {
      ...baselineProps(BLOCK),
      bucket: BUCKET_NAME,
    });
    await assertNoStackViolations(disallowUnblockedPublicAccess, createStackValidationArgs(stack));
  });

  it("rejects a bucket without a block", async () => {
    const stack = withResource(guardedBucketStack(), BLOCK, undefined);
    await assertHasStackViolations(
      disallowUnblockedPublicAccess,
      createStackValidationArgs(stack),
      [
        {
          message: `Bucket "data" (s3://${BUCKET_NAME}) has no public access block. Add an aws.s3.BucketPublicAccessBlock with \`bucket\` set to this bucket's id and blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.`,
          urn: BUCKET_URN,
        },
      ],
    );
  });

  it("rejects a block for another bucket", async () => {
    const stack = withResource(guardedBucketStack(), BLOCK, {
      ...baselineProps(BLOCK),
      bucket: "someone-else",
    });
    const outcome = await runStackPolicy(
      disallowUnblockedPublicAccess,
      createStackValidationArgs(stack),
    );
    expect(outcome.violations.map((v) => v.urn)).toEqual([BUCKET_URN]);
  });

  it.each(["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])(
    "rejects a block with %s false",
    async (flag) => {
      const stack = withResource(guardedBucketStack(), BLOCK, {
        ...baselineProps(BLOCK),
        [flag]: false,
      });
      await assertHasStackViolations(
        disallowUnblockedPublicAccess,
        createStackValidationArgs(stack),
        [
          {
            message: `Bucket "data" (s3://${BUCKET_NAME}) has public access block "${BLOCK}" with ${flag} not true. Set all four flags (blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets) to true.`,
            urn: BUCKET_URN,
          },
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
    const stack = guardedBucketStack().map((r) =>
      r.name === BLOCK
        ? {
            ...r,
            props: { ...r.props, bucket: UNKNOWN },
            propertyDependencies: { bucket: ["data"] },
          }
        : r,
    );
    await assertNoStackViolations(disallowUnblockedPublicAccess, createStackValidationArgs(stack));
  });

  it("leaves an undecidable bucket to the host's preview note instead of guessing", async () => {
    const stack = withResource(guardedBucketStack(), BLOCK, {
      ...baselineProps(BLOCK),
      bucket: UNKNOWN,
    });
    const outcome = await runStackPolicy(
      disallowUnblockedPublicAccess,
      createStackValidationArgs(stack),
    );
    expect(outcome).toEqual({
      violations: [],
      unknown: "string value at .bucket can't be known during preview",
    });
  });

  it("still reports a definite violation when another bucket is undecidable", async () => {
    const stack = [
      ...withResource(guardedBucketStack(), BLOCK, { ...baselineProps(BLOCK), bucket: UNKNOWN }),
      { type: aws.s3.BucketV2, name: "logs", props: { bucket: "logs-bucket", id: "logs-bucket" } },
    ];
    const args = createStackValidationArgs(stack);
    // The unknown reference could be either bucket, so neither is reported as missing a block...
    expect((await runStackPolicy(disallowUnblockedPublicAccess, args)).violations).toEqual([]);
    // ...but a reference known to be another bucket's leaves "logs" definitely unguarded.
    const known = createStackValidationArgs(
      stack.map((r) =>
        r.name === BLOCK ? { ...r, propertyDependencies: { bucket: ["data"] } } : r,
      ),
    );
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
