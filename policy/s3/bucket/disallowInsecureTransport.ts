import * as aws from "@pulumi/aws";
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { GuardCheck } from "../common/guardRails";
import { tryRead } from "../common/known";
import { isTlsOnlyDeny, parsePolicy } from "../common/policyDocument";
import { NATIVE } from "../common/nativeTypes";
import { isNativeBucket, StackBuckets } from "../common/stackBuckets";
import { checkEveryBucket } from "../common/stackPolicy";

/**
 * Forbids a bucket whose policy does not deny plain-HTTP requests. Advisory by default; prod raises
 * it to mandatory through pack config.
 */
export const disallowInsecureTransport: StackValidationPolicy = {
  name: "s3-bucket-disallow-insecure-transport",
  description:
    'Checks that every aws.s3.Bucket/BucketV2 and aws-native s3.Bucket in the stack has a bucket policy statement that denies s3:* to everyone when aws:SecureTransport is "false", on the bucket and its objects.',
  enforcementLevel: "advisory",
  validateStack: (args, reportViolation) => checkEveryBucket(args, reportViolation, checkTlsOnly),
};

const FIX =
  'Add a statement {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [<bucket arn>, ' +
  '<bucket arn>/*], "Condition": {"Bool": {"aws:SecureTransport": "false"}}} to ';

function checkTlsOnly(stack: StackBuckets, bucket: PolicyResource): GuardCheck {
  const { matches, undecided } = stack.attachedTo(bucket, [
    aws.s3.BucketPolicy,
    NATIVE.bucketPolicy,
  ]);
  const read = tryRead(() => {
    const documents = [
      bucket.props["policy"],
      ...matches.map((p) => p.props[p.type === NATIVE.bucketPolicy ? "policyDocument" : "policy"]),
    ].filter((d) => d !== undefined);
    return documents.some((doc) => {
      const parsed = parsePolicy(doc);
      return parsed.ok && parsed.statements.some(isTlsOnlyDeny);
    });
  });
  if (!read.known) {
    return { status: "undecided", error: read.error };
  }
  if (read.value) {
    return { status: "ok" };
  }
  if (matches.length === 0 && undecided) {
    return { status: "undecided", error: undecided };
  }
  return {
    status: "problem",
    problem:
      `has no policy statement that denies insecure transport. ${FIX}` +
      (isNativeBucket(bucket)
        ? "the policyDocument of its aws-native s3.BucketPolicy."
        : "its aws.s3.BucketPolicy."),
  };
}
