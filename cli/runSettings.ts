/**
 * Step 1 of `npm start`: the stack's settings, read through the program's own config reading
 * (config/stackConfig.ts) with the flags and environment variables that stand for stack keys.
 */
import { secretEnvName, type SourceConfig } from "@api-s3-load/snapshot-engine";
import { readStackConfig, type KeyAdvice, type StackSettings } from "../config/stackConfig";
import type { RunFlags } from "./runFlags";
import { openStackFile } from "./stackFile";

/** How `npm start` takes the key and the plan, for config errors about them. */
export const NPM_START_KEY_ADVICE: KeyAdvice = {
  key: "COINGECKO_API_KEY",
  plan: "the plan (--plan, COINGECKO_PLAN or the stack's coingeckoPlan)",
  setKey: "Set it in the environment, e.g. `COINGECKO_API_KEY=<key> npm start`",
  setPlan: (plan) => `pass \`--plan ${plan}\` (or set COINGECKO_PLAN=${plan})`,
  removeKey: "unset COINGECKO_API_KEY",
  plaintextKey:
    "remove it from the stack file and give it to `npm start` as `COINGECKO_API_KEY=<key> npm start`",
};

export interface RunSettings {
  stack: string;
  settings: StackSettings;
  /** What the engine needs to reach the API. */
  source: SourceConfig;
  /** Where the base URL came from, for errors that suggest a wrong one. */
  baseUrlOrigin: string;
  /** A declared source's key by its `auth.secret` name, from `API_S3_LOAD_SECRET_<NAME>`. */
  sourceSecret: (name: string) => string | undefined;
}

/** Reads the stack's settings; throws a `ConfigErrors` naming every mistake in them. */
export function readRunSettings(
  flags: RunFlags,
  env: NodeJS.ProcessEnv,
  root: string,
): RunSettings {
  const stack = flags.stack ?? "dev";
  const given = (value: string | undefined) => (value === "" ? undefined : value);
  const baseUrl = flags["base-url"] ?? given(env.COINGECKO_BASE_URL);
  const plan = flags.plan ?? given(env.COINGECKO_PLAN);
  const file = openStackFile(root, stack);
  const plaintextKey = file.get("coingeckoApiKey") ?? "";
  const apiKey = given(env.COINGECKO_API_KEY);
  const sourceSecret = (name: string) => given(env[secretEnvName(name)]);
  // A bad value given by flag or environment is named as the user gave it.
  const origins = {
    coingeckoPlan: origin(flags.plan, "--plan", plan, "COINGECKO_PLAN"),
    coingeckoBaseUrl: origin(flags["base-url"], "--base-url", baseUrl, "COINGECKO_BASE_URL"),
  };
  const settings = readStackConfig(file.with({ coingeckoPlan: plan, coingeckoBaseUrl: baseUrl }), {
    hasApiKey: apiKey !== undefined || plaintextKey !== "",
    // A key written into the stack file in plaintext is refused here as the program refuses it.
    apiKeyIsSecret: plaintextKey !== "" ? false : undefined,
    advice: NPM_START_KEY_ADVICE,
    configKeys: file.keys(),
    // A declared source's key comes from the environment (docs/sources.md).
    isSet: (key) => sourceSecret(key) !== undefined,
    origins,
  });
  return {
    stack,
    settings,
    sourceSecret,
    source: {
      plan: settings.plan,
      apiKey,
      baseUrl: settings.baseUrl,
      callsPerMinute: settings.callsPerMinute,
    },
    baseUrlOrigin:
      origins.coingeckoBaseUrl ??
      (file.get("coingeckoBaseUrl")
        ? `coingeckoBaseUrl in Pulumi.${stack}.yaml`
        : `the ${settings.plan} plan's default`),
  };
}

/**
 * Where a setting that flag or environment can give came from: the flag when given, else the
 * environment variable when set (`value` is the flag's value or the variable's); undefined when
 * neither, so the stack file's own value is meant.
 */
function origin(
  flag: string | undefined,
  flagName: string,
  value: string | undefined,
  variable: string,
): string | undefined {
  return flag !== undefined ? flagName : value !== undefined ? variable : undefined;
}
