import { disallowUnversionedBucket } from "../../../../policy/s3";
import {
  assertHasStackViolations,
  assertNoStackViolations,
  describePolicyBasics,
} from "../../../helpers/policy";
import {
  BUCKET_NAME,
  guardedBucketStack,
  onBucket,
  withChange,
  without,
  withBucketChange,
} from "../fixtures";

const VERSIONING = "data-versioning";
const FIX =
  'Add an aws.s3.BucketVersioning with `bucket` set to this bucket\'s id and versioningConfiguration.status "Enabled", so overwritten objects can be recovered.';

describe("s3-bucket-disallow-unversioned", () => {
  describePolicyBasics(disallowUnversionedBucket, {
    name: "s3-bucket-disallow-unversioned",
    enforcementLevel: "advisory",
    baseline: { title: "accepts versioning Enabled", args: guardedBucketStack },
  });

  it("rejects a bucket without versioning", async () => {
    await assertHasStackViolations(disallowUnversionedBucket, without(VERSIONING), [
      onBucket(`Bucket "data" (s3://${BUCKET_NAME}) has no versioning. ${FIX}`),
    ]);
  });

  it("rejects versioning Suspended", async () => {
    const stack = withChange(VERSIONING, { versioningConfiguration: { status: "Suspended" } });
    await assertHasStackViolations(disallowUnversionedBucket, stack, [
      onBucket(`Bucket "data" (s3://${BUCKET_NAME}) has versioning status "Suspended". ${FIX}`),
    ]);
  });

  it("accepts the legacy inline versioning", async () => {
    const stack = withBucketChange(without(VERSIONING), { versioning: { enabled: true } });
    await assertNoStackViolations(disallowUnversionedBucket, stack);
  });
});
