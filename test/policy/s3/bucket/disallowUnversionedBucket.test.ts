import * as aws from "@pulumi/aws";
import { disallowUnversionedBucket } from "../../../../policy/s3";
import {
  assertHasStackViolations,
  assertNoStackViolations,
  createStackValidationArgs,
  fixtureUrn,
  metadataOf,
} from "../../../helpers/policy";
import { BUCKET_ID, BUCKET_NAME, guardedBucketStack, withResource } from "../fixtures";

const BUCKET_URN = fixtureUrn(aws.s3.Bucket, "data");
const VERSIONING = "data-versioning";
const FIX =
  'Add an aws.s3.BucketVersioning with `bucket` set to this bucket\'s id and versioningConfiguration.status "Enabled", so overwritten objects can be recovered.';

describe("s3-bucket-disallow-unversioned", () => {
  it("is named for what it forbids and advisory by default", () => {
    expect(metadataOf(disallowUnversionedBucket)).toEqual({
      name: "s3-bucket-disallow-unversioned",
      enforcementLevel: "advisory",
    });
  });

  it("accepts versioning Enabled", async () => {
    await assertNoStackViolations(
      disallowUnversionedBucket,
      createStackValidationArgs(guardedBucketStack()),
    );
  });

  it("rejects a bucket without versioning", async () => {
    const stack = withResource(guardedBucketStack(), VERSIONING, undefined);
    await assertHasStackViolations(disallowUnversionedBucket, createStackValidationArgs(stack), [
      { message: `Bucket "data" (s3://${BUCKET_NAME}) has no versioning. ${FIX}`, urn: BUCKET_URN },
    ]);
  });

  it("rejects versioning Suspended", async () => {
    const stack = withResource(guardedBucketStack(), VERSIONING, {
      bucket: BUCKET_ID,
      versioningConfiguration: { status: "Suspended" },
    });
    await assertHasStackViolations(disallowUnversionedBucket, createStackValidationArgs(stack), [
      {
        message: `Bucket "data" (s3://${BUCKET_NAME}) has versioning status "Suspended". ${FIX}`,
        urn: BUCKET_URN,
      },
    ]);
  });

  it("accepts the legacy inline versioning", async () => {
    const stack = withResource(guardedBucketStack(), VERSIONING, undefined).map((r) =>
      r.name === "data" ? { ...r, props: { ...r.props, versioning: { enabled: true } } } : r,
    );
    await assertNoStackViolations(disallowUnversionedBucket, createStackValidationArgs(stack));
  });
});
