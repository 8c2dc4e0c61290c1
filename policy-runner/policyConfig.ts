/**
 * A policy pack's config as the Pulumi CLI builds it before `Configure` (pulumi/pulumi
 * pkg/resource/analyzer/config.go, pkg/engine/update.go): the `--policy-pack-config` file parsed,
 * reconciled with each policy's defaults and the pack's initial config, validated against each
 * policy's `configSchema`. Shared by `npm run policy` and the host harness, so both configure a
 * pack as the CLI does.
 *
 * What the CLI does, and this module with it:
 * - `all` sets only an enforcement level for every policy; its other properties reach no policy.
 * - A name the pack does not define is kept and sent, and the pack never reads it, so it configures
 *   nothing; with properties but no level the CLI stops (`invalid enforcement level ""`).
 * - Each policy's resulting properties are validated against its schema; any error stops the run.
 * What it adds: a warning naming each ignored entry, with the closest policy name.
 */
import Ajv from "ajv";

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = [
  "advisory",
  "mandatory",
  "remediate",
  "disabled",
];

/** Config of one policy as a caller writes it: a bare level, or a level and properties. */
export type PolicyConfigEntry =
  EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>);

/** One entry after parsing: `""` is the CLI's "no level given". */
export interface PolicyConfigValue {
  enforcementLevel: EnforcementLevel | "";
  properties?: Record<string, unknown>;
}

/** What the reconciliation needs to know of a policy (from `GetAnalyzerInfo`). */
export interface PolicyMetadata {
  name: string;
  enforcementLevel: EnforcementLevel;
  configSchema?: { properties: Record<string, unknown>; required: string[] };
}

/** A config the CLI refuses: every reason, one per line. */
export class PolicyConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "PolicyConfigError";
  }
}

/** The reserved key for every policy's level. */
export const ALL = "all";
/** The reserved key for ESC environments, which only the CLI can open. */
export const ENVIRONMENTS = "environments";

function isLevel(value: unknown): value is EnforcementLevel {
  return typeof value === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface ParsedPolicyConfig {
  config: Record<string, PolicyConfigValue>;
  /** ESC environments the file names (`"environments": [...]`). */
  environments: string[];
}

/**
 * Parses a config object as the CLI parses the file: a string is a level, an object may carry
 * `enforcementLevel` and properties, `environments` lists ESC environments, and an entry with
 * neither level nor properties is dropped. Every malformed entry is reported at once.
 */
export function parsePolicyConfig(raw: Record<string, unknown>): ParsedPolicyConfig {
  const problems: string[] = [];
  const config: Record<string, PolicyConfigValue> = {};
  let environments: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (name === ENVIRONMENTS) {
      if (!Array.isArray(value) || value.some((e) => typeof e !== "string")) {
        problems.push(`"${ENVIRONMENTS}" must be an array of ESC environment names (strings).`);
      } else {
        environments = value as string[];
      }
      continue;
    }
    const levels = `one of ${ENFORCEMENT_LEVELS.map((l) => `"${l}"`).join(", ")}`;
    if (typeof value === "string") {
      if (isLevel(value)) {
        config[name] = { enforcementLevel: value };
      } else {
        problems.push(`"${name}": "${value}" is not an enforcement level; use ${levels}.`);
      }
    } else if (isRecord(value)) {
      const { enforcementLevel, ...properties } = value;
      if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
        problems.push(
          `"${name}".enforcementLevel: ${JSON.stringify(enforcementLevel)} is not an enforcement level; use ${levels}.`,
        );
        continue;
      }
      const hasProperties = Object.keys(properties).length > 0;
      if (enforcementLevel !== undefined || hasProperties) {
        config[name] = {
          enforcementLevel: enforcementLevel ?? "",
          ...(hasProperties ? { properties } : {}),
        };
      }
    } else {
      problems.push(
        `"${name}": ${JSON.stringify(value)} is neither an enforcement level nor an object; ` +
          `write ${levels}, or {"enforcementLevel": …, <property>: …}.`,
      );
    }
  }
  if (problems.length > 0) {
    throw new PolicyConfigError(problems);
  }
  return { config, environments };
}

/** Caller-written entries (`{name: "mandatory"}`) in the parsed form. */
export function fromEntries(entries: Record<string, PolicyConfigEntry>): ParsedPolicyConfig {
  return parsePolicyConfig(entries);
}

export interface ReconciledPolicyConfig {
  /** What `Configure` receives: every policy, plus any other name the config gave. */
  config: Record<string, PolicyConfigValue>;
  /** Entries the pack never reads, each a sentence with the fix. */
  warnings: string[];
}

function schemaDefaults(policy: PolicyMetadata): Record<string, unknown> | undefined {
  const defaults = Object.entries(policy.configSchema?.properties ?? {}).filter(
    ([, v]) => isRecord(v) && "default" in v,
  );
  return defaults.length > 0
    ? Object.fromEntries(defaults.map(([k, v]) => [k, (v as { default: unknown }).default]))
    : undefined;
}

