import * as aws from "@pulumi/aws";
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { GuardCheck } from "../common/guardRails";
import { asList, isRecord, tryRead } from "../common/known";
import { isNativeBucket, StackBuckets } from "../common/stackBuckets";
import { checkEveryBucket } from "../common/stackPolicy";

/**
 * Forbids a bucket without versioning enabled, so an overwritten or deleted snapshot can be
 * recovered. Advisory by default; prod raises it to mandatory through pack config.
 */
export const disallowUnversionedBucket: StackValidationPolicy = {
  name: "s3-bucket-disallow-unversioned",
  description:
    'Checks that every aws.s3.Bucket/BucketV2 and aws-native s3.Bucket in the stack has versioning "Enabled" (aws.s3.BucketVersioning/BucketVersioningV2, the legacy inline setting, or aws-native\'s versioningConfiguration).',
  enforcementLevel: "advisory",
  validateStack: (args, reportViolation) =>
    checkEveryBucket(args, reportViolation, checkVersioning),
};

function checkVersioning(stack: StackBuckets, bucket: PolicyResource): GuardCheck {
  const inline = tryRead(() => inlineVersioningEnabled(bucket));
  if (!inline.known) {
    return { status: "undecided", error: inline.error };
  }
  if (inline.value) {
    return { status: "ok" };
  }
  if (isNativeBucket(bucket)) {
    return {
      status: "problem",
      problem:
        'has no versioning. Set versioningConfiguration.status "Enabled", so overwritten objects ' +
        "can be recovered.",
    };
  }
  const { matches, undecided } = stack.attachedTo(bucket, [
    aws.s3.BucketVersioning,
    aws.s3.BucketVersioningV2,
  ]);
  if (matches.length === 0 && undecided) {
    return { status: "undecided", error: undecided };
  }
  const status = tryRead(() =>
    matches.map((v) => {
      const config: unknown = v.props["versioningConfiguration"];
      return isRecord(config) ? config["status"] : undefined;
    }),
  );
  if (!status.known) {
    return { status: "undecided", error: status.error };
  }
  if (status.value.includes("Enabled")) {
    return { status: "ok" };
  }
  const found =
    matches.length === 0
      ? "has no versioning"
      : `has versioning status ${JSON.stringify(status.value[0])}`;
  return {
    status: "problem",
    problem:
      `${found}. Add an aws.s3.BucketVersioning with \`bucket\` set to this bucket's id and ` +
      'versioningConfiguration.status "Enabled", so overwritten objects can be recovered.',
  };
}

function inlineVersioningEnabled(bucket: PolicyResource): boolean {
  if (isNativeBucket(bucket)) {
    const config: unknown = bucket.props["versioningConfiguration"];
    return isRecord(config) && config["status"] === "Enabled";
  }
  if (bucket.isType(aws.s3.Bucket)) {
    const versioning: unknown = bucket.props["versioning"];
    return isRecord(versioning) && versioning["enabled"] === true;
  }
  return asList(bucket.props["versionings"]).some((v) => isRecord(v) && v["enabled"] === true);
}
