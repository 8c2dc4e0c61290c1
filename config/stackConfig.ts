/**
 * Turns a stack's raw configuration into validated, typed settings.
 *
 * Pure: it takes plain values (what `pulumi.Config` returns) and either returns settings or throws
 * a `ConfigError` whose message names the key, the problem and the fix. Keeping it free of Pulumi
 * lets the program, `npm start` and the tests share one reading of the config.
 */
import { posix } from "node:path";
import type { AclMode } from "../components/privateBucket/privateBucket";
import {
  defaultSnapshotKey,
  isPlan,
  PLAN_NAMES,
  planDefaults,
  validateSnapshotInputs,
  type ParamValue,
  type Plan,
  type SnapshotSpec,
  type SourcedSnapshotSpec,
  type SourceDefinition,
} from "@api-s3-load/snapshot-engine";
import { configProblems, parseSources, resolveSnapshotSource, sourceSecretKeys } from "./sources";
import type { ParsedSources } from "./sources";

export const PROJECT = "api-s3-load";

/** The raw values of the project's config keys, as read from `pulumi.Config` or the command line. */
export interface RawConfig {
  bucketName?: string;
  forceDestroy?: boolean;
  protect?: boolean;
  aclMode?: string;
  kmsKeyId?: string;
  noncurrentVersionDays?: number;
  tags?: unknown;
  coingeckoPlan?: string;
  /** Only whether a key is set matters here; the key itself stays a secret Output in the program. */
  hasApiKey: boolean;
  /** False when the key sits in plaintext in the stack file; undefined when that cannot be told. */
  apiKeyIsSecret?: boolean;
  coingeckoBaseUrl?: string;
  coingeckoCallsPerMinute?: number;
  snapshots?: unknown;
  /** `api-s3-load:sources` (config/sources.ts), and whether a key `auth.secret` names is set. */
  sources?: unknown;
  isSet?: (key: string) => boolean;
  isSecret?: (key: string) => boolean | undefined;
}

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

export interface StackSettings {
  bucketName?: string;
  forceDestroy: boolean;
  protect: boolean;
  aclMode: AclMode;
  kmsKeyId?: string;
  noncurrentVersionDays: number;
  tags: Record<string, string>;
  plan: Plan;
  baseUrl: string;
  callsPerMinute?: number;
  snapshots: SnapshotConfig[];
}

export class ConfigError extends Error {
  /**
   * @param subject How the value is named for this command; the stack config key by default.
   */
  constructor(key: string, problem: string, fix: string, subject = `Config \`${PROJECT}:${key}\``) {
    super(`${subject} ${problem}. ${fix}`);
    this.name = "ConfigError";
  }
}

/**
 * Where config values come from. `pulumi.Config` satisfies it in the program; `npm start` reads the
 * stack file through an object of the same shape (cli/stackFile.ts). The typed getters throw on a
 * value of the wrong type, as `pulumi.Config`'s do.
 */
export interface ConfigSource {
  get(key: string): string | undefined;
  getBoolean(key: string): boolean | undefined;
  getNumber(key: string): number | undefined;
  getObject<T>(key: string): T | undefined;
}

/**
 * How a command takes the API key and the plan, so an error about them names what the user of that
 * command can change: stack config for the program, environment variables and flags for `npm start`.
 */
export interface KeyAdvice {
  /** Names the key as the subject of a sentence. */
  key: string;
  /** Names the plan setting inside a sentence. */
  plan: string;
  /** A sentence: how to supply the key. */
  setKey: string;
  /** How to choose a plan, given its name. */
  setPlan: (plan: string) => string;
  /** A sentence: how to remove the key. */
  removeKey: string;
  /**
   * What to do besides encrypting a key found in plaintext in the stack file, for a command that
   * does not take the key from there; undefined for the Pulumi CLI.
   */
  plaintextKey?: string;
}

export const PULUMI_KEY_ADVICE: KeyAdvice = {
  key: `Config \`${PROJECT}:coingeckoApiKey\``,
  plan: "`coingeckoPlan`",
  setKey: `Set it with \`pulumi config set --secret ${PROJECT}:coingeckoApiKey <key>\``,
  setPlan: (plan) => `set \`coingeckoPlan\` to "${plan}"`,
  removeKey: "remove the key",
};

