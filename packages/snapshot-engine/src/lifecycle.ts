/**
 * The Snapshot resource's lifecycle (check, diff, create, update, read, delete) over plain data.
 *
 * The Pulumi dynamic provider is a thin shim whose methods call these functions; keeping them here
 * means the provider that Pulumi serializes into state stays a few hundred bytes, and `refresh` and
 * `destroy` of old resources run the installed engine rather than a stale copy frozen in state.
 */
import * as engine from "./index";
import type {
  Encryption,
  Plan,
  S3Target,
  SnapshotResult,
  SnapshotSpec,
  SourceConfig,
  SpecFailure,
} from "./types";

/**
 * Bumped whenever the provider's behaviour changes in a way existing resources must pick up: a
 * changed `schemaVersion` input makes the next deploy update every Snapshot.
 */
export const SNAPSHOT_SCHEMA_VERSION = 1;

/**
 * The resource's inputs as the provider receives them (Outputs resolved, secrets unwrapped): the
 * snapshot itself plus where it comes from and where it goes.
 */
export interface SnapshotInputs extends SnapshotSpec {
  bucket: string;
  region?: string;
  s3Endpoint?: string;
  s3ForcePathStyle?: boolean;
  encryption?: Encryption;
  plan: Plan;
  baseUrl?: string;
  callsPerMinute?: number;
  /** Secret. Never copied into outputs. */
  apiKey?: string;
  /** Any change of this opaque value forces a refetch. */
  refresh?: string;
  /** Lets create take over an object it did not write. */
  adopt?: boolean;
  schemaVersion: number;
}

/** What state keeps: the inputs minus the key, plus what the write produced. Never the payload. */
export type SnapshotOutputs = Omit<SnapshotInputs, "apiKey"> &
  Omit<SnapshotResult, "requests" | "bucket" | "key">;

/**
 * Inputs whose change moves the object elsewhere: a new object is written, then the old deleted.
 * Region and endpoint are not among them: they say how to reach the bucket, not which object it is,
 * and a replacement at an unchanged bucket and key would only delete what it had just written.
 */
export const REPLACE_PROPERTIES = ["bucket", "key"] as const;

/** Inputs whose change means the stored data is no longer what was asked for. */
export const UPDATE_PROPERTIES = [
  "name",
  "region",
  "s3Endpoint",
  "endpoint",
  "params",
  "pages",
  "plan",
  "baseUrl",
  "minItems",
  "maxBytes",
  "requiredFields",
  "gzip",
  "cacheControl",
  "tags",
  "encryption",
  "refresh",
  "schemaVersion",
] as const;

export interface SnapshotDiff {
  changes: boolean;
  replaces: string[];
  /** Each changed input with how it changes; Pulumi's Node.js dynamic host does not forward it. */
  detailedDiff: Record<string, "update" | "replace">;
  deleteBeforeReplace: boolean;
}

export function checkSnapshot(news: Record<string, unknown>): SpecFailure[] {
  return engine.validateSnapshotInputs(news);
}

/** Decides what a deploy must do, without touching the network. */
export function diffSnapshot(
  olds: Partial<SnapshotOutputs>,
  news: SnapshotInputs,
  now: number,
): SnapshotDiff {
  const detailedDiff: SnapshotDiff["detailedDiff"] = {};
  const oldRecord = olds as Record<string, unknown>;
  const newRecord = news as unknown as Record<string, unknown>;
  for (const property of REPLACE_PROPERTIES) {
    if (differs(oldRecord[property], newRecord[property])) {
      detailedDiff[property] = "replace";
    }
  }
  for (const property of UPDATE_PROPERTIES) {
    if (differs(oldRecord[property], newRecord[property])) {
      detailedDiff[property] = "update";
    }
  }
  if (isStale(olds.fetchedAt, news.maxAge, now)) {
    detailedDiff.maxAge = "update";
  }
  const replaces = Object.keys(detailedDiff).filter((p) => detailedDiff[p] === "replace");
  return {
    changes: Object.keys(detailedDiff).length > 0,
    replaces,
    detailedDiff,
    deleteBeforeReplace: false,
  };
}

/** True when the stored snapshot is older than `maxAge`. An unknown or absent age never is. */
export function isStale(
  fetchedAt: string | undefined,
  maxAge: string | undefined,
  now: number,
): boolean {
  if (!fetchedAt || !maxAge || maxAge === engine.UNKNOWN) {
    return false;
  }
  const fetched = Date.parse(fetchedAt);
  return Number.isFinite(fetched) && now - fetched >= engine.parseDuration(maxAge);
}

export async function createSnapshot(
  inputs: SnapshotInputs,
  options: engine.RunOptions = {},
): Promise<{ id: string; outs: SnapshotOutputs }> {
  const result = await engine.runSnapshot(toSpec(inputs), toSource(inputs), toTarget(inputs), {
    ...options,
    adopt: inputs.adopt === true,
  });
  return { id: snapshotId(inputs), outs: toOutputs(inputs, result) };
}

