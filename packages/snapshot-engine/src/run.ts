import { randomUUID } from "node:crypto";
import type { S3Client } from "@aws-sdk/client-s3";
import { count } from "./count";
import { SnapshotError, redact } from "./errors";
import type { FetchContext } from "./fetchJson";
import { fetchPages } from "./pages";
import { HeadAhead } from "./headAhead";
import { formatPayload, PrettyList, validatePayload } from "./payload";
import type { FormattedPayload } from "./payload";
import { planDefaults } from "./plans";
import { RateLimiter, sharedRateLimiter } from "./rateLimiter";
import { fetchDeadlineMs, snapshotRetryPolicy } from "./retryPolicy";
import type { RetryPolicy } from "./retryPolicy";
import { assertBucketExists, createS3Client, putSnapshot, s3Error, sameEtag } from "./s3";
import type { PutConditions } from "./s3";
import { defaultFetch, defaultSleep } from "./transport";
import type { FetchLike } from "./transport";
import type {
  PreviousWrite,
  S3Target,
  SnapshotResult,
  SourceConfig,
  SourcedSnapshotSpec,
} from "./types";
import { defaultSnapshotKey, sourcedSnapshotKey, validateSnapshotInputs } from "./validateInputs";
import type { SourceRuntime } from "./sources/answer";
import { fetchSourcePages } from "./sources/fetchSource";
import { DEFAULT_MAX_PAGES, secretEnvName } from "./sources/model";
import type { SourceDefinition } from "./sources/model";
import { storedShape } from "./sources/storedShape";

/**
 * Pages of one snapshot fetched at once by default. Four matches the process-wide limiter's
 * concurrency: fewer leaves a multi-page snapshot bound by round trips (issue 6's benchmark: 0.52×
 * the naive time at 2, 0.28× at 4), more only queues behind the limiter. The price is up to three
 * requests past the end of a list, which the rate limiter accounts for.
 */
export const DEFAULT_PAGE_CONCURRENCY = 4;

/** Largest payload accepted when the spec sets no `maxBytes`: 64 MiB. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export interface RunOptions {
  /** Set on update: write only if the stored object is still this one. */
  previous?: PreviousWrite;
  /** Take over an object this stack did not write (create), or one changed outside it (update). */
  adopt?: boolean;
  /** Injected S3 client; defaults to `createS3Client(target)`, destroyed after the run. */
  s3?: S3Client;
  /** Injected transport; defaults to node-fetch, required on first use. */
  fetch?: FetchLike;
  /** Progress lines (retries, waits, the decision taken). Never receives the API key. */
  log?: (line: string) => void;
  /**
   * Overrides of the retry policy (attempts, delays, timeouts, deadline). A spec's
   * `timeoutSeconds` takes precedence over `retry.requestTimeoutMs`.
   */
  retry?: Partial<RetryPolicy>;
  /** How the engine waits between attempts; tests pass a scaled sleep. Defaults to setTimeout. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A limiter to use instead of the process-wide one for this plan and host. */
  limiter?: RateLimiter;
  /** The rate window `callsPerMinute` applies to. Defaults to 60 s; tests shrink it. */
  rateWindowMs?: number;
  /** API requests in flight at once across the process-wide limiter. Defaults to 4. */
  maxConcurrency?: number;
  /** Pages of one snapshot fetched at once. Defaults to `DEFAULT_PAGE_CONCURRENCY` (4). */
  pageConcurrency?: number;
  /** Clock for `fetchedAt`. */
  now?: () => Date;
}

function requireValid(spec: SourcedSnapshotSpec, source: SourceConfig, target: S3Target): void {
  const failures = validateSnapshotInputs({
    ...spec,
    source: source.definition,
    plan: source.plan,
    apiKey: source.apiKey,
    baseUrl: source.baseUrl,
    bucket: target.bucket,
  });
  if (failures.length > 0) {
    const label = typeof spec.name === "string" ? spec.name : "?";
    throw new SnapshotError(
      "misconfigured",
      `Snapshot "${label}" is misconfigured: ${failures.map((f) => f.reason).join(" ")}`,
    );
  }
}

/**
 * Fetch → validate → format → write one snapshot. Writes nothing on any failure, and nothing when
 * the payload equals the stored object; see docs/engine.md for the full behaviour.
 */