/** What a config source cannot say itself: whether a key is set, and whether it is stored encrypted. */
export interface ApiKeyPresence {
  hasApiKey: boolean;
  /** False when the key sits in plaintext in the stack's config file; undefined when unknown. */
  apiKeyIsSecret?: boolean;
  /** Defaults to the Pulumi CLI's wording. */
  advice?: KeyAdvice;
  /**
   * Every config key the stack sets, by full name, so a misspelt one of this project is refused
   * rather than silently ignored (the Pulumi CLI passes undeclared keys through). Unchecked when
   * omitted.
   */
  configKeys?: readonly string[];
  /**
   * How a value that did not come from the stack file is named in errors, by short key: a command
   * line flag or an environment variable (`--plan`, `COINGECKO_BASE_URL`).
   */
  origins?: Readonly<Partial<Record<keyof RawConfig, string>>>;
  /** Whether a key a source's `auth.secret` names is set; by default, whether the source has it. */
  isSet?: (key: string) => boolean;
  /** Whether such a key is stored encrypted (false: plaintext); undefined when unknown. */
  isSecret?: (key: string) => boolean | undefined;
}

/** The project's own config keys: what readStackConfig reads, and the API key read beside it. */
export const PROJECT_CONFIG_KEYS: readonly string[] = [
  "bucketName",
  "forceDestroy",
  "protect",
  "aclMode",
  "kmsKeyId",
  "noncurrentVersionDays",
  "tags",
  "coingeckoPlan",
  "coingeckoApiKey",
  "coingeckoBaseUrl",
  "coingeckoCallsPerMinute",
  "snapshots",
  "sources",
];

/**
 * A key of this project's namespace that the project does not read: almost always a typo, which
 * would otherwise leave the setting at its default without a word.
 */
export function unknownKeyProblem(
  configKeys: readonly string[],
  secretKeys: readonly string[] = [],
): ConfigError | undefined {
  const prefix = `${PROJECT}:`;
  const unknown = configKeys
    .filter((key) => key.startsWith(prefix))
    .map((key) => key.slice(prefix.length))
    .find((key) => !PROJECT_CONFIG_KEYS.includes(key) && !secretKeys.includes(key));
  if (unknown === undefined) {
    return undefined;
  }
  const nearest = nearestName(unknown, PROJECT_CONFIG_KEYS);
  const guess = nearest ? `Did you mean \`${nearest}\`? ` : "";
  return new ConfigError(
    unknown,
    "is not a setting of this project",
    `${guess}Fix its name in the stack file, or remove it (settings: ${PROJECT_CONFIG_KEYS.join(", ")}).`,
  );
}

/**
 * The known name a typo most likely meant, or undefined when none is close: the one rule for
 * misspelt config keys and misspelt fields of a `snapshots` entry.
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const nearest = [...known].sort((a, b) => editDistance(name, a) - editDistance(name, b))[0];
  return nearest !== undefined &&
    editDistance(name, nearest) <= Math.max(2, Math.floor(nearest.length / 4))
    ? nearest
    : undefined;
}

/** Levenshtein distance, for suggesting the key a typo meant. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * Reads and validates the project's config from a source: the one reading the program and
 * `npm start` share, so a value one refuses the other refuses with the same message.
 */
