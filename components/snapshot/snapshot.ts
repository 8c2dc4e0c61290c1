import * as pulumi from "@pulumi/pulumi";
import {
  dropUndefined,
  maxAgePeriod,
  type Encryption,
  type ParamValue,
  type Plan,
  type SourceDefinition,
} from "@api-s3-load/snapshot-engine";
import { snapshotDefaults } from "./defaults";
import { loadFfiWithoutItsWarning } from "./ffiWarning";
import { snapshotProvider } from "./provider";
import { quietPromiseStacks, restorePromiseStacks } from "./promiseStacks";

// Before the first Snapshot serializes its provider: see ffiWarning.ts.
loadFfiWithoutItsWarning();

/** Module and type of the dynamic resource: its token is `pulumi-nodejs:dynamic/coingecko:Snapshot`. */
export const SNAPSHOT_MODULE = "coingecko";
export const SNAPSHOT_TYPE_NAME = "Snapshot";
export const SNAPSHOT_TYPE = `pulumi-nodejs:dynamic/${SNAPSHOT_MODULE}:${SNAPSHOT_TYPE_NAME}`;

export interface SnapshotArgs {
  /** The bucket to write into. Pass a guarded bucket's name and depend on its guard rails. */
  bucket: pulumi.Input<string>;
  /** The object key, e.g. `coingecko/coins-markets.json`. */
  key: pulumi.Input<string>;
  /** A short stable name used in messages. Defaults to the resource name. */
  snapshotName?: pulumi.Input<string>;
  /** Endpoint path relative to the API root, e.g. `coins/markets`. */
  endpoint: pulumi.Input<string>;
  /** Query parameters. Defaults to none. */
  params?: pulumi.Input<Record<string, pulumi.Input<ParamValue>>>;
  /** Pages of a list endpoint to fetch and concatenate. Defaults to 1. */
  pages?: pulumi.Input<number>;
  /**
   * ISO-8601 duration, e.g. `PT1H`: a deploy in a later `maxAge` period (counted from the Unix epoch,
   * UTC) than the stored fetch refetches, so deployed data is never older than this. Defaults to
   * never. See docs/lifecycle.md.
   */
  maxAge?: pulumi.Input<string>;
  /** Fewest items a payload may hold. Defaults to 1. */
  minItems?: pulumi.Input<number>;
  /** Largest payload accepted, in bytes. Defaults to the engine's limit (64 MiB). */
  maxBytes?: pulumi.Input<number>;
  /** Fields every item must carry. Defaults to none. */
  requiredFields?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Seconds each request may take, headers and body, before it is abandoned; the second timed-out
   * request ends the snapshot. Raise it for slow links. Defaults to 30 (1 to 900).
   */
  timeoutSeconds?: pulumi.Input<number>;
  /** Store the object gzip-encoded. Defaults to false. */
  gzip?: pulumi.Input<boolean>;
  /** `Cache-Control` of the object. Defaults to none. */
  cacheControl?: pulumi.Input<string>;
  /** Object tags (they need `s3:PutObjectTagging`). Defaults to none. */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * A declared source (docs/sources.md): its host, paging, limits, key and error rules. Defaults
   * to CoinGecko, configured by `plan`, `baseUrl`, `callsPerMinute` and `apiKey`.
   */
  source?: pulumi.Input<SourceDefinition>;
  /** Most pages of a declared source to fetch (1–1000). Defaults to 10. */
  maxPages?: pulumi.Input<number>;
  /** CoinGecko plan: `public`, `demo` or `pro`. Defaults to `public`. */
  plan?: pulumi.Input<Plan>;
  /** API root. Defaults to the plan's host. */
  baseUrl?: pulumi.Input<string>;
  /** Client-side rate limit. Defaults to the plan's documented limit. */
  callsPerMinute?: pulumi.Input<number>;
  /**
   * The CoinGecko key for `demo` and `pro`, or the value of a declared source's `auth.secret`.
   * Always stored as a secret; never an output.
   */
  apiKey?: pulumi.Input<string>;
  /** Region of the bucket. Defaults to the AWS SDK's region chain. */
  region?: pulumi.Input<string>;
  /** An S3-compatible endpoint (LocalStack). Defaults to AWS. */
  s3Endpoint?: pulumi.Input<string>;
  /** Path-style addressing, for emulators. Defaults to false. */
  s3ForcePathStyle?: pulumi.Input<boolean>;
  /** Server-side encryption for the object; pass the bucket's `encryption`. Defaults to SSE-S3. */
  encryption?: pulumi.Input<Encryption>;
  /** Any new value forces a refetch on the next deploy (e.g. a date). Defaults to none. */
  refresh?: pulumi.Input<string>;
  /**
   * Take over an object that already exists at `key` although this stack did not write it. Defaults to
   * false: create refuses to overwrite data it does not own. (Pulumi cannot import dynamic resources,
   * pulumi/pulumi#16175, so this is how an existing object is brought under management.)
   */
  adopt?: pulumi.Input<boolean>;
}

