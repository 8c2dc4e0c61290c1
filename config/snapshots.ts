/**
 * The `snapshots` key of a stack: a list of entries, each the engine's spec plus the resource's own
 * switches. Every mistake of every entry is pushed into the reading's list of problems.
 */
import { posix } from "node:path";
import {
  defaultSnapshotKey,
  validateSnapshotInputs,
  type ParamValue,
  type Plan,
  type SnapshotSpec,
  type SourcedSnapshotSpec,
  type SourceDefinition,
} from "@api-s3-load/snapshot-engine";
import { ConfigError, nearestName } from "./problems";
import { resolveSnapshotSource, type ParsedSources } from "./sources";

/** A snapshot's declared source as resolved from its `source` name (none: CoinGecko). */
type ResolvedSource = ReturnType<typeof resolveSnapshotSource>;

/** A configured snapshot: the engine's spec plus the resource's own switches. */
export interface SnapshotConfig extends SourcedSnapshotSpec {
  /** Take over an object at `key` that this stack did not write. */
  adopt?: boolean;
  /** Any new value forces a refetch on the next deploy. */
  refresh?: string;
  /** The declared source, resolved from the entry's `source` name; CoinGecko when absent. */
  source?: SourceDefinition;
}

/** Every field a `snapshots` entry may have; anything else is a typo worth an error. */
export const SNAPSHOT_FIELDS = [
  "name",
  "endpoint",
  "params",
  "pages",
  "key",
  "maxAge",
  "minItems",
  "maxBytes",
  "timeoutSeconds",
  "requiredFields",
  "gzip",
  "cacheControl",
  "tags",
  "adopt",
  "refresh",
  "source",
  "maxPages",
] as const;

/** The snapshot a stack gets when `snapshots` is unset: the original script's market data. */
export const DEFAULT_SNAPSHOTS: readonly SnapshotSpec[] = Object.freeze([
  {
    name: "coins-markets",
    endpoint: "coins/markets",
    params: { vs_currency: "usd", order: "market_cap_desc", per_page: 100, page: 1 },
    key: defaultSnapshotKey("coins-markets"),
  },
]);

const STACK_WIDE_INPUTS: readonly string[] = ["plan", "apiKey", "baseUrl", "bucket"];

/** Reads the `snapshots` key; the default snapshot when it is unset. */
export function parseSnapshots(
  value: unknown,
  plan: Plan,
  problems: ConfigError[],
  sources: ParsedSources,
): SnapshotConfig[] {
  problems.push(...sources.problems);
  if (value === undefined || value === null) {
    return DEFAULT_SNAPSHOTS.map((s) => ({ ...s, params: { ...s.params } }));
  }
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(
      new ConfigError(
        "snapshots",
        "is not a non-empty list",
        "Use a list of `{name, endpoint, params}` entries, or unset it to get the default `coins-markets` snapshot.",
      ),
    );
    return [];
  }
  const specs = value.flatMap((entry, index) => {
    const resolved =
      typeof entry === "object" && entry !== null && !Array.isArray(entry)
        ? resolveSnapshotSource(entry as Record<string, unknown>, `snapshots[${index}]`, sources)
        : {};
    const entryProblems = [
      ...(resolved.problem ? [resolved.problem] : []),
      ...snapshotProblems(entry, index, plan, resolved),
    ];
    problems.push(...entryProblems);
    return entryProblems.length === 0
      ? [toSnapshotConfig(entry as Record<string, unknown>, resolved)]
      : [];
  });
  if (specs.length === value.length) {
    problems.push(...repeats(specs, "name"), ...repeats(specs, "key"));
  }
  return specs;
}

/** Every mistake in one `snapshots` entry: unknown fields, wrong types, invalid values. */
function snapshotProblems(
  entry: unknown,
  index: number,
  plan: Plan,
  resolved: ResolvedSource,
): ConfigError[] {
  const where = `snapshots[${index}]`;
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    return [new ConfigError(where, "is not an object", "Use `{name, endpoint, params}`.")];
  }
  const e = entry as Record<string, unknown>;
  const problems = Object.keys(e)
    .filter((field) => !(SNAPSHOT_FIELDS as readonly string[]).includes(field))
    .map((field) => {
      const near = nearestName(field, SNAPSHOT_FIELDS);
      return new ConfigError(
        `${where}.${field}`,
        "is not a snapshot field",
        near
          ? `Did you mean \`${near}\`?`
          : `Use only ${SNAPSHOT_FIELDS.map((f) => `\`${f}\``).join(", ")}.`,
      );
    });
  if (e.adopt !== undefined && typeof e.adopt !== "boolean") {
    problems.push(
      new ConfigError(`${where}.adopt`, `is ${JSON.stringify(e.adopt)}`, "Use true or false."),
    );
  }
  if (e.refresh !== undefined && typeof e.refresh !== "string") {
    problems.push(
      new ConfigError(
        `${where}.refresh`,
        `is ${JSON.stringify(e.refresh)}`,
        'Use a string, such as a date ("2026-11-30"); change it to force a refetch.',
      ),
    );
  }
  // The plan and key are stack-wide and checked once in checkStackConfig; here only the entry's own.
  // A source's own problems are reported under `sources`.
  const failures = validateSnapshotInputs({ ...toSnapshotConfig(e, resolved), plan }).filter(
    (failure) =>
      !STACK_WIDE_INPUTS.includes(failure.property) && !failure.property.startsWith("source."),
  );
  for (const { property, reason } of failures) {
    problems.push(
      new ConfigError(
        `${where}.${property}`,
        `is invalid: ${reason.replace(/\.$/, "")}`,
        "Correct it in the stack file.",
      ),
    );
  }
  return problems;
}

/** An entry as the engine takes it: unnamed fields defaulted (the key from the name). */
function toSnapshotConfig(e: Record<string, unknown>, resolved: ResolvedSource): SnapshotConfig {
  const name = typeof e.name === "string" ? e.name : "";
  const { source: _sourceName, ...fields } = e;
  return {
    ...(fields as Partial<SnapshotConfig>),
    name,
    endpoint: e.endpoint as string,
    params: (e.params ?? {}) as Record<string, ParamValue>,
    key:
      resolved.key ??
      (typeof e.key === "string" && e.key !== "" ? e.key : defaultSnapshotKey(name)),
    ...(resolved.source ? { source: resolved.source } : {}),
  };
}

/**
 * The object a key names once a server maps it to a path: leading slashes and `.`/`..` segments
 * resolved. Two keys with the same normal form would write one object.
 */
export function normalizeKey(key: string): string {
  return posix.normalize(key.replace(/^\/+/, "")).replace(/^(\.\/)+/, "");
}

/** Each entry that repeats an earlier one's name or key (two entries writing one object). */
function repeats(specs: SnapshotConfig[], field: "name" | "key"): ConfigError[] {
  const seen = new Map<string, string>();
  const problems: ConfigError[] = [];
  for (const [index, spec] of specs.entries()) {
    const value = spec[field];
    const id = field === "key" ? normalizeKey(value) : value;
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      problems.push(
        new ConfigError(
          `snapshots[${index}].${field}`,
          earlier === value
            ? `repeats "${value}"`
            : `"${value}" names the same object as "${earlier}"`,
          `Give every snapshot its own ${field}: two snapshots writing one object would overwrite each other.`,
        ),
      );
    }
    seen.set(id, value);
  }
  return problems;
}