export async function updateSnapshot(
  olds: SnapshotOutputs,
  news: SnapshotInputs,
  options: engine.RunOptions = {},
): Promise<{ outs: SnapshotOutputs }> {
  const result = await engine.runSnapshot(toSpec(news), toSource(news), toTarget(news), {
    ...options,
    previous: { etag: olds.etag, sha256: olds.sha256 },
    // The conflict error of an object changed outside the stack tells the user to set `adopt`; the
    // retried update must honour it or that advice can never work.
    adopt: news.adopt === true,
  });
  return { outs: toOutputs(news, result) };
}

/**
 * Refresh: the object as it is now. Gone → no id, so Pulumi drops the resource from state. Changed
 * outside the stack → its new ETag, size and checksum show as drift, and the next update refuses to
 * overwrite it until the user adopts or replaces it.
 */
export async function readSnapshot(
  id: string,
  props: SnapshotOutputs,
  options: { s3?: engine.RunOptions["s3"] } = {},
): Promise<{ id: string; props?: SnapshotOutputs }> {
  const stored = await engine.headSnapshot(toTarget(props), props.key, options);
  if (!stored) {
    return { id: "" };
  }
  return {
    id,
    // Dropped, not sent as undefined: an unversioned bucket has no VersionId, and the host cannot
    // encode undefined ("Unexpected struct type"), which would make every refresh fail.
    props: dropUndefined({
      ...props,
      etag: stored.etag,
      versionId: stored.versionId,
      bytes: stored.bytes,
      // An object rewritten by someone else has no (or another) sha256 metadata: show that as drift.
      sha256: stored.sha256 ?? "",
      writeId: stored.writeId,
      // The object we wrote keeps the fetch time of its write; state moves on when an unchanged
      // update re-confirms the data, and a refresh must not wind that back (it would trip maxAge).
      fetchedAt: engine.sameEtag(stored.etag, props.etag)
        ? props.fetchedAt
        : (stored.fetchedAt ?? props.fetchedAt),
    }),
  };
}

/**
 * Deletes the object this resource wrote, and only that: after a replacement at the same key, or
 * an edit outside the stack, the object belongs to someone else and is kept.
 */
export async function deleteSnapshotObject(
  props: SnapshotOutputs,
  options: { s3?: engine.RunOptions["s3"] } = {},
): Promise<engine.DeleteOutcome> {
  return engine.deleteSnapshot(toTarget(props), props.key, {
    ...options,
    expected: { etag: props.etag, versionId: props.versionId, writeId: props.writeId },
  });
}

export function snapshotId(inputs: Pick<SnapshotInputs, "bucket" | "key">): string {
  return `s3://${inputs.bucket}/${inputs.key}`;
}

export function toSpec(inputs: SnapshotInputs): SnapshotSpec {
  return {
    name: inputs.name,
    endpoint: inputs.endpoint,
    params: inputs.params ?? {},
    pages: inputs.pages,
    key: inputs.key,
    maxAge: inputs.maxAge,
    minItems: inputs.minItems,
    maxBytes: inputs.maxBytes,
    requiredFields: inputs.requiredFields,
    gzip: inputs.gzip,
    cacheControl: inputs.cacheControl,
    tags: inputs.tags,
  };
}

export function toSource(inputs: SnapshotInputs): SourceConfig {
  return {
    plan: inputs.plan,
    apiKey: inputs.apiKey || undefined,
    baseUrl: inputs.baseUrl || undefined,
    callsPerMinute: inputs.callsPerMinute,
  };
}

export function toTarget(
  inputs: Pick<
    SnapshotInputs,
    "bucket" | "region" | "s3Endpoint" | "s3ForcePathStyle" | "encryption"
  >,
): S3Target {
  return {
    bucket: inputs.bucket,
    region: inputs.region || undefined,
    endpoint: inputs.s3Endpoint || undefined,
    forcePathStyle: inputs.s3ForcePathStyle,
    encryption: inputs.encryption,
  };
}

function toOutputs(inputs: SnapshotInputs, result: SnapshotResult): SnapshotOutputs {
  // Destructured out so the key can never reach state through the outputs.
  const { apiKey: _apiKey, ...echoed } = inputs;
  const { requests: _requests, bucket: _bucket, key: _key, ...written } = result;
  return dropUndefined({ ...echoed, ...written });
}

/**
 * Pulumi's struct encoding has no `undefined` (the dynamic host fails on it), and every key a
 * resource registers costs an Output; leaving such keys out keeps both honest.
 */
export function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function differs(a: unknown, b: unknown): boolean {
  if (b === engine.UNKNOWN) {
    return true;
  }
  return canonical(a) !== canonical(b);
}

/** Compares values structurally, ignoring key order and treating absent, null and "" alike. */
function canonical(value: unknown): string {
  if (value === undefined || value === null || value === "") {
    return "";
  }
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(",")}]`;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  // Params may come back from state as strings where config gave numbers; compare as text.
  return String(value);
}