/**
 * One API endpoint (CoinGecko's, or a declared source's), fetched at deploy time and stored as a managed S3 object. The payload goes
 * straight to S3; state keeps only its checksum, size and location.
 */
export class Snapshot extends pulumi.dynamic.Resource {
  declare readonly bucket: pulumi.Output<string>;
  declare readonly key: pulumi.Output<string>;
  declare readonly s3Uri: pulumi.Output<string>;
  declare readonly etag: pulumi.Output<string>;
  declare readonly versionId: pulumi.Output<string | undefined>;
  declare readonly sha256: pulumi.Output<string>;
  declare readonly bytes: pulumi.Output<number>;
  declare readonly itemCount: pulumi.Output<number>;
  declare readonly fetchedAt: pulumi.Output<string>;
  declare readonly sourceUrl: pulumi.Output<string>;
  declare readonly unchanged: pulumi.Output<boolean>;
  /** True when a declared source stopped at `maxPages` while the API offered another page. */
  declare readonly truncated: pulumi.Output<boolean | undefined>;

  constructor(name: string, args: SnapshotArgs, opts?: pulumi.CustomResourceOptions) {
    const { snapshotName, apiKey, ...rest } = args;
    // Registration without the promise stack traces only Pulumi's leak debugging reads (issue 20).
    const limit = quietPromiseStacks();
    try {
      super(
        snapshotProvider,
        name,
        {
          // Unset optional inputs are left out rather than passed as undefined: every property
          // becomes an Output Pulumi tracks, and these would only cost time per Snapshot.
          ...dropUndefined(rest),
          ...snapshotDefaults(name, { snapshotName, params: args.params, plan: args.plan }),
          ...(apiKey === undefined ? {} : { apiKey: pulumi.secret(apiKey) }),
          // The clock is read here, once per program run, and not in the provider's `diff`: a plain
          // input keeps diff pure, so refresh never reports age as drift and preview and up agree.
          ...(args.maxAge === undefined
            ? {}
            : {
                maxAgePeriod: pulumi
                  .output(args.maxAge)
                  .apply((maxAge) => maxAgePeriod(maxAge, Date.now())),
              }),
          // Seeded so that Pulumi registers these outputs and a preview shows them as unknown.
          s3Uri: undefined,
          etag: undefined,
          versionId: undefined,
          sha256: undefined,
          bytes: undefined,
          itemCount: undefined,
          fetchedAt: undefined,
          sourceUrl: undefined,
          unchanged: undefined,
          // Registered only for a declared source, so CoinGecko's inputs stay as they were.
          ...(args.source === undefined ? {} : { truncated: undefined }),
        },
        opts,
        SNAPSHOT_MODULE,
        SNAPSHOT_TYPE_NAME,
      );
    } finally {
      restorePromiseStacks(limit);
    }
  }
}
