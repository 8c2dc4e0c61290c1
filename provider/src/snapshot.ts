/**
 * The package's Snapshot: a thin adapter over the engine's lifecycle functions, the same ones the
 * TypeScript program's dynamic provider (components/snapshot/provider.ts) calls. What only this
 * adapter does is what a consumer in another language needs: what the TypeScript `Snapshot` class
 * adds in the program (components/snapshot/defaults.ts, and `maxAgePeriod`) is added in `check`,
 * and values arrive on the wire (secrets wrapped, unknowns as a sentinel).
 */
import type * as Engine from "@api-s3-load/snapshot-engine";
import type { SnapshotInputs, SnapshotOutputs } from "@api-s3-load/snapshot-engine";
import type * as provider from "@pulumi/pulumi/provider";
import type * as Defaults from "../../components/snapshot/defaults";
import {
  type PropertyMap,
  UNKNOWN,
  holdsUnknown,
  redacted,
  reveal,
  secretProperties,
  secretStrings,
  wrapSecrets,
} from "./wire";
import { nameOfUrn } from "./tokens";

/**
 * Every input of the Snapshot, named as the TypeScript `SnapshotArgs` names it; schema.json's
 * `inputProperties` must list exactly these (test/package/schema.test.ts).
 */
export const SNAPSHOT_INPUTS = [
  "bucket",
  "key",
  "snapshotName",
  "endpoint",
  "params",
  "pages",
  "maxAge",
  "minItems",
  "maxBytes",
  "requiredFields",
  "timeoutSeconds",
  "gzip",
  "cacheControl",
  "tags",
  "source",
  "maxPages",
  "plan",
  "baseUrl",
  "callsPerMinute",
  "apiKey",
  "region",
  "s3Endpoint",
  "s3ForcePathStyle",
  "encryption",
  "refresh",
  "adopt",
] as const;

export type SnapshotInputName = (typeof SNAPSHOT_INPUTS)[number];

/** The inputs a Snapshot cannot do without; schema.json's `requiredInputs`. */
export const SNAPSHOT_REQUIRED_INPUTS: readonly SnapshotInputName[] = ["bucket", "key", "endpoint"];

const REQUIRED_HINTS: Record<string, string> = {
  bucket: "the bucket to write into, such as a PrivateBucket's `bucketName`",
  key: 'the object key, such as "coingecko/coins-markets.json"',
  endpoint: 'the API path relative to the API root, such as "coins/markets"',
};

/** Inputs that are secret whatever the program passed: the key is never stored in plain text. */
const ALWAYS_SECRET = ["apiKey"];

/** The engine, loaded on first use so that starting the plugin and GetSchema stay small. */
function engine(): typeof Engine {
  return require("@api-s3-load/snapshot-engine");
}

/**
 * Runs `action` with every secret string of `requests` removed from any error it throws, so that
 * no error (printed by the server, or sent to the engine) can carry the API key.
 */
async function guarded<T>(requests: PropertyMap[], action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw redacted(
      error,
      requests.flatMap((props) => secretStrings(props, ALWAYS_SECRET)),
    );
  }
}

function unknownInputs(props: PropertyMap): string[] {
  return Object.keys(props).filter((k) => holdsUnknown(props[k]));
}

/**
 * Create and update run only with every input known: the server does not tell a preview apart, and
 * the engine does not call them in one (the server does not answer `supportsPreview`), so an
 * unknown here is refused before any request is made.
 */
