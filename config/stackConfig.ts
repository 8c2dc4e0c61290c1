/**
 * Turns a stack's raw configuration into validated, typed settings.
 *
 * Pure: it takes plain values (what `pulumi.Config` returns) and either returns settings or throws
 * one `ConfigErrors` listing every mistake, each naming the key, the problem and the fix (see
 * config/problems.ts). Keeping it free of Pulumi lets the program, `npm start` and the tests share
 * one reading of the config.
 */
import type { AclMode } from "../components/privateBucket/privateBucket";
import { isPlan, PLAN_NAMES, planDefaults, type Plan } from "@api-s3-load/snapshot-engine";
import { collect, ConfigError, nearestName, PROJECT, throwIfAny } from "./problems";
import { parseSnapshots, type SnapshotConfig } from "./snapshots";
import { parseSources, sourceSecretKeys } from "./sources";

export { ConfigError, ConfigErrors, nearestName, PROJECT } from "./problems";
export { DEFAULT_SNAPSHOTS, normalizeKey, SNAPSHOT_FIELDS, type SnapshotConfig } from "./snapshots";

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

/** Namespaces of other packages a stack of this project may set; any other near ours is a typo. */
const OTHER_NAMESPACES: readonly string[] = ["aws", "pulumi"];

/**
 * Keys this project would not read: a key of its namespace it does not know, or a key whose
 * namespace is a misspelling of the project's (`api-s3-lod:forceDestroy`). Either is almost always
 * a typo, which would otherwise leave the setting at its default without a word.
 */
export function unknownKeyProblems(
  configKeys: readonly string[],
  secretKeys: readonly string[] = [],
): ConfigError[] {
  const problems: ConfigError[] = [];
  for (const fullKey of configKeys) {
    const colon = fullKey.indexOf(":");
    const namespace = colon < 0 ? PROJECT : fullKey.slice(0, colon);
    const key = fullKey.slice(colon + 1);
    if (namespace === PROJECT && !PROJECT_CONFIG_KEYS.includes(key) && !secretKeys.includes(key)) {
      const nearest = nearestName(key, PROJECT_CONFIG_KEYS);
      const guess = nearest ? `Did you mean \`${nearest}\`? ` : "";
      problems.push(
        new ConfigError(
          key,
          "is not a setting of this project",
          `${guess}Fix its name in the stack file, or remove it (settings: ${PROJECT_CONFIG_KEYS.join(", ")}).`,
        ),
      );
    } else if (
      namespace !== PROJECT &&
      !OTHER_NAMESPACES.includes(namespace) &&
      nearestName(namespace, [PROJECT]) !== undefined
    ) {
      problems.push(
        new ConfigError(
          key,
          `is in the namespace \`${namespace}\`, which nothing reads`,
          `Did you mean \`${PROJECT}:${key}\`? Fix the namespace in the stack file.`,
          `Config \`${fullKey}\``,
        ),
      );
    }
  }
  return problems;
}

/**
 * Reads and validates the project's config from a source: the one reading the program and
 * `npm start` share, so a value one refuses the other refuses with the same message. Every mistake
 * is collected, and all of them are thrown at the end as one `ConfigErrors`.
 */
