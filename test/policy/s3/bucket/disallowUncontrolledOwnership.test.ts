import * as aws from "@pulumi/aws";
import { disallowUncontrolledOwnership } from "../../../../policy/s3";
import {
  assertHasStackViolations,
  assertNoStackViolations,
  createStackValidationArgs,
  fixtureUrn,
  metadataOf,
} from "../../../helpers/policy";
import {
  baselineProps,
  BUCKET_ID,
  BUCKET_NAME,
  guardedBucketStack,
  withResource,
} from "../fixtures";

const BUCKET_URN = fixtureUrn(aws.s3.Bucket, "data");
const OWNERSHIP = "data-ownership";
const withOwnership = (objectOwnership: string) =>
  withResource(guardedBucketStack(), OWNERSHIP, {
    ...baselineProps(OWNERSHIP),
    rule: { objectOwnership },
  });
const privateAcl = {
  type: aws.s3.BucketAcl,
  name: "data-acl",
  props: { bucket: BUCKET_ID, acl: "private" },
};

describe("s3-bucket-disallow-uncontrolled-ownership", () => {
  it("is named for what it forbids and mandatory by default", () => {
    expect(metadataOf(disallowUncontrolledOwnership)).toEqual({
      name: "s3-bucket-disallow-uncontrolled-ownership",
      enforcementLevel: "mandatory",
    });
  });

  it("accepts BucketOwnerEnforced", async () => {
    await assertNoStackViolations(
      disallowUncontrolledOwnership,
      createStackValidationArgs(guardedBucketStack()),
    );
  });

  it("rejects a bucket without ownership controls", async () => {
    const stack = withResource(guardedBucketStack(), OWNERSHIP, undefined);
    await assertHasStackViolations(
      disallowUncontrolledOwnership,
      createStackValidationArgs(stack),
      [
        {
          message: `Bucket "data" (s3://${BUCKET_NAME}) has no ownership controls. Add an aws.s3.BucketOwnershipControls with \`bucket\` set to this bucket's id and rule.objectOwnership "BucketOwnerEnforced", which disables ACLs.`,
          urn: BUCKET_URN,
        },
      ],
    );
  });

  it.each(["BucketOwnerPreferred", "ObjectWriter"])(
    "rejects %s without a private ACL",
    async (ownership) => {
      await assertHasStackViolations(
        disallowUncontrolledOwnership,
        createStackValidationArgs(withOwnership(ownership)),
        [
          {
            message: `Bucket "data" (s3://${BUCKET_NAME}) has ownership controls "${OWNERSHIP}" with objectOwnership "${ownership}", which keeps ACLs in force, but no private ACL. Use "BucketOwnerEnforced", or add an aws.s3.BucketAcl for this bucket with acl "private".`,
            urn: BUCKET_URN,
          },
        ],
      );
    },
  );

  it.each(["BucketOwnerPreferred", "ObjectWriter"])(
    "accepts %s with a private BucketAcl",
    async (ownership) => {
      const stack = [...withOwnership(ownership), privateAcl];
      await assertNoStackViolations(
        disallowUncontrolledOwnership,
        createStackValidationArgs(stack),
      );
    },
  );

  it("rejects BucketOwnerPreferred when the BucketAcl is not private", async () => {
    const stack = [
      ...withOwnership("BucketOwnerPreferred"),
      { ...privateAcl, props: { bucket: BUCKET_ID, acl: "public-read" } },
    ];
    const args = createStackValidationArgs(stack);
    await assertHasStackViolations(disallowUncontrolledOwnership, args, [
      {
        message: expect.stringContaining("but no private ACL.") as unknown as string,
        urn: BUCKET_URN,
      },
    ]);
  });

  it("accepts BucketOwnerPreferred with the bucket's legacy inline private acl", async () => {
    const stack = withResource(withOwnership("BucketOwnerPreferred"), "data", {
      ...baselineProps("data"),
      acl: "private",
    });
    await assertNoStackViolations(disallowUncontrolledOwnership, createStackValidationArgs(stack));
  });
});
