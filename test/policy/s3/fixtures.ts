/**
 * Compliant baseline fixtures: what PrivateBucket creates for a bucket named "data", plus a
 * Snapshot writing into it. Each test copies the baseline and changes one thing.
 */
import * as aws from "@pulumi/aws";
import { SNAPSHOT_TYPE } from "../../../policy/s3";
import { fixtureUrn, StackResourceSpec, UNKNOWN } from "../../helpers/policy";

export const BUCKET_NAME = "api-s3-load-data";
// Under mocks a bucket's id need not equal its name; guard rails below refer to it by id.
export const BUCKET_ID = "data-id-1234";
export const BUCKET_ARN = `arn:aws:s3:::${BUCKET_NAME}`;
/** Where a bucket-level stack violation points: the baseline's aws.s3.Bucket "data". */
export const BUCKET_URN = fixtureUrn(aws.s3.Bucket, "data");

/** Where a Snapshot-level stack violation points: the baseline's Snapshot "coins". */
export const SNAPSHOT_URN = fixtureUrn(SNAPSHOT_TYPE, "coins");

/** A stack violation reported on the baseline bucket. */
export const onBucket = (message: string) => ({ message, urn: BUCKET_URN });

export const tlsOnlyStatement = () => ({
  Sid: "DenyInsecureTransport",
  Effect: "Deny",
  Principal: "*",
  Action: "s3:*",
  Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
  Condition: { Bool: { "aws:SecureTransport": "false" } },
});

export function tlsOnlyPolicyJson(): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: [tlsOnlyStatement()] });
}

/** The guarded bucket, by resource name; each guard rail names the bucket by its id. */
export function guardedBucketStack(): StackResourceSpec[] {
  return [
    {
      type: aws.s3.Bucket,
      name: "data",
      props: { bucket: BUCKET_NAME, id: BUCKET_ID, forceDestroy: false },
    },
    {
      type: aws.s3.BucketPublicAccessBlock,
      name: "data-public-access-block",
      props: {
        bucket: BUCKET_ID,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
    },
    {
      type: aws.s3.BucketOwnershipControls,
      name: "data-ownership",
      props: { bucket: BUCKET_ID, rule: { objectOwnership: "BucketOwnerEnforced" } },
    },
    {
      type: aws.s3.BucketServerSideEncryptionConfiguration,
      name: "data-encryption",
      props: {
        bucket: BUCKET_ID,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" },
            bucketKeyEnabled: true,
          },
        ],
      },
    },
    {
      type: aws.s3.BucketVersioning,
      name: "data-versioning",
      props: { bucket: BUCKET_ID, versioningConfiguration: { status: "Enabled" } },
    },
    {
      type: aws.s3.BucketPolicy,
      name: "data-policy",
      props: { bucket: BUCKET_ID, policy: tlsOnlyPolicyJson() },
    },
    {
      type: SNAPSHOT_TYPE,
      name: "coins",
      props: {
        bucket: BUCKET_ID,
        key: "coins/markets.json",
        name: "coins",
        endpoint: "/coins/markets",
      },
    },
  ];
}

/** Replaces the props of resource `name` in `stack` (or removes it when `props` is undefined). */
export function withResource(
  stack: StackResourceSpec[],
  name: string,
  props: Record<string, unknown> | undefined,
): StackResourceSpec[] {
  if (!stack.some((r) => r.name === name)) {
    throw new Error(`Fixture has no resource "${name}".`);
  }
  return props === undefined
    ? stack.filter((r) => r.name !== name)
    : stack.map((r) => (r.name === name ? { ...r, props } : r));
}

/** The props of resource `name` in a fresh baseline, for editing one field. */
export function baselineProps(name: string): Record<string, unknown> {
  const found = guardedBucketStack().find((r) => r.name === name);
  if (!found) {
    throw new Error(`Fixture has no resource "${name}".`);
  }
  return structuredClone(found.props);
}

/** The baseline with resource `name` removed. */
export function without(name: string): StackResourceSpec[] {
  return withResource(guardedBucketStack(), name, undefined);
}

/** The baseline with `change` merged into the props of resource `name`. */
export function withChange(name: string, change: Record<string, unknown>): StackResourceSpec[] {
  return withResource(guardedBucketStack(), name, { ...baselineProps(name), ...change });
}

/**
 * The baseline as a preview sees it: resource `name`'s `bucket` is unknown, and the engine's
 * property dependencies say it comes from the bucket "data".
 */
export function withUnknownBucket(name: string): StackResourceSpec[] {
  const props = { ...baselineProps(name), bucket: UNKNOWN };
  return withResource(guardedBucketStack(), name, props).map((r) =>
    r.name === name ? { ...r, propertyDependencies: { bucket: ["data"] } } : r,
  );
}

/** `stack` with `change` merged into the baseline props of the bucket "data" (legacy inline settings). */
export function withBucketChange(
  stack: StackResourceSpec[],
  change: Record<string, unknown>,
): StackResourceSpec[] {
  return withResource(stack, "data", { ...baselineProps("data"), ...change });
}