export function readStackConfig(source: ConfigSource, presence: ApiKeyPresence): StackSettings {
  const typed = <T>(key: string, kind: string, fix: string, read: () => T | undefined) => {
    try {
      return read();
    } catch {
      problems.push(
        new ConfigError(key, `is ${JSON.stringify(rawValue(source, key))}, not ${kind}`, fix),
      );
      return undefined;
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
  const problems = unknownKeyProblems(presence.configKeys ?? [], sourceSecretKeys(sources));
  const settings = checkStackConfig(
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
    problems,
    presence.advice ?? PULUMI_KEY_ADVICE,
    presence.origins,
  );
  // A setting read by a module of its own pushes its ConfigError[] into `problems` here, so its
  // mistakes are named in the same run as all the others.
  throwIfAny(problems);
  return settings;
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

const ACL_MODES: readonly AclMode[] = ["disabled", "private"];
// S3's rules for general purpose bucket names, less the IP-address form, which we never want.
const BUCKET_NAME =
  /^(?!xn--)(?!sthree-)(?!.*--ol-s3$)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Validates raw values; throws one `ConfigErrors` naming every mistake. */
export function parseStackConfig(
  raw: RawConfig,
  advice: KeyAdvice = PULUMI_KEY_ADVICE,
  origins: ApiKeyPresence["origins"] = {},
): StackSettings {
  const problems: ConfigError[] = [];
  const settings = checkStackConfig(raw, problems, advice, origins);
  throwIfAny(problems);
  return settings;
}

/**
 * Validates raw values, pushing each mistake into `problems` and going on with a default in its
 * place, so one reading names them all. The settings are only meaningful when none was pushed.
 */
function checkStackConfig(
  raw: RawConfig,
  problems: ConfigError[],
  advice: KeyAdvice,
  origins: ApiKeyPresence["origins"] = {},
): StackSettings {
  const subject = (key: keyof RawConfig) =>
    origins[key] === undefined ? undefined : `\`${origins[key]}\``;
  const check = <T>(read: () => T, fallback: T) => collect(problems, read, fallback);
  const plan = check<Plan | undefined>(
    () => parsePlan(raw.coingeckoPlan, subject("coingeckoPlan")),
    undefined,
  );
  if (plan !== undefined) {
    problems.push(...apiKeyProblems(raw, plan, advice));
  }
  return {
    bucketName: check(() => parseBucketName(raw.bucketName), undefined),
    forceDestroy: raw.forceDestroy ?? false,
    protect: raw.protect ?? false,
    aclMode: check(() => parseAclMode(raw.aclMode), "disabled"),
    kmsKeyId: raw.kmsKeyId || undefined,
    noncurrentVersionDays: check(
      () => parsePositiveInteger("noncurrentVersionDays", raw.noncurrentVersionDays, 90),
      90,
    ),
    tags: parseTags(raw.tags, problems),
    plan: plan ?? "public",
    baseUrl:
      check(() => parseBaseUrl(raw.coingeckoBaseUrl, subject("coingeckoBaseUrl")), undefined) ??
      planDefaults(plan ?? "public").baseUrl,
    // 0, the declared default, means the plan's own limit.
    callsPerMinute:
      raw.coingeckoCallsPerMinute === undefined || raw.coingeckoCallsPerMinute === 0
        ? undefined
        : check(
            () => parsePositiveInteger("coingeckoCallsPerMinute", raw.coingeckoCallsPerMinute, 1),
            undefined,
          ),
    snapshots: parseSnapshots(
      raw.snapshots,
      plan ?? "public",
      problems,
      parseSources(raw.sources, raw.isSet ?? (() => false), raw.isSecret),
    ),
  };
}

/** What is wrong with the API key for this plan: missing, in plaintext, or set for no use. */
function apiKeyProblems(raw: RawConfig, plan: Plan, advice: KeyAdvice): ConfigError[] {
  const keyError = (problem: string, fix: string) =>
    new ConfigError("coingeckoApiKey", problem, fix, advice.key);
  const problems: ConfigError[] = [];
  if (plan !== "public" && !raw.hasApiKey) {
    problems.push(
      keyError(
        `is required when ${advice.plan} is "${plan}"`,
        `${advice.setKey}, or ${advice.setPlan("public")}.`,
      ),
    );
  }
  if (raw.hasApiKey && raw.apiKeyIsSecret === false) {
    // The stack file's key is named as the stack file names it, whichever command read it.
    problems.push(
      new ConfigError(
        "coingeckoApiKey",
        "is stored in plaintext in the stack's config file",
        `Set it again with \`pulumi config set --secret ${PROJECT}:coingeckoApiKey <key>\` so it is encrypted${advice.plaintextKey ? `, or ${advice.plaintextKey}` : ""}; rotate the key if that file was shared.`,
      ),
    );
  } else if (plan === "public" && raw.hasApiKey) {
    problems.push(
      keyError(
        `is set, but ${advice.plan} is "public", which sends no key`,
        `${capitalize(advice.setPlan("demo"))} for a Demo key or ${advice.setPlan("pro")} for a paid key, or ${advice.removeKey}.`,
      ),
    );
  }
  return problems;
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

function parseTags(value: unknown, problems: ConfigError[]): Record<string, string> {
  if (value === undefined || value === null) {
    return {};
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    problems.push(
      new ConfigError(
        "tags",
        "is not a map",
        "Use a map of strings, e.g. `tags: {team: data}` in the stack file.",
      ),
    );
    return {};
  }
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") {
      problems.push(
        new ConfigError(
          "tags",
          `has a non-string value for "${k}"`,
          "Quote the value in the stack file.",
        ),
      );
    }
    tags[k] = String(v);
  }
  return tags;
}
