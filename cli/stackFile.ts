/**
 * Reads a stack's settings from Pulumi.yaml and Pulumi.<stack>.yaml without the Pulumi CLI, so that
 * `npm start` runs the same snapshots a `pulumi up` of that stack would.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as yaml from "js-yaml";
import {
  parseStackConfig,
  PROJECT,
  type RawConfig,
  type StackSettings,
} from "../config/stackConfig";

interface ProjectFile {
  config?: Record<string, unknown>;
}
interface StackFile {
  config?: Record<string, unknown>;
}

/**
 * A stack's config as the Pulumi CLI hands it to the program, by full key (`api-s3-load:bucketName`,
 * `aws:region`): Pulumi.yaml's defaults and values, overridden by Pulumi.<stack>.yaml. Secure values
 * are left out: only the Pulumi CLI can decrypt them.
 */
export function readConfigFiles(root: string, stack: string): Record<string, unknown> {
  const project = yaml.load(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as ProjectFile;
  const config: Record<string, unknown> = {};
  for (const [key, declaration] of Object.entries(project.config ?? {})) {
    const fullKey = key.includes(":") ? key : `${PROJECT}:${key}`;
    if (declaration === null || typeof declaration !== "object") {
      config[fullKey] = declaration;
    } else if ("value" in declaration) {
      config[fullKey] = (declaration as { value: unknown }).value;
    } else if ("default" in declaration) {
      config[fullKey] = (declaration as { default: unknown }).default;
    }
  }
  const stackPath = join(root, `Pulumi.${stack}.yaml`);
  let stackFile: StackFile;
  try {
    stackFile = (yaml.load(readFileSync(stackPath, "utf8")) as StackFile) ?? {};
  } catch (error) {
    throw new Error(
      `Cannot read the stack file ${stackPath}: ${(error as Error).message}. Pass an existing stack with --stack.`,
    );
  }
  for (const [key, value] of Object.entries(stackFile.config ?? {})) {
    const isSecure = value !== null && typeof value === "object" && "secure" in value;
    if (!isSecure) {
      config[key] = value;
    }
  }
  return config;
}

/** The project's own config values for a stack, by short key (`bucketName`). */
export function readStackValues(root: string, stack: string): Record<string, unknown> {
  const prefix = `${PROJECT}:`;
  return Object.fromEntries(
    Object.entries(readConfigFiles(root, stack))
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value]),
  );
}

/** Parses a stack's config as the program would, with the API key supplied from elsewhere. */
export function readStackSettings(
  root: string,
  stack: string,
  hasApiKey: boolean,
  overrides: Partial<RawConfig> = {},
): StackSettings {
  const v = readStackValues(root, stack);
  const str = (x: unknown) => (typeof x === "string" ? x : undefined);
  const num = (x: unknown) => (typeof x === "number" ? x : undefined);
  return parseStackConfig({
    bucketName: str(v.bucketName),
    forceDestroy: v.forceDestroy === true,
    protect: v.protect === true,
    aclMode: str(v.aclMode),
    kmsKeyId: str(v.kmsKeyId),
    noncurrentVersionDays: num(v.noncurrentVersionDays),
    tags: v.tags,
    coingeckoPlan: str(v.coingeckoPlan),
    coingeckoBaseUrl: str(v.coingeckoBaseUrl),
    coingeckoCallsPerMinute: num(v.coingeckoCallsPerMinute),
    snapshots: v.snapshots ?? undefined,
    ...overrides,
    hasApiKey,
  });
}
