/**
 * Matches a stack's bucket-scoped resources (public access blocks, ownership controls, encryption,
 * ACLs, policies, …) to the buckets they configure.
 *
 * A guard rail names its bucket by the bucket's name or by its id (for `aws.s3.Bucket` the id *is*
 * the name in a real stack, but not under test mocks), so both are matched. During a preview the
 * reference may be unknown; the engine still records which resource a property came from
 * (`propertyDependencies.bucket`), which identifies the bucket without its value.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource } from "@pulumi/policy";
import { Read, tryRead } from "./known";
import { NATIVE } from "./nativeTypes";

/** A resource class the SDK can match by type token (`__pulumiType`). */
export type ResourceClass = Parameters<PolicyResource["isType"]>[0];

/**
 * A kind of resource: a class of a package the pack depends on (@pulumi/aws), or a type token of
 * one it must not need at run time (@pulumi/aws-native, see nativeTypes.ts).
 */
export type ResourceKind = ResourceClass | string;

/**
 * Bucket kinds: @pulumi/aws v7's current `Bucket` and deprecated `BucketV2`, and aws-native's
 * `Bucket`, which carries its guard rails inline.
 */
export const BUCKET_CLASSES: readonly ResourceKind[] = [
  aws.s3.Bucket,
  aws.s3.BucketV2,
  NATIVE.bucket,
];

/** True when `resource` (a stack's resource or a resource policy's arguments) is one of `kinds`. */
export function isOneOf(
  resource: Pick<PolicyResource, "isType" | "type">,
  kinds: readonly ResourceKind[],
): boolean {
  return kinds.some((k) => (typeof k === "string" ? resource.type === k : resource.isType(k)));
}

/** True when `resource` is an aws-native bucket, whose guard rails are inputs of the bucket itself. */
export function isNativeBucket(resource: Pick<PolicyResource, "type">): boolean {
  return resource.type === NATIVE.bucket;
}

/** The property a bucket's name is given in: `bucket` in @pulumi/aws, `bucketName` in aws-native. */
export function bucketNameProperty(bucket: Pick<PolicyResource, "type">): string {
  return isNativeBucket(bucket) ? "bucketName" : "bucket";
}

/** What a stack policy learns when it looks for a bucket's guard rails of one kind. */
export interface Attachments {
  /** Resources of the kind that certainly configure this bucket. */
  matches: PolicyResource[];
  /**
   * Set when some resource of the kind might configure this bucket but a value needed to tell is
   * unknown (preview). Only meaningful when `matches` is empty.
   */
  undecided?: Error;
}

interface BucketIdentity {
  resource: PolicyResource;
  /** Known values other resources may use to name this bucket: its `bucket` name and its `id`. */
  names: Set<string>;
  /** Set when an identifying value is unknown (preview): a reference might still name this bucket. */
  unknown?: Error;
}

interface Reference {
  resource: PolicyResource;
  /** URNs of buckets the engine says the `bucket` property came from. */
  fromUrns: Set<string>;
  value: Read<unknown>;
}

/** The buckets of one stack and the references to them, built once per stack policy run. */
export class StackBuckets {
  readonly buckets: PolicyResource[];
  private readonly identities: Map<string, BucketIdentity>;
  /** Every resource of the stack. */
  readonly resources: readonly PolicyResource[];

  constructor(resources: readonly PolicyResource[]) {
    this.resources = resources;
    this.buckets = resources.filter((r) => isOneOf(r, BUCKET_CLASSES));
    this.identities = new Map(this.buckets.map((b) => [b.urn, identify(b)]));
  }

  /** Resources of `classes` whose `bucket` property refers to `bucket`. */
  attachedTo(bucket: PolicyResource, classes: readonly ResourceKind[]): Attachments {
    const matches: PolicyResource[] = [];
    let undecided: Error | undefined;
    for (const candidate of this.resources) {
      if (!isOneOf(candidate, classes)) {
        continue;
      }
      const verdict = this.refersTo(reference(candidate), bucket);
      if (verdict === true) {
        matches.push(candidate);
      } else if (verdict !== false) {
        undecided = undecided ?? verdict;
      }
    }
    return matches.length > 0 ? { matches } : { matches, undecided };
  }

  /**
   * The buckets of this stack that `resource`'s `bucket` property refers to (a Snapshot, an
   * object). `undecided` is set when an unknown value hides the answer.
   */
  bucketsReferencedBy(resource: PolicyResource): { buckets: PolicyResource[]; undecided?: Error } {
    const ref = reference(resource);
    const buckets: PolicyResource[] = [];
    let undecided: Error | undefined;
    for (const bucket of this.buckets) {
      const verdict = this.refersTo(ref, bucket);
      if (verdict === true) {
        buckets.push(bucket);
      } else if (verdict !== false) {
        undecided = undecided ?? verdict;
      }
    }
    return buckets.length > 0 ? { buckets } : { buckets, undecided };
  }

  /** `true`, `false`, or the unknown-value error that prevents an answer. */
  private refersTo(ref: Reference, bucket: PolicyResource): boolean | Error {
    if (ref.fromUrns.has(bucket.urn)) {
      return true;
    }
    if (!ref.value.known) {
      // The engine recorded that the value came from another bucket: not this one. Otherwise the
      // unknown value could be this bucket's name.
      const fromOtherBucket = [...ref.fromUrns].some((urn) => this.identities.has(urn));
      return fromOtherBucket ? false : ref.value.error;
    }
    const identity = this.identities.get(bucket.urn);
    if (typeof ref.value.value !== "string" || identity === undefined) {
      return false;
    }
    if (identity.names.has(ref.value.value)) {
      return true;
    }
    return identity.unknown ?? false;
  }
}

function identify(bucket: PolicyResource): BucketIdentity {
  const names = new Set<string>();
  let unknown: Error | undefined;
  for (const key of [bucketNameProperty(bucket), "id"]) {
    const read = tryRead(() => bucket.props[key] as unknown);
    if (!read.known) {
      unknown = unknown ?? read.error;
    } else if (typeof read.value === "string" && read.value.length > 0) {
      names.add(read.value);
    }
  }
  return { resource: bucket, names, unknown };
}

function reference(resource: PolicyResource): Reference {
  const deps = resource.propertyDependencies?.["bucket"] ?? [];
  return {
    resource,
    fromUrns: new Set(deps.map((d) => d.urn)),
    value: tryRead(() => resource.props["bucket"] as unknown),
  };
}

/** How a bucket is named in violation messages: its resource name, and its bucket name if known. */
export function describeBucket(bucket: PolicyResource): string {
  const name = tryRead(() => bucket.props[bucketNameProperty(bucket)] as unknown);
  return name.known && typeof name.value === "string" && name.value !== bucket.name
    ? `Bucket "${bucket.name}" (s3://${name.value})`
    : `Bucket "${bucket.name}"`;
}
