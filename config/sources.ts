/**
 * Reads `api-s3-load:sources`, the declared APIs (docs/sources.md), and resolves each snapshot's
 * `source`. Returns every problem rather than throwing the first, so one run names them all before
 * anything is fetched.
 */
import {
  COINGECKO_PRESET_NAME,
  declaredPageSize,
  sourceProblems,
  sourcedSnapshotKey,
  type SourceDefinition,
} from "@api-s3-load/snapshot-engine";
import { ConfigError, nearestName } from "./problems";

/** The built-in preset: a snapshot without `source` (or with `source: coingecko`) is CoinGecko's. */
export const COINGECKO_PRESET = COINGECKO_PRESET_NAME;

const SOURCE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface ParsedSources {
  /** The sources without problems, by name. */
  sources: Record<string, SourceDefinition>;
  /** Every name declared, with problems or not (a snapshot naming one is not a typo). */
  declared: string[];
  /** Every declared source as written, problems or not. */
  written: Record<string, Partial<SourceDefinition>>;
  problems: ConfigError[];
}

/** One `ConfigError` per problem, the fix after the first colon of the engine's sentence. */
function toConfigError(key: string, sentence: string): ConfigError {
  const at = sentence.indexOf(": ");
  const problem = at < 0 ? sentence : sentence.slice(0, at);
  const fix = at < 0 ? "Correct it in the stack file." : sentence.slice(at + 2);
  return new ConfigError(key, problem, `${fix.charAt(0).toUpperCase()}${fix.slice(1)}.`);
}

/**
 * The declared sources and every problem with them. `isSet` tells whether a config key (one named
 * by `auth.secret`) has a value.
 */
export function parseSources(
  raw: unknown,
  isSet: (key: string) => boolean,
  isSecret: (key: string) => boolean | undefined = () => undefined,
): ParsedSources {
  const sources: Record<string, SourceDefinition> = {};
  const problems: ConfigError[] = [];
  const declared: string[] = [];
  const written: Record<string, Partial<SourceDefinition>> = {};
  if (raw === undefined || raw === null) {
    return { sources, declared, written, problems };
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    problems.push(
      new ConfigError(
        "sources",
        "is not a map of source names to sources",
        "Use `sources: { github: { baseUrl: https://api.github.com, … } }` (docs/sources.md).",
      ),
    );
    return { sources, declared, written, problems };
  }
  for (const [name, definition] of Object.entries(raw as Record<string, unknown>)) {
    if (name === COINGECKO_PRESET) {
      problems.push(
        new ConfigError(
          `sources.${name}`,
          "redefines the built-in CoinGecko preset",
          "Give the source another name; CoinGecko is configured with `coingeckoPlan`, `coingeckoApiKey` and `coingeckoBaseUrl`.",
        ),
      );
      continue;
    }
    if (!SOURCE_NAME.test(name)) {
      problems.push(
        new ConfigError(
          `sources.${name}`,
          "is not a source name",
          "Use 1–63 lowercase letters, digits or dashes (it becomes the first segment of the object key).",
        ),
      );
      continue;
    }
    declared.push(name);
    written[name] = (definition ?? {}) as Partial<SourceDefinition>;
    const found = sourceProblems(definition, isSet);
    for (const { field, problem } of found) {
      problems.push(toConfigError(`sources.${name}${field ? `.${field}` : ""}`, problem));
    }
    const secret = (definition as { auth?: { secret?: unknown } }).auth?.secret;
    if (found.length === 0 && typeof secret === "string" && isSecret(secret) === false) {
      found.push({ field: "auth.secret", problem: "" });
      problems.push(
        new ConfigError(
          secret,
          `(the key of source "${name}") is stored in plaintext in the stack's config file`,
          `Set it again with \`pulumi config set --secret ${secret} <key>\` so it is encrypted; rotate the key if that file was shared.`,
        ),
      );
    }
    if (found.length === 0) {
      sources[name] = { ...(definition as Omit<SourceDefinition, "name">), name };
    }
  }
  return { sources, declared, written, problems };
}

/** The config keys `auth.secret` names: settings of this project, not typos. */
export function sourceSecretKeys(raw: unknown): string[] {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return [];
  }
  return Object.values(raw as Record<string, unknown>)
    .map((definition) => (definition as { auth?: { secret?: unknown } } | null)?.auth?.secret)
    .filter((secret): secret is string => typeof secret === "string");
}

/**
 * A `snapshots` entry's source: undefined for CoinGecko, the definition for a declared one, with
 * the default key `<source>/<name>.json`; or the problem of a name that is not declared.
 */
export function resolveSnapshotSource(
  entry: Record<string, unknown>,
  where: string,
  parsed: ParsedSources,
): { source?: SourceDefinition; key?: string; problem?: ConfigError } {
  const name = entry.source;
  if (name === undefined || name === COINGECKO_PRESET) {
    return {};
  }
  if (typeof name !== "string" || !parsed.declared.includes(name)) {
    const known = [COINGECKO_PRESET, ...parsed.declared];
    const near = typeof name === "string" ? nearestName(name, known) : undefined;
    return {
      problem: new ConfigError(
        `${where}.source`,
        `is ${JSON.stringify(name)}, which is not a declared source`,
        `${near ? `Did you mean \`${near}\`? ` : ""}Declare it under \`sources\`, or use one of ${known.map((k) => `\`${k}\``).join(", ")}.`,
      ),
    };
  }
  const source = parsed.sources[name];
  const key =
    typeof entry.key === "string" && entry.key !== ""
      ? entry.key
      : sourcedSnapshotKey(name, typeof entry.name === "string" ? entry.name : "");
  // A source with problems of its own is reported under `sources`; the snapshot waits for it.
  const pagination = parsed.written[name]?.pagination;
  const params = (entry.params ?? {}) as Record<string, unknown>;
  if (pagination?.type === "offset" && declaredPageSize(pagination, params) === undefined) {
    const sizeParam = pagination.sizeParam ?? "limit";
    return {
      source,
      key,
      problem: new ConfigError(
        `${where}.params.${sizeParam}`,
        `is not set, and offset source "${name}" has no \`pagination.pageSize\``,
        `Set the page size as \`params.${sizeParam}\` of the snapshot, or as \`pagination.pageSize\` of the source.`,
      ),
    };
  }
  return { source, key };
}
