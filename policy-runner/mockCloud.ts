/**
 * What Pulumi's mocks answer in place of AWS when the program runs without a cloud: shared by the
 * tests' program runs (test/helpers/programRun.ts) and `npm run policy`, so both see the same ids,
 * ARNs and Snapshot outputs.
 *
 * The mocks echo inputs and fill in what a provider computes, so outputs and policies see
 * realistic shapes.
 */
import type { MockCallArgs } from "@pulumi/pulumi/runtime";

export const MOCK_ACCOUNT_ID = "123456789012";

/** The id a provider would give the resource. */
export function mockId(type: string, name: string, inputs: Record<string, unknown>): string {
  if (type === "aws:s3/bucket:Bucket") {
    // Like the provider: the id is the bucket name, generated from the logical name when unset.
    return typeof inputs.bucket === "string" && inputs.bucket !== ""
      ? inputs.bucket
      : `${name}-a1b2c3d`;
  }
  if (type.startsWith("aws:s3/") && typeof inputs.bucket === "string") {
    return inputs.bucket;
  }
  if (type === "pulumi-nodejs:dynamic/coingecko:Snapshot") {
    return `s3://${String(inputs.bucket)}/${String(inputs.key)}`;
  }
  return `${name}-id`;
}

/** What the provider would add to the inputs after creating the resource. */
export function mockState(
  type: string,
  id: string,
  inputs: Record<string, unknown>,
  region: string,
): Record<string, unknown> {
  switch (type) {
    case "aws:s3/bucket:Bucket":
      return { ...inputs, bucket: id, arn: `arn:aws:s3:::${id}`, region };
    case "pulumi-nodejs:dynamic/coingecko:Snapshot":
      return {
        ...inputs,
        s3Uri: `s3://${String(inputs.bucket)}/${String(inputs.key)}`,
        etag: '"mock-etag"',
        versionId: "mock-version",
        sha256: "0".repeat(64),
        bytes: 2,
        itemCount: 0,
        fetchedAt: "2026-01-01T00:00:00.000Z",
        sourceUrl: "mock",
        unchanged: false,
      };
    default:
      return inputs;
  }
}

/** The answer to a provider function call (`aws.getCallerIdentity`, `aws.getRegion`). */
export function mockCall(args: MockCallArgs, region: string): Record<string, unknown> {
  switch (args.token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: MOCK_ACCOUNT_ID,
        arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/ci`,
        userId: "AIDAMOCKUSER",
        id: MOCK_ACCOUNT_ID,
      };
    case "aws:index/getRegion:getRegion":
      return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com` };
    default:
      return args.inputs as Record<string, unknown>;
  }
}

/** The region a stack's config names, as the aws provider defaults it. */
export function configuredRegion(config: Record<string, unknown>): string {
  return typeof config["aws:region"] === "string" ? config["aws:region"] : "us-east-1";
}
