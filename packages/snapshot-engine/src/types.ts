/**
 * The contract of the snapshot engine: plain data in, plain data out.
 *
 * Everything here is serializable and free of secrets unless a field says otherwise, because the
 * Pulumi dynamic provider stores these values in state. The payload itself never appears here.
 */

import type { SourceDefinition } from "./sources/model";

/** Which CoinGecko plan the key belongs to; it picks the host, the key header and the rate limit. */
export type Plan = "public" | "demo" | "pro";

/** A value of a query parameter as config and Pulumi inputs carry it. */
export type ParamValue = string | number | boolean;

/** One snapshot: which endpoint to fetch and where to store it. */
export interface SnapshotSpec {
  /** A short stable name (`[a-z0-9][a-z0-9-]*`), used in messages and as the stack-output map key. */
  name: string;
  /** Endpoint path relative to the API root, such as `coins/markets`: no scheme, host, query or `..`. */
  endpoint: string;
  /** Query parameters. `page` is managed by the engine when `pages` is set. */
  params: Record<string, ParamValue>;
  /** How many pages of a list endpoint to fetch (1–100). Defaults to 1. CoinGecko only. */
  pages?: number;
  /** S3 object key. Defaults to `coingecko/<name>.json`. */
  key: string;
  /** ISO-8601 duration (`PT1H`, `P1D`): a stored snapshot older than this is refetched on the next deploy. */
  maxAge?: string;
  /** Fewest items a list payload (or keys of an object payload) may have. Defaults to 1. */
  minItems?: number;
  /** Largest payload accepted, in bytes, counted while downloading. Defaults to 64 MiB. */
  maxBytes?: number;
  /**
   * Seconds one request (headers and body) may take before it counts as timed out. Defaults to 30.
   * A snapshot stops after its second timed-out request, so by default an API that never answers
   * fails it in about a minute; raise this on a slow link or for a very large payload (1–900).
   */
  timeoutSeconds?: number;
  /** Fields every item of a list payload must have. Defaults to none. */
  requiredFields?: string[];
  /** Store the object gzip-encoded (`Content-Encoding: gzip`). Defaults to false. */
  gzip?: boolean;
  /** `Cache-Control` of the stored object. Defaults to none. */
  cacheControl?: string;
  /** S3 object tags of the stored object (needs `s3:PutObjectTagging`). Defaults to none. */
  tags?: Record<string, string>;
}

/** A snapshot of a declared source: a `SnapshotSpec` that may also bound its pages. */
export interface SourcedSnapshotSpec extends SnapshotSpec {
  /**
   * Most pages of a declared source to fetch (1–1000). Defaults to 10; a run that stops here while
   * the API offers another page says so (`truncated`). Declared sources only.
   */
  maxPages?: number;
}

/**
 * Where the data comes from. `apiKey` is the one secret: it travels only in the plan's header, or
 * for a declared source as its `auth` says, and only to its baseUrl's origin.
 */
export interface SourceConfig {
  plan: Plan;
  /** Secret. Required for `demo` and `pro`; for a declared source, the value of `auth.secret`. */
  apiKey?: string;
  /** A declared source (docs/sources.md); CoinGecko by `plan` when absent. */
  definition?: SourceDefinition;
  /** API root; defaults per plan (see `plans.ts`). */
  baseUrl?: string;
  /** Client-side rate limit; defaults per plan. */
  callsPerMinute?: number;
}

/** Server-side encryption the object is written with; mirrors the bucket's default encryption. */
export interface Encryption {
  algorithm: "AES256" | "aws:kms";
  kmsKeyId?: string;
}

/** Where the data goes. Credentials are never part of it: they come from the AWS credential chain. */
export interface S3Target {
  bucket: string;
  region?: string;
  /** An S3-compatible endpoint (LocalStack, s3rver); defaults to AWS. */
  endpoint?: string;
  forcePathStyle?: boolean;
  encryption?: Encryption;
}

/** What the last successful write left behind, as the caller (Pulumi state) remembers it. */
export interface PreviousWrite {
  etag: string;
  sha256: string;
}

/** The outcome of one snapshot, with no payload and no secret in it. */
export interface SnapshotResult {
  bucket: string;
  key: string;
  s3Uri: string;
  etag: string;
  versionId?: string;
  sha256: string;
  bytes: number;
  itemCount: number;
  fetchedAt: string;
  /** The first page's URL, without any key. */
  sourceUrl: string;
  /** True when the payload matched the stored object and nothing was written. */
  unchanged: boolean;
  /**
   * A random id of the write that produced the stored object (its `write-id` metadata). It tells
   * two writes of the same bytes apart where the bucket has no versions and the ETags are equal.
   */
  writeId?: string;
  /** HTTP requests made to the API for this snapshot. */
  requests: number;
  /** Set when a declared source stopped at `maxPages` while the API offered another page. */
  truncated?: boolean;
}

/** What a HEAD of the stored object tells. */
export interface StoredObject {
  etag: string;
  versionId?: string;
  /** From the object's `sha256` metadata; undefined when the object was not written by us. */
  sha256?: string;
  bytes: number;
  fetchedAt?: string;
  source?: string;
  /** From the object's `write-id` metadata. */
  writeId?: string;
  contentType?: string;
}

/** One reason a spec is invalid, tied to the property that carries it. */
export interface SpecFailure {
  property: string;
  reason: string;
}