/** config.go `applyConfig`: `all`'s level over every entry so far, then each entry by name. */
function applyConfig(
  result: Record<string, PolicyConfigValue>,
  given: Record<string, PolicyConfigValue>,
): void {
  const all = given[ALL];
  if (all !== undefined && isLevel(all.enforcementLevel)) {
    for (const [name, value] of Object.entries(result)) {
      result[name] = { ...value, enforcementLevel: all.enforcementLevel };
    }
  }
  for (const [name, value] of Object.entries(given)) {
    const current = result[name];
    const properties =
      value.properties !== undefined || current?.properties !== undefined
        ? { ...current?.properties, ...value.properties }
        : undefined;
    result[name] = {
      enforcementLevel: isLevel(value.enforcementLevel)
        ? value.enforcementLevel
        : (current?.enforcementLevel ?? ""),
      ...(properties ? { properties } : {}),
    };
  }
}

const ajv = new Ajv({ allErrors: true });

/** config.go `validatePolicyConfig`: the properties against `{type: object, properties, required}`. */
function schemaProblems(policy: PolicyMetadata, properties: Record<string, unknown>): string[] {
  const schema = policy.configSchema;
  if (schema === undefined) {
    return [];
  }
  const validate = ajv.compile({
    type: "object",
    ...(Object.keys(schema.properties).length > 0 ? { properties: schema.properties } : {}),
    ...(schema.required.length > 0 ? { required: schema.required } : {}),
  });
  if (validate(properties)) {
    return [];
  }
  return (validate.errors ?? []).map((e) => {
    const where = e.dataPath.replace(/^\./, "") || "(root)";
    const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
    const detail = allowed ? ` (${allowed.map((a) => JSON.stringify(a)).join(", ")})` : "";
    return `${policy.name}: ${where}: ${e.message ?? "is invalid"}${detail}`;
  });
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j] + 1,
        row[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length];
}

/** The policy name closest to `name`, when it is close enough to be a typo. */
export function closestName(name: string, names: readonly string[]): string | undefined {
  const ranked = names
    .map((n) => ({ n, d: distance(name, n) }))
    .sort((x, y) => x.d - y.d || x.n.localeCompare(y.n));
  const best = ranked[0];
  return best !== undefined && best.d <= Math.max(3, Math.floor(name.length / 3))
    ? best.n
    : undefined;
}

/**
 * config.go `ReconcilePolicyPackConfig`, then the CLI's `Configure` check that every entry has a
 * level: defaults from each policy, then the pack's initial config, then `given`. Throws
 * `PolicyConfigError` with every problem the CLI would stop on.
 */
export function reconcilePolicyConfig(
  packName: string,
  policies: readonly PolicyMetadata[],
  initialConfig: Record<string, PolicyConfigValue>,
  given: Record<string, PolicyConfigValue>,
): ReconciledPolicyConfig {
  const result: Record<string, PolicyConfigValue> = {};
  for (const p of policies) {
    const properties = schemaDefaults(p);
    result[p.name] = {
      enforcementLevel: p.enforcementLevel,
      ...(properties ? { properties } : {}),
    };
  }
  applyConfig(result, initialConfig);
  applyConfig(result, given);

  const problems = policies.flatMap((p) => schemaProblems(p, result[p.name]?.properties ?? {}));
  const names = policies.map((p) => p.name);
  const warnings: string[] = [];
  for (const [name, value] of Object.entries(given)) {
    if (names.includes(name)) {
      continue;
    }
    const keys = Object.keys(value.properties ?? {});
    if (name === ALL) {
      if (value.enforcementLevel === "") {
        problems.push(
          `"all" sets ${keys.join(", ")} but no enforcementLevel: the CLI applies "all" as a level ` +
            'only, and stops with `invalid enforcement level ""`. Give "all" an enforcementLevel, ' +
            "and put properties under each policy's name.",
        );
      } else if (keys.length > 0) {
        warnings.push(
          `"all" sets ${keys.join(", ")}, which no policy reads: the CLI applies "all" as an ` +
            "enforcement level only. Put properties under each policy's name.",
        );
      }
      continue;
    }
    const guess = closestName(name, names);
    const hint = guess ? ` Did you mean "${guess}"?` : ` Its policies: ${names.join(", ")}.`;
    if (value.enforcementLevel === "") {
      problems.push(
        `"${name}" is not a policy of pack ${packName} and has no enforcementLevel: the CLI stops ` +
          `with \`invalid enforcement level ""\`.${hint}`,
      );
    } else {
      warnings.push(
        `"${name}" is not a policy of pack ${packName}: the CLI ignores it without a word, so it ` +
          `configures nothing.${hint}`,
      );
    }
  }
  if (problems.length > 0) {
    throw new PolicyConfigError(problems);
  }
  return { config: result, warnings };
}