export async function runSnapshot(
  spec: SourcedSnapshotSpec,
  source: SourceConfig,
  target: S3Target,
  options: RunOptions = {},
): Promise<SnapshotResult> {
  const secret = source.apiKey;
  const log = (line: string) => options.log?.(redact(line, secret));
  try {
    return await run(spec, source, target, options, log);
  } catch (error) {
    if (error instanceof SnapshotError) {
      throw error.withMessage(redact(error.message, secret));
    }
    // Anything else is a bug; keep its text but make sure the key cannot ride along.
    throw new SnapshotError(
      "http",
      redact(
        `Snapshot "${spec.name}": unexpected failure: ${(error as Error)?.message ?? String(error)}`,
        secret,
      ),
    );
  }
}

async function run(
  spec: SourcedSnapshotSpec,
  source: SourceConfig,
  target: S3Target,
  options: RunOptions,
  log: (line: string) => void,
): Promise<SnapshotResult> {
  requireValid(spec, source, target);
  if (source.definition) {
    return runSourced(spec, source, source.definition, target, options, log);
  }
  const plan = planDefaults(source.plan);
  const baseUrl = source.baseUrl ?? plan.baseUrl;
  const key = spec.key || defaultSnapshotKey(spec.name);
  const policy: RetryPolicy = snapshotRetryPolicy(options.retry, spec.timeoutSeconds);
  const limiter =
    options.limiter ??
    sharedRateLimiter(`${source.plan} ${new URL(baseUrl).origin}`, {
      limit: source.callsPerMinute ?? plan.callsPerMinute,
      windowMs: options.rateWindowMs ?? 60_000,
      maxConcurrency: options.maxConcurrency ?? 4,
    });
  const ctx = fetchContext(spec, source, { limiter, policy, options, log });
  ctx.apiKey = source.apiKey;
  ctx.keyHeader = plan.keyHeader;
  return fetchThenWrite({ spec, target, key, options, log, ctx }, () =>
    fetchAndFormat(spec, ctx, baseUrl, options),
  );
}

/** What a fetch needs, whatever the source: CoinGecko's or a declared one adds its own. */
function fetchContext(
  spec: SourcedSnapshotSpec,
  source: SourceConfig,
  run: {
    limiter: RateLimiter;
    policy: RetryPolicy;
    options: RunOptions;
    log: (line: string) => void;
  },
): FetchContext {
  const { limiter, policy, options, log } = run;
  return {
    snapshot: spec.name,
    endpoint: spec.endpoint,
    plan: source.plan,
    fetch: options.fetch ?? defaultFetch(),
    limiter,
    policy,
    deadline: Date.now() + fetchDeadlineMs(policy),
    sleep: options.sleep ?? defaultSleep,
    log,
    maxBytes: spec.maxBytes ?? DEFAULT_MAX_BYTES,
    counter: { requests: 0, timeouts: 0, acceptedBytes: 0 },
  };
}

/**
 * The one pipeline every source shares: the fetch (with the HEAD sent beside its first request,
 * abandoned when the fetch fails), then the write; a client made here is destroyed here.
 */
async function fetchThenWrite(
  run: {
    spec: SourcedSnapshotSpec;
    target: S3Target;
    key: string;
    options: RunOptions;
    log: (line: string) => void;
    ctx: FetchContext;
  },
  fetch: () => Promise<Fetched>,
): Promise<SnapshotResult> {
  const { spec, target, key, options, log, ctx } = run;
  const s3 = options.s3 ?? createS3Client(target);
  const head = new HeadAhead(s3, target, key);
  ctx.onFirstRequest = head.start;
  try {
    let fetched: Fetched;
    try {
      fetched = await fetch();
    } catch (error) {
      await head.abandon();
      throw error;
    }
    return await write(spec, target, key, options, log, s3, head, fetched);
  } finally {
    if (!options.s3) {
      s3.destroy();
    }
  }
}