export function readStackConfig(source: ConfigSource, presence: ApiKeyPresence): StackSettings {
  const typed = <T>(key: string, kind: string, fix: string, read: () => T | undefined) => {
    try {
      return read();
    } catch {
      throw new ConfigError(key, `is ${JSON.stringify(rawValue(source, key))}, not ${kind}`, fix);
    }
  };
  const bool = (key: string) =>
    typed(key, "a boolean", "Use true or false.", () => source.getBoolean(key));
  // pulumi.Config reads a number with parseFloat, which takes "10abc" as 10; the Pulumi CLI refuses
  // such text against the declared type before the program runs, so the reading refuses it too.
  const num = (key: string) =>
    typed(key, "a number", "Use a whole number, such as 30.", () => {
      const text = source.get(key);
      if (text !== undefined && !NUMBER_TEXT.test(text.trim())) {
        throw new TypeError(`${key} is not a number`);
      }
      return source.getNumber(key);
    });
  const obj = (key: string, fix: string) =>
    typed(key, "valid structured config", fix, () => source.getObject<unknown>(key));
  const str = (key: string) => source.get(key);
  const sources = obj("sources", "Use a map of source names to sources (docs/sources.md).");
  // A key named by a source's `auth.secret` is a setting of this project, not a typo.
  const unknown = unknownKeyProblem(presence.configKeys ?? [], sourceSecretKeys(sources));
  if (unknown) {
    throw unknown;
  }
  return parseStackConfig(
    {
      bucketName: str("bucketName"),
      forceDestroy: bool("forceDestroy"),
      protect: bool("protect"),
      aclMode: str("aclMode"),
      kmsKeyId: str("kmsKeyId"),
      noncurrentVersionDays: num("noncurrentVersionDays"),
      tags: obj("tags", "Use a map of strings, e.g. `tags: {team: data}` in the stack file."),
      coingeckoPlan: str("coingeckoPlan"),
      hasApiKey: presence.hasApiKey,
      apiKeyIsSecret: presence.apiKeyIsSecret,
      coingeckoBaseUrl: str("coingeckoBaseUrl"),
      coingeckoCallsPerMinute: num("coingeckoCallsPerMinute"),
      snapshots: obj("snapshots", "Use a list of `{name, endpoint, params}` entries."),
      sources,
      isSet: presence.isSet ?? ((key) => (rawValue(source, key) ?? "") !== ""),
      isSecret: presence.isSecret,
    },
    presence.advice,
    presence.origins,
  );
}

