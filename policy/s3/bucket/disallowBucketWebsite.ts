import * as aws from "@pulumi/aws";
import {
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import { asList } from "../common/known";
import { NATIVE } from "../common/nativeTypes";

const FIX =
  "Remove it: this bucket holds private data. Serve public content from a separate bucket behind " +
  "CloudFront with origin access control.";

/**
 * Flags static website hosting on this project's buckets. Advisory everywhere, prod included: the
 * website endpoint serves only objects anyone may already read, so what it exposes is decided by
 * the ACL, bucket policy and public access block policies, which are mandatory; a bucket read only
 * through CloudFront (OAI/OAC, which use the REST endpoint) exposes nothing through it.
 */
export const disallowBucketWebsite: ResourceValidationPolicy = {
  name: "s3-bucket-disallow-website",
  description:
    "Checks that no bucket is configured for static website hosting (aws.s3.BucketWebsiteConfiguration/V2, the legacy inline `website`/`websites`, or `websiteConfiguration` of aws-native s3.Bucket).",
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
    (args: ResourceValidationArgs, report: ReportViolation) => {
      if (args.type !== NATIVE.bucket) {
        args.notApplicable(`Policy only applies to resources of type '${NATIVE.bucket}'`);
      }
      if (args.props["websiteConfiguration"] !== undefined) {
        reportWebsite("`websiteConfiguration`", report);
      }
    },
  ],
};

function reportWebsite(what: string, report: ReportViolation): void {
  report(
    `${what} turns on static website hosting, whose endpoint serves objects to anyone once the ` +
      `bucket is made public. ${FIX}`,
  );
}
