/**
 * The Snapshot resource's lifecycle (check, diff, create, update, read, delete) over plain data.
 *
 * The Pulumi dynamic provider is a thin shim whose methods call these functions; keeping them here
 * means the provider that Pulumi serializes into state stays a few hundred bytes, and `refresh` and
 * `destroy` of old resources run the installed engine rather than a stale copy frozen in state.
 */
import * as engine from "./index";
import type { SourceDefinition } from "./sources/model";
import type {
  Encryption,
  Plan,
  S3Target,
  SnapshotResult,
  SnapshotSpec,
  SourceConfig,
  SourcedSnapshotSpec,
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
  /** Secret: CoinGecko's key, or the value of a declared source's `auth.secret`. Never an output. */
  apiKey?: string;
  /** Any change of this opaque value forces a refetch. */
  refresh?: string;
  /** Lets create take over an object it did not write. */
  adopt?: boolean;
  /**
   * Start of the current `maxAge` period (`maxAgePeriod(maxAge, now)`), computed by the program:
   * a new period is a changed input, so staleness needs no clock in `diff`.
   */
  maxAgePeriod?: string;
  schemaVersion: number;
}

/**
 * The inputs a Snapshot of a declared source adds (docs/sources.md); absent for CoinGecko, whose
 * inputs stay exactly as before sources existed.
 */
export interface SourcedInputs {
  /** The declared source, with its name; CoinGecko by `plan` when absent. */
  source?: SourceDefinition;
  /** Most pages to fetch (1–1000, default 10). */
  maxPages?: number;
}

/** What state keeps: the inputs minus the key, plus what the write produced. Never the payload. */
export type SnapshotOutputs = Omit<SnapshotInputs, "apiKey"> &
  Omit<SnapshotResult, "requests" | "bucket" | "key"> & {
    /**
     * Set by a refresh that found another object at the key than the one this stack wrote, and
     * kept by later refreshes until an update writes the stack's data again: `diff` reports it as
     * a change, so `pulumi refresh` shows the drift and the next `pulumi up` restores the data.
     */
    drifted?: boolean;
  };

/**
 * Inputs whose change moves the object elsewhere: a new object is written, then the old deleted.
 * Region and endpoint are not among them: they say how to reach the bucket, not which object it is,
 * and a replacement at an unchanged bucket and key would only delete what it had just written.
 */
export const REPLACE_PROPERTIES = ["bucket", "key"] as const;

/**
 * Inputs whose change means the stored data is no longer what was asked for, or that `read` and
 * `delete` use to reach the object (they run on the state alone, so a change must reach state).
 */
export const UPDATE_PROPERTIES = [
  "name",
  "region",
  "s3Endpoint",
  "s3ForcePathStyle",
  "endpoint",
  "params",
  "pages",
  "maxPages",
  "source",
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
  "maxAgePeriod",
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

/**
 * Decides what a deploy must do, without touching the network or the clock: the same state and
 * inputs always give the same answer, so a preview, its saved plan and the deploy agree.
 *
 * Pulumi (3.248+) also calls it after `read` on `pulumi refresh`, with the refreshed outputs as
 * `olds` and the state's inputs as `news` (then inverts the answer): input echoes in the outputs
 * equal those inputs, so only `drifted` makes a refresh report a change.
 */
export function diffSnapshot(
  olds: Partial<SnapshotOutputs & SourcedInputs>,
  news: SnapshotInputs & SourcedInputs,
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
  if (olds.drifted === true) {
    detailedDiff.drifted = "update";
  }
  const replaces = Object.keys(detailedDiff).filter((p) => detailedDiff[p] === "replace");
  return {
    changes: Object.keys(detailedDiff).length > 0,
    replaces,
    detailedDiff,
    deleteBeforeReplace: false,
  };
}

export async function createSnapshot(
  inputs: SnapshotInputs & SourcedInputs,
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
  news: SnapshotInputs & SourcedInputs,
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
 * Refresh: the object as it is now. Gone → no id, so Pulumi drops the resource from state. Another
 * object than the one this stack wrote (another ETag, the rule update uses to call an object ours) →
 * its ETag, size and checksum replace the state's and `drifted` is set, so the refresh shows drift
 * and the next deploy's update writes the stack's data over it.
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
  // Kept once set: after the first refresh the state holds the foreign ETag, so only the flag
  // remembers that the object is not the stack's data until an update writes it again.
  const drifted = props.drifted === true || !engine.sameEtag(stored.etag, props.etag);
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
      // update re-confirms the data, and a refresh must not wind that back.
      fetchedAt: engine.sameEtag(stored.etag, props.etag)
        ? props.fetchedAt
        : (stored.fetchedAt ?? props.fetchedAt),
      drifted: drifted ? true : undefined,
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

export function toSpec(inputs: SnapshotInputs & SourcedInputs): SourcedSnapshotSpec {
  return {
    name: inputs.name,
    endpoint: inputs.endpoint,
    params: inputs.params ?? {},
    pages: inputs.pages,
    maxPages: inputs.maxPages,
    key: inputs.key,
    maxAge: inputs.maxAge,
    minItems: inputs.minItems,
    maxBytes: inputs.maxBytes,
    requiredFields: inputs.requiredFields,
    gzip: inputs.gzip,
    cacheControl: inputs.cacheControl,
    tags: inputs.tags,
    // Not an update property: a longer wait does not change the data, so it needs no new write.
    timeoutSeconds: inputs.timeoutSeconds,
  };
}

export function toSource(inputs: SnapshotInputs & SourcedInputs): SourceConfig {
  return {
    plan: inputs.plan,
    apiKey: inputs.apiKey || undefined,
    baseUrl: inputs.baseUrl || undefined,
    callsPerMinute: inputs.callsPerMinute,
    definition: inputs.source,
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
