import * as aws from "@pulumi/aws";
import { disallowUncontrolledOwnership } from "../../../../policy/s3";
import {
  assertHasStackViolations,
  assertNoStackViolations,
  createStackValidationArgs,
  describePolicyBasics,
} from "../../../helpers/policy";
import {
  BUCKET_ID,
  BUCKET_NAME,
  guardedBucketStack,
  onBucket,
  withChange,
  without,
  withBucketChange,
} from "../fixtures";

const OWNERSHIP = "data-ownership";
const withOwnership = (objectOwnership: string) =>
  withChange(OWNERSHIP, { rule: { objectOwnership } });
const privateAcl = {
  type: aws.s3.BucketAcl,
  name: "data-acl",
  props: { bucket: BUCKET_ID, acl: "private" },
};

describe("s3-bucket-disallow-uncontrolled-ownership", () => {
  describePolicyBasics(disallowUncontrolledOwnership, {
    name: "s3-bucket-disallow-uncontrolled-ownership",
    enforcementLevel: "mandatory",
    baseline: { title: "accepts BucketOwnerEnforced", args: guardedBucketStack },
  });

  it("rejects a bucket without ownership controls", async () => {
    await assertHasStackViolations(disallowUncontrolledOwnership, without(OWNERSHIP), [
      onBucket(
        `Bucket "data" (s3://${BUCKET_NAME}) has no ownership controls. Add an aws.s3.BucketOwnershipControls with \`bucket\` set to this bucket's id and rule.objectOwnership "BucketOwnerEnforced", which disables ACLs.`,
      ),
    ]);
  });

  it.each(["BucketOwnerPreferred", "ObjectWriter"])(
    "rejects %s without a private ACL",
    async (ownership) => {
      await assertHasStackViolations(disallowUncontrolledOwnership, withOwnership(ownership), [
        onBucket(
          `Bucket "data" (s3://${BUCKET_NAME}) has ownership controls "${OWNERSHIP}" with objectOwnership "${ownership}", which keeps ACLs in force, but no private ACL. Use "BucketOwnerEnforced", or add an aws.s3.BucketAcl for this bucket with acl "private".`,
        ),
      ]);
    },
  );

  it.each(["BucketOwnerPreferred", "ObjectWriter"])(
    "accepts %s with a private BucketAcl",
    async (ownership) => {
      const stack = [...withOwnership(ownership), privateAcl];
      await assertNoStackViolations(disallowUncontrolledOwnership, stack);
    },
  );

  it("rejects BucketOwnerPreferred when the BucketAcl is not private", async () => {
    const stack = [
      ...withOwnership("BucketOwnerPreferred"),
      { ...privateAcl, props: { bucket: BUCKET_ID, acl: "public-read" } },
    ];
    await assertHasStackViolations(disallowUncontrolledOwnership, stack, [
      onBucket(expect.stringContaining("but no private ACL.") as unknown as string),
    ]);
  });

  it("accepts ObjectWriter with log-delivery-write only when the organisation allows that ACL", async () => {
    const stack = [
      ...withOwnership("ObjectWriter"),
      { ...privateAcl, props: { bucket: BUCKET_ID, acl: "log-delivery-write" } },
    ];
    await assertHasStackViolations(disallowUncontrolledOwnership, stack, [
      onBucket(
        `Bucket "data" (s3://${BUCKET_NAME}) has ownership controls "${OWNERSHIP}" with objectOwnership "ObjectWriter", which keeps ACLs in force, but no private ACL. Use "BucketOwnerEnforced", or add an aws.s3.BucketAcl for this bucket with acl "private".`,
      ),
    ]);
    await assertNoStackViolations(
      disallowUncontrolledOwnership,
      createStackValidationArgs(stack, { allowedCannedAcls: ["log-delivery-write"] }),
    );
    // A public ACL cannot be allowed, whatever the config says.
    const open = [
      ...withOwnership("ObjectWriter"),
      { ...privateAcl, props: { bucket: BUCKET_ID, acl: "public-read" } },
    ];
    await assertHasStackViolations(
      disallowUncontrolledOwnership,
      createStackValidationArgs(open, { allowedCannedAcls: ["public-read"] }),
      [onBucket(expect.stringContaining("but no private ACL.") as unknown as string)],
    );
  });

  it("accepts BucketOwnerPreferred with the bucket's legacy inline private acl", async () => {
    const stack = withBucketChange(withOwnership("BucketOwnerPreferred"), { acl: "private" });
    await assertNoStackViolations(disallowUncontrolledOwnership, stack);
  });
});
