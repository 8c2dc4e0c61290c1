/**
 * What Pulumi's mocks answer in place of AWS when the program runs without a cloud: shared by the
 * tests' program runs (test/helpers/programRun.ts) and `npm run policy`, so both see the same ids,
 * ARNs and Snapshot outputs.
 *
 * The mocks echo inputs and fill in what a provider computes, so outputs and policies see
 * realistic shapes.
 */
import type { MockCallArgs } from "@pulumi/pulumi/runtime";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { autoName, checkedInputs } from "./providerCheck";

export const MOCK_ACCOUNT_ID = "123456789012";

const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];

/** The id a provider would give the resource. */
export function mockId(type: string, name: string, inputs: Record<string, unknown>): string {
  if (BUCKET_TYPES.includes(type)) {
    // Like the provider: the id is the bucket name, auto-named by its Check when unset, or the
    // prefix plus a unique suffix chosen at creation.
    const named = checkedInputs(type, name, inputs);
    if (typeof named.bucket === "string" && named.bucket !== "") {
      return named.bucket;
    }
    const prefix = typeof inputs.bucketPrefix === "string" ? inputs.bucketPrefix : `${name}-`;
    return `${prefix}${autoName(type, name).slice(-7)}`;
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
    case "aws:s3/bucketV2:BucketV2":
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

/** How the program is run: `pulumi up` (every value known) or a first `pulumi preview`. */
export type MockMode = "up" | "preview";

/**
 * The provider's answer to a registration: its id and outputs. Under `up`, `mockState` of the
 * checked inputs. Under a first preview nothing is created: the id is unknown (except a provider's,
 * which the engine configures in a preview too) and every output the provider would compute,
 * anything not an input, is the engine's unknown value.
 */
export function providerAnswer(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  region: string,
  mode: MockMode,
): { id: string; state: Record<string, unknown> } {
  const checked = checkedInputs(type, name, inputs);
  const id = mockId(type, name, checked);
  const state = mockState(type, id, checked, region);
  if (mode === "up" || type.startsWith("pulumi:providers:")) {
    return { id, state };
  }
  return {
    id: "",
    state: Object.fromEntries(
      Object.entries(state).map(([k, v]) => [k, checked[k] === v ? v : unknownValue]),
    ),
  };
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