function requireKnown(props: PropertyMap, operation: string): void {
  const unknown = unknownInputs(props);
  if (unknown.length > 0) {
    throw new Error(
      `The Snapshot cannot ${operation} while ${unknown.map((k) => `\`${k}\``).join(", ")} ${unknown.length === 1 ? "is" : "are"} not known yet; ` +
        "nothing was fetched or written. Run `pulumi up` again once the values it depends on exist.",
    );
  }
}

/**
 * The engine's inputs for the args a program passed: what the TypeScript `Snapshot` class adds in
 * the program is added here. `maxAgePeriod` reads the clock in `check`, once per deploy, as the
 * class does once per program run, so `diff` stays pure.
 */
export function engineInputs(resourceName: string, args: PropertyMap): PropertyMap {
  // `snapshotName` is stored as `name`, the engine's word for it.
  const { snapshotName: _snapshotName, ...rest } = args;
  const { snapshotDefaults }: typeof Defaults = require("../../components/snapshot/defaults");
  const inputs: PropertyMap = { ...rest, ...snapshotDefaults(resourceName, args) };
  const maxAge = args.maxAge;
  if (maxAge === UNKNOWN) {
    inputs.maxAgePeriod = UNKNOWN;
  } else if (typeof maxAge === "string") {
    try {
      inputs.maxAgePeriod = engine().maxAgePeriod(maxAge, Date.now());
    } catch {
      // An invalid duration is reported by the engine's check, with the fix.
    }
  }
  return engine().dropUndefined(inputs);
}

export async function checkSnapshot(urn: string, news: PropertyMap): Promise<provider.CheckResult> {
  return guarded([news], async () => {
    const args = reveal(news) as PropertyMap;
    const failures: provider.CheckFailure[] = Object.keys(args)
      .filter((k) => !(SNAPSHOT_INPUTS as readonly string[]).includes(k))
      .map((k) => ({
        property: k,
        reason: `\`${k}\` is not an input of api-s3-load:index:Snapshot: remove it (the inputs are listed in the package schema).`,
      }));
    const inputs = engineInputs(nameOfUrn(urn), args);
    const engineFailures = engine().checkSnapshot(inputs);
    // The TypeScript class requires these by type; a program in another language can leave them out.
    for (const name of SNAPSHOT_REQUIRED_INPUTS) {
      if ((args[name] ?? "") === "" && !engineFailures.some((f) => f.property === name)) {
        failures.push({
          property: name,
          reason: `\`${name}\` is required: give ${REQUIRED_HINTS[name]}.`,
        });
      }
    }
    for (const failure of engineFailures) {
      // The engine names the stored property; the program set `snapshotName`.
      const property =
        failure.property === "name" && args.snapshotName !== undefined
          ? "snapshotName"
          : failure.property;
      failures.push({ property, reason: failure.reason });
    }
    const secret = new Set([...secretProperties(news), ...ALWAYS_SECRET]);
    return { inputs: wrapSecrets(inputs, secret), failures };
  });
}

export async function diffSnapshot(
  olds: PropertyMap,
  news: PropertyMap,
): Promise<provider.DiffResult> {
  return guarded([olds, news], async () => {
    const diff = engine().diffSnapshot(
      reveal(olds) as Partial<SnapshotOutputs>,
      reveal(news) as unknown as SnapshotInputs,
    );
    return {
      changes: diff.changes,
      replaces: diff.replaces,
      deleteBeforeReplace: diff.deleteBeforeReplace,
    };
  });
}

/** Outputs as state keeps them: never the key; secret where the request's property was secret. */
function stateOutputs(outs: SnapshotOutputs, request: PropertyMap): PropertyMap {
  const { apiKey: _apiKey, ...kept } = outs as SnapshotOutputs & { apiKey?: unknown };
  const secret = [...secretProperties(request)].filter((k) => !ALWAYS_SECRET.includes(k));
  return wrapSecrets(kept, secret);
}

export async function createSnapshot(inputs: PropertyMap): Promise<provider.CreateResult> {
  return guarded([inputs], async () => {
    requireKnown(inputs, "be created");
    const created = await engine().createSnapshot(reveal(inputs) as unknown as SnapshotInputs);
    return { id: created.id, outs: stateOutputs(created.outs, inputs) };
  });
}

export async function updateSnapshot(
  olds: PropertyMap,
  news: PropertyMap,
): Promise<provider.UpdateResult> {
  return guarded([olds, news], async () => {
    requireKnown(news, "be updated");
    const updated = await engine().updateSnapshot(
      reveal(olds) as unknown as SnapshotOutputs,
      reveal(news) as unknown as SnapshotInputs,
    );
    return { outs: stateOutputs(updated.outs, news) };
  });
}

export async function readSnapshot(id: string, props: PropertyMap): Promise<provider.ReadResult> {
  return guarded([props], async () => {
    const read = await engine().readSnapshot(id, reveal(props) as unknown as SnapshotOutputs);
    // No id: the object is gone, and the engine drops the resource from state.
    return read.props === undefined
      ? { id: read.id, props: {} }
      : { id: read.id, props: stateOutputs(read.props, props) };
  });
}

export async function deleteSnapshot(props: PropertyMap): Promise<void> {
  await guarded([props], async () => {
    await engine().deleteSnapshotObject(reveal(props) as unknown as SnapshotOutputs);
  });
}