/** A number written out in full: digits, an optional sign, fraction and exponent; nothing else. */
const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function rawValue(source: ConfigSource, key: string): unknown {
  try {
    return source.get(key);
  } catch {
    return undefined;
  }
}

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
const ACL_MODES: readonly AclMode[] = ["disabled", "private"];
// S3's rules for general purpose bucket names, less the IP-address form, which we never want.
const BUCKET_NAME =
  /^(?!xn--)(?!sthree-)(?!.*--ol-s3$)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function parseStackConfig(
  raw: RawConfig,
  advice: KeyAdvice = PULUMI_KEY_ADVICE,
  origins: ApiKeyPresence["origins"] = {},
): StackSettings {
  const subject = (key: keyof RawConfig) =>
    origins[key] === undefined ? undefined : `\`${origins[key]}\``;
  const plan = parsePlan(raw.coingeckoPlan, subject("coingeckoPlan"));
  const keyError = (problem: string, fix: string) =>
    new ConfigError("coingeckoApiKey", problem, fix, advice.key);
  if (plan !== "public" && !raw.hasApiKey) {
    throw keyError(
      `is required when ${advice.plan} is "${plan}"`,
      `${advice.setKey}, or ${advice.setPlan("public")}.`,
    );
  }
  if (raw.hasApiKey && raw.apiKeyIsSecret === false) {
    // The stack file's key is named as the stack file names it, whichever command read it.
    throw new ConfigError(
      "coingeckoApiKey",
      "is stored in plaintext in the stack's config file",
      `Set it again with \`pulumi config set --secret ${PROJECT}:coingeckoApiKey <key>\` so it is encrypted${advice.plaintextKey ? `, or ${advice.plaintextKey}` : ""}; rotate the key if that file was shared.`,
    );
  }
  if (plan === "public" && raw.hasApiKey) {
    throw keyError(
      `is set, but ${advice.plan} is "public", which sends no key`,
      `${capitalize(advice.setPlan("demo"))} for a Demo key or ${advice.setPlan("pro")} for a paid key, or ${advice.removeKey}.`,
    );
  }
  return {
    bucketName: parseBucketName(raw.bucketName),
    forceDestroy: raw.forceDestroy ?? false,
    protect: raw.protect ?? false,
    aclMode: parseAclMode(raw.aclMode),
    kmsKeyId: raw.kmsKeyId || undefined,
    noncurrentVersionDays: parsePositiveInteger(
      "noncurrentVersionDays",
      raw.noncurrentVersionDays,
      90,
    ),
    tags: parseTags(raw.tags),
    plan,
    baseUrl:
      parseBaseUrl(raw.coingeckoBaseUrl, subject("coingeckoBaseUrl")) ?? planDefaults(plan).baseUrl,
    // 0, the declared default, means the plan's own limit.
    callsPerMinute:
      raw.coingeckoCallsPerMinute === undefined || raw.coingeckoCallsPerMinute === 0
        ? undefined
        : parsePositiveInteger("coingeckoCallsPerMinute", raw.coingeckoCallsPerMinute, 1),
    snapshots: parseSnapshots(
      raw.snapshots,
      plan,
      parseSources(raw.sources, raw.isSet ?? (() => false), raw.isSecret),
    ),
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function parsePlan(value: string | undefined, subject?: string): Plan {
  if (value === undefined || value === "") {
    return "public";
  }
  if (!isPlan(value)) {
    throw new ConfigError(
      "coingeckoPlan",
      `is "${value}", which is not a CoinGecko plan`,
      `Use one of ${PLAN_NAMES.map((p) => `"${p}"`).join(", ")}.`,
      subject,
    );
  }
  return value;
}

function parseAclMode(value: string | undefined): AclMode {
  if (value === undefined || value === "") {
    return "disabled";
  }
  if (!(ACL_MODES as readonly string[]).includes(value)) {
    throw new ConfigError(
      "aclMode",
      `is "${value}"`,
      `Use "disabled" (ACLs off, the AWS default) or "private" (a private canned ACL for accounts that need ACLs).`,
    );
  }
  return value as AclMode;
}

function parseBucketName(value: string | undefined): string | undefined {
  if (value === undefined || value === "") {
    return undefined;
  }
  const problem = bucketNameProblem(value);
  if (problem) {
    throw new ConfigError(
      "bucketName",
      problem,
      `${BUCKET_NAME_RULES}, or unset it to get a generated name.`,
    );
  }
  return value;
}

/** S3's naming rules as a fix sentence, for every command that takes a bucket name. */
export const BUCKET_NAME_RULES =
  "Use 3-63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit";

/**
 * Why a bucket name is not one S3 (or the embedded server, which makes a folder of it) accepts, or
 * undefined when it is valid. The one rule for `bucketName` in config and `npm start --bucket`.
 */
export function bucketNameProblem(value: string): string | undefined {
  if (value === "") {
    return "is empty";
  }
  if (!BUCKET_NAME.test(value) || value.includes("..")) {
    return `is "${value}", which is not a valid S3 bucket name`;
  }
  return undefined;
}

function parseBaseUrl(value: string | undefined, subject?: string): string | undefined {
  if (value === undefined || value === "") {
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      "coingeckoBaseUrl",
      `is "${value}", which is not a URL`,
      "Use an absolute URL such as https://api.coingecko.com/api/v3.",
      subject,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(
      "coingeckoBaseUrl",
      `uses the scheme "${url.protocol}"`,
      "Use an http:// or https:// URL.",
      subject,
    );
  }
  if (url.search || url.username || url.password) {
    throw new ConfigError(
      "coingeckoBaseUrl",
      "carries a query string or credentials",
      "Remove them: the API key belongs in the secret `coingeckoApiKey`, never in a URL.",
      subject,
    );
  }
  return value.replace(/\/+$/, "");
}

function parsePositiveInteger(key: string, value: number | undefined, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(key, `is ${JSON.stringify(value)}`, "Use a whole number of at least 1.");
  }
  return value;
}

function parseTags(value: unknown): Record<string, string> {
  if (value === undefined || value === null) {
    return {};
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(
      "tags",
      "is not a map",
      "Use a map of strings, e.g. `tags: {team: data}` in the stack file.",
    );
  }
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") {
      throw new ConfigError(
        "tags",
        `has a non-string value for "${k}"`,
        "Quote the value in the stack file.",
      );
    }
    tags[k] = v;
  }
  return tags;
}

