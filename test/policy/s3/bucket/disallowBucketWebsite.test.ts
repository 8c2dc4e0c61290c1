import * as aws from "@pulumi/aws";
import { disallowBucketWebsite } from "../../../../policy/s3";
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs,
  describePolicyBasics,
} from "../../../helpers/policy";

const FIX =
  "Remove it: this bucket holds private data. Serve public content from a separate bucket behind CloudFront with origin access control.";

describe("s3-bucket-disallow-website", () => {
  describePolicyBasics(disallowBucketWebsite, {
    name: "s3-bucket-disallow-website",
    enforcementLevel: "advisory",
  });

  it.each([
    ["BucketWebsiteConfiguration", aws.s3.BucketWebsiteConfiguration],
    ["BucketWebsiteConfigurationV2", aws.s3.BucketWebsiteConfigurationV2],
  ])("rejects a %s", async (_label, cls) => {
    const args = createResourceValidationArgs(cls, {
      bucket: "data-id",
      indexDocument: { suffix: "index.html" },
    });
    await assertHasResourceViolation(
      disallowBucketWebsite,
      args,
      `This website configuration turns on static website hosting, whose endpoint serves objects to anyone once the bucket is made public. ${FIX}`,
    );
  });

  it("accepts a bucket without website settings", async () => {
    await assertNoResourceViolations(
      disallowBucketWebsite,
      createResourceValidationArgs(aws.s3.Bucket, { bucket: "b" }),
    );
    await assertNoResourceViolations(
      disallowBucketWebsite,
      createResourceValidationArgs(aws.s3.BucketV2, { bucket: "b", websites: [] }),
    );
  });

  it("rejects the legacy inline website of a Bucket and a BucketV2", async () => {
    await assertHasResourceViolation(
      disallowBucketWebsite,
      createResourceValidationArgs(aws.s3.Bucket, {
        bucket: "b",
        website: { indexDocument: "index.html" },
      }),
      `\`website\` turns on static website hosting, whose endpoint serves objects to anyone once the bucket is made public. ${FIX}`,
    );
    await assertHasResourceViolation(
      disallowBucketWebsite,
      createResourceValidationArgs(aws.s3.BucketV2, {
        bucket: "b",
        websites: [{ indexDocument: "index.html" }],
      }),
      `\`websites\` turns on static website hosting, whose endpoint serves objects to anyone once the bucket is made public. ${FIX}`,
    );
  });
});