/** `run` for a declared source: its own limits, key, paging and errors; the same write. */
async function runSourced(
  spec: SourcedSnapshotSpec,
  source: SourceConfig,
  def: SourceDefinition,
  target: S3Target,
  options: RunOptions,
  log: (line: string) => void,
): Promise<SnapshotResult> {
  const key = spec.key || sourcedSnapshotKey(def.name, spec.name);
  const policy: RetryPolicy = snapshotRetryPolicy(options.retry, spec.timeoutSeconds);
  const origin = new URL(def.baseUrl).origin;
  const calls = def.rateLimit?.calls;
  const limiter =
    options.limiter ??
    sharedRateLimiter(`source ${def.name} ${origin}`, {
      // Undeclared, the API's own answers (429, Retry-After, rules) are the only limit.
      limit: calls ?? Number.MAX_SAFE_INTEGER,
      windowMs: options.rateWindowMs ?? (def.rateLimit?.windowSeconds ?? 1) * 1000,
      maxConcurrency: options.maxConcurrency ?? 4,
    });
  const ctx = fetchContext(spec, source, { limiter, policy, options, log });
  ctx.source = sourceRuntime(def, source.apiKey);
  return fetchThenWrite({ spec, target, key, options, log, ctx }, async () => {
    const pages = await fetchSourcePages(
      ctx,
      def,
      { endpoint: spec.endpoint, params: spec.params ?? {}, maxPages: spec.maxPages },
      options.pageConcurrency ?? DEFAULT_PAGE_CONCURRENCY,
    );
    if (pages.truncated) {
      log(
        `snapshot ${spec.name}: stopped at maxPages (${spec.maxPages ?? DEFAULT_MAX_PAGES}) while the API offers another page (${pages.nextPage}); the stored data is partial (truncated: true). Raise maxPages to load it all`,
      );
    }
    const where = `Snapshot "${spec.name}": GET ${pages.firstUrl}`;
    const rules = { minItems: spec.minItems ?? 1, requiredFields: spec.requiredFields ?? [] };
    const shaped = storedShape(pages, def.records !== undefined, rules, spec.gzip ?? false, where);
    return {
      ...shaped,
      fetchedAt: (options.now?.() ?? new Date()).toISOString(),
      firstUrl: pages.firstUrl,
      requests: ctx.counter.requests,
      truncated: pages.truncated,
    };
  });
}

/** The run-time view of a declared source, with the key as its `auth` sends it. */
function sourceRuntime(def: SourceDefinition, secret: string | undefined): SourceRuntime {
  const { auth, rateLimit } = def;
  if (auth && !secret) {
    throw new SnapshotError(
      "misconfigured",
      `Source "${def.name}" sends a key (auth.secret \`${auth.secret}\`), but none was given: set it with \`pulumi config set --secret ${auth.secret} <key>\` (npm start: the environment variable ${secretEnvName(auth.secret)})`,
    );
  }
  return {
    name: def.name,
    origin: new URL(def.baseUrl).origin,
    auth:
      auth && secret
        ? { in: auth.in, name: auth.name, value: auth.scheme ? `${auth.scheme} ${secret}` : secret }
        : undefined,
    rules: def.errors?.rules ?? [],
    remainingHeader: rateLimit?.remainingHeader,
    reset:
      rateLimit?.resetHeader && rateLimit.resetFormat
        ? { header: rateLimit.resetHeader, format: rateLimit.resetFormat }
        : undefined,
  };
}

/**
 * Fetches the pages into the stored bytes: a list is checked, formatted and hashed as it arrives,
 * an object (`/simple/price`) once it is whole.
 */
async function fetchAndFormat(
  spec: SourcedSnapshotSpec,
  ctx: FetchContext,
  baseUrl: string,
  options: RunOptions,
): Promise<Fetched> {
  const gzip = spec.gzip ?? false;
  const rules = { minItems: spec.minItems ?? 1, requiredFields: spec.requiredFields ?? [] };
  const { payload, firstUrl } = await fetchPages(
    ctx,
    baseUrl,
    spec.endpoint,
    spec.params ?? {},
    spec.pages ?? 1,
    options.pageConcurrency ?? DEFAULT_PAGE_CONCURRENCY,
    (sizeHint) => new PrettyList(rules.requiredFields, gzip, sizeHint),
  );
  const fetchedAt = (options.now?.() ?? new Date()).toISOString();
  const where = `Snapshot "${spec.name}": GET ${firstUrl}`;
  const { formatted, itemCount } =
    payload instanceof PrettyList
      ? payload.finish(rules.minItems, where)
      : {
          itemCount: validatePayload(payload, rules, where),
          formatted: formatPayload(payload, gzip, ctx.counter.acceptedBytes),
        };
  return { formatted, itemCount, fetchedAt, firstUrl, requests: ctx.counter.requests };
}

/** What the fetch gave, ready to be written. */
interface Fetched {
  formatted: FormattedPayload;
  itemCount: number;
  fetchedAt: string;
  firstUrl: string;
  requests: number;
  truncated?: boolean;
}

/**
 * The conditional write of a fetched snapshot, given the HEAD of the stored object (started with
 * the fetch). Writes nothing when the stored object is ours with the same bytes.
 */