function parseSnapshots(value: unknown, plan: Plan, sources: ParsedSources): SnapshotConfig[] {
  if (sources.problems.length > 0 && (value === undefined || value === null)) {
    throw configProblems(sources.problems);
  }
  if (value === undefined || value === null) {
    return DEFAULT_SNAPSHOTS.map((s) => ({ ...s, params: { ...s.params } }));
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError(
      "snapshots",
      "is not a non-empty list",
      "Use a list of `{name, endpoint, params}` entries, or unset it to get the default `coins-markets` snapshot.",
    );
  }
  const resolved = value.map((entry, index) =>
    typeof entry === "object" && entry !== null && !Array.isArray(entry)
      ? resolveSnapshotSource(entry as Record<string, unknown>, `snapshots[${index}]`, sources)
      : {},
  );
  const problems = [
    ...sources.problems,
    ...resolved.flatMap((r) => (r.problem ? [r.problem] : [])),
  ];
  if (problems.length > 0) {
    throw configProblems(problems);
  }
  const specs = value.map((entry, index) => parseSnapshot(entry, index, plan, resolved[index]));
  assertUnique(specs, "name");
  assertUnique(specs, "key");
  return specs;
}

function parseSnapshot(
  entry: unknown,
  index: number,
  plan: Plan,
  resolved: ReturnType<typeof resolveSnapshotSource> = {},
): SnapshotConfig {
  const where = `snapshots[${index}]`;
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    throw new ConfigError(where, "is not an object", "Use `{name, endpoint, params}`.");
  }
  const e = entry as Record<string, unknown>;
  for (const field of Object.keys(e)) {
    if (!(SNAPSHOT_FIELDS as readonly string[]).includes(field)) {
      const near = nearestName(field, SNAPSHOT_FIELDS);
      throw new ConfigError(
        `${where}.${field}`,
        "is not a snapshot field",
        near
          ? `Did you mean \`${near}\`?`
          : `Use only ${SNAPSHOT_FIELDS.map((f) => `\`${f}\``).join(", ")}.`,
      );
    }
  }
  if (e.adopt !== undefined && typeof e.adopt !== "boolean") {
    throw new ConfigError(`${where}.adopt`, `is ${JSON.stringify(e.adopt)}`, "Use true or false.");
  }
  if (e.refresh !== undefined && typeof e.refresh !== "string") {
    throw new ConfigError(
      `${where}.refresh`,
      `is ${JSON.stringify(e.refresh)}`,
      'Use a string, such as a date ("2026-11-30"); change it to force a refetch.',
    );
  }
  const name = typeof e.name === "string" ? e.name : "";
  const { source: _sourceName, ...fields } = e;
  const spec: SnapshotConfig = {
    ...(fields as Partial<SnapshotConfig>),
    name,
    endpoint: e.endpoint as string,
    params: (e.params ?? {}) as Record<string, ParamValue>,
    key:
      resolved.key ??
      (typeof e.key === "string" && e.key !== "" ? e.key : defaultSnapshotKey(name)),
    ...(resolved.source ? { source: resolved.source } : {}),
  };
  // The plan and key are stack-wide and checked once in parseStackConfig; here only the entry's own fields.
  // A source's own problems were reported under `sources`.
  const failures = validateSnapshotInputs({ ...spec, plan }).filter(
    (failure) =>
      !STACK_WIDE_INPUTS.includes(failure.property) && !failure.property.startsWith("source."),
  );
  if (failures.length > 0) {
    const { property, reason } = failures[0];
    throw new ConfigError(
      `${where}.${property}`,
      `is invalid: ${reason.replace(/\.$/, "")}`,
      "Correct it in the stack file.",
    );
  }
  return spec;
}

/**
 * The object a key names once a server maps it to a path: leading slashes and `.`/`..` segments
 * resolved. Two keys with the same normal form would write one object.
 */
export function normalizeKey(key: string): string {
  return posix.normalize(key.replace(/^\/+/, "")).replace(/^(\.\/)+/, "");
}

function assertUnique(specs: SnapshotConfig[], field: "name" | "key"): void {
  const seen = new Map<string, string>();
  for (const [index, spec] of specs.entries()) {
    const value = spec[field];
    const id = field === "key" ? normalizeKey(value) : value;
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      throw new ConfigError(
        `snapshots[${index}].${field}`,
        earlier === value
          ? `repeats "${value}"`
          : `"${value}" names the same object as "${earlier}"`,
        `Give every snapshot its own ${field}: two snapshots writing one object would overwrite each other.`,
      );
    }
    seen.set(id, value);
  }
}
