import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { asList } from "../common/known";

const FIX =
  "Remove it: this bucket holds private data. Serve public content from a separate bucket behind " +
  "CloudFront with origin access control.";

/**
 * Forbids static website hosting, which only serves anonymous readers. Advisory by default; prod
 * raises it to mandatory through pack config.
 */
export const disallowBucketWebsite: ResourceValidationPolicy = {
  name: "s3-bucket-disallow-website",
  description:
    "Checks that no bucket is configured for static website hosting (aws.s3.BucketWebsiteConfiguration/V2, or the legacy inline `website`/`websites`).",
  enforcementLevel: "advisory",
  validateResource: [
    validateResourceOfType(aws.s3.BucketWebsiteConfiguration, (_site, _args, report) =>
      reportWebsite("This website configuration", report),
    ),
    validateResourceOfType(aws.s3.BucketWebsiteConfigurationV2, (_site, _args, report) =>
      reportWebsite("This website configuration", report),
    ),
    validateResourceOfType(aws.s3.Bucket, (bucket, _args, report) => {
      if (bucket.website !== undefined) {
        reportWebsite("`website`", report);
      }
    }),
    validateResourceOfType(aws.s3.BucketV2, (bucket, _args, report) => {
      if (asList(bucket.websites).length > 0) {
        reportWebsite("`websites`", report);
      }
    }),
  ],
};

function reportWebsite(what: string, report: ReportViolation): void {
  report(`${what} turns on static website hosting, which serves objects to anyone. ${FIX}`);
}