async function write(
  spec: SourcedSnapshotSpec,
  target: S3Target,
  key: string,
  options: RunOptions,
  log: (line: string) => void,
  s3: S3Client,
  head: HeadAhead,
  fetched: Fetched,
): Promise<SnapshotResult> {
  const { formatted, itemCount, fetchedAt, firstUrl } = fetched;
  try {
    const result = (
      etag: string,
      versionId: string | undefined,
      unchanged: boolean,
      writeId: string | undefined,
    ): SnapshotResult => ({
      bucket: target.bucket,
      key,
      s3Uri: `s3://${target.bucket}/${key}`,
      etag,
      versionId,
      sha256: formatted.sha256,
      bytes: formatted.body.length,
      itemCount,
      fetchedAt,
      sourceUrl: firstUrl,
      unchanged,
      writeId,
      requests: fetched.requests,
      // Only a declared source's run can stop short; CoinGecko's results keep their shape.
      ...(fetched.truncated === undefined ? {} : { truncated: fetched.truncated }),
    });
    // An object that is not ours: take it over or write elsewhere. One that was ours until someone
    // else wrote or deleted it: a refresh records that, and the next deploy writes ours back.
    const TAKE_OVER = "Set adopt: true to take the object over, or choose another key";
    const REFRESH =
      "Run `pulumi refresh` (or `pulumi up --refresh`) to record the change, and the next deploy writes the stack's data back; or set adopt: true to take the object over as it is now";
    const conflict = (what: string, fix: string = TAKE_OVER) =>
      new SnapshotError(
        "conflict",
        `Snapshot "${spec.name}": ${what}; nothing was written. ${fix}`,
      );

    // The HEAD does the conditional checks itself, because s3rver and some S3-compatible servers
    // ignore If-None-Match / If-Match; on AWS the conditional PUT closes the remaining race, which
    // now spans the fetch (docs/engine.md, "Write").
    const stored = await head.stored();
    const previous = options.previous;
    let conditions: PutConditions;
    if (!stored) {
      if (previous && !options.adopt) {
        await assertBucketExists(s3, target, key);
        throw conflict(
          `s3://${target.bucket}/${key} was deleted outside the stack since the last deploy`,
          REFRESH,
        );
      }
      conditions = { ifNoneMatch: true };
    } else {
      // On create (no previous) an existing object is never "ours", even with the same bytes: a
      // new resource at an old resource's key (a rename, a replace) must get its own version, or
      // deleting the old resource would delete the object the new one stands for.
      const ours = previous ? sameEtag(stored.etag, previous.etag) : false;
      if (ours && stored.sha256 === formatted.sha256) {
        log(
          `snapshot ${spec.name}: payload unchanged (sha256 ${formatted.sha256}); nothing written`,
        );
        return result(stored.etag, stored.versionId, true, stored.writeId);
      }
      if (!options.adopt) {
        if (!previous) {
          throw conflict(
            `an object this stack did not write already exists at s3://${target.bucket}/${key} (written by someone else, or by another resource or stack at the same key)`,
          );
        }
        if (!ours) {
          throw conflict(
            `s3://${target.bucket}/${key} was changed outside the stack since the last deploy (its ETag is no longer the one this stack wrote)`,
            REFRESH,
          );
        }
      }
      conditions = { ifMatch: previous && !options.adopt ? previous.etag : stored.etag };
    }

    const metadata: Record<string, string> = {
      sha256: formatted.sha256,
      "fetched-at": fetchedAt,
      source: firstUrl,
      "item-count": String(itemCount),
      "write-id": randomUUID(),
    };
    if (formatted.gzip) {
      metadata.encoding = "gzip";
    }
    const written = await putSnapshot(
      s3,
      target,
      key,
      formatted,
      metadata,
      conditions,
      spec.cacheControl,
      spec.tags,
    );
    log(
      `snapshot ${spec.name}: wrote s3://${target.bucket}/${key} (${count(formatted.body.length, "byte")}, ${count(itemCount, "item")})`,
    );
    return result(written.etag, written.versionId, false, metadata["write-id"]);
  } catch (error) {
    if (error instanceof SnapshotError) {
      throw error.kind === "s3" || error.kind === "conflict"
        ? error.withMessage(
            error.message.startsWith("Snapshot ")
              ? error.message
              : `Snapshot "${spec.name}": ${error.message}`,
          )
        : error;
    }
    throw s3Error(error, "PutObject", target, key);
  }
}
