/**
 * Reads a stack's settings from Pulumi.yaml and Pulumi.<stack>.yaml without the Pulumi CLI, so that
 * `npm start` runs the same snapshots a `pulumi up` of that stack would.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as yaml from "js-yaml";
import { PROJECT, type ConfigSource } from "../config/stackConfig";

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
  const project = (loadYaml(join(root, "Pulumi.yaml")) as ProjectFile | undefined) ?? {};
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
  const stackFile = (loadYaml(join(root, `Pulumi.${stack}.yaml`)) as StackFile | undefined) ?? {};
  for (const [key, value] of Object.entries(stackFile.config ?? {})) {
    const isSecure = value !== null && typeof value === "object" && "secure" in value;
    if (!isSecure) {
      config[key] = value;
    }
  }
  return config;
}

/**
 * One YAML file, parsed; a file that is not YAML is refused with its path, line and column and the
 * parser's reason, which is what its author needs to fix it.
 */
function loadYaml(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`Cannot read ${path} (${code}): check that the file exists and is readable.`);
  }
  try {
    return yaml.load(text, { filename: path });
  } catch (error) {
    if (error instanceof yaml.YAMLException) {
      const { line, column } = error.mark ?? { line: -1, column: -1 };
      const at = line >= 0 ? ` at line ${line + 1}, column ${column + 1}` : "";
      throw new Error(
        `${path} is not valid YAML${at}: ${error.reason}. Fix the file there (Pulumi reads the same file).`,
      );
    }
    throw error;
  }
}

/**
 * A namespace's config values for a stack, by short key: the project's own (`bucketName`) by
 * default, or another package's, such as `aws` (`endpoints`).
 */
export function readStackValues(
  root: string,
  stack: string,
  namespace: string = PROJECT,
): Record<string, unknown> {
  const prefix = `${namespace}:`;
  return Object.fromEntries(
    Object.entries(readConfigFiles(root, stack))
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value]),
  );
}

/**
 * A stack file's values behind the same getters as `pulumi.Config`, so `readStackConfig` reads them
 * as it reads the program's config. The file keeps YAML types where the Pulumi CLI hands the program
 * text; the getters read a scalar through its text, as the program does (see `typed`).
 */
export class StackFileConfig implements ConfigSource {
  /**
   * @param namespace the config namespace these values belong to: this project's keys are typed by
   * Pulumi.yaml, another package's (`aws:endpoints`) are not.
   */
  constructor(
    private readonly values: Readonly<Record<string, unknown>>,
    private readonly namespace: string = PROJECT,
    /** Every key of the file, of any namespace, so a misspelt namespace can be named. */
    private readonly fileKeys?: readonly string[],
  ) {}

  /** This config with some values replaced; `undefined` entries (flags not given) change nothing. */
  with(overrides: Record<string, string | undefined>): StackFileConfig {
    const given = Object.entries(overrides).filter(([, value]) => value !== undefined);
    return new StackFileConfig(
      { ...this.values, ...Object.fromEntries(given) },
      this.namespace,
      this.fileKeys,
    );
  }

  /** Every key the stack sets, by full name (`api-s3-load:bucketName`, `aws:region`). */
  keys(): string[] {
    const own = Object.keys(this.values).map((key) =>
      key.includes(":") ? key : `${this.namespace}:${key}`,
    );
    return [...new Set([...own, ...(this.fileKeys ?? [])])];
  }

  get(key: string): string | undefined {
    const value = this.values[key];
    if (value === undefined || value === null) {
      return undefined;
    }
    return typeof value === "string" ? value : JSON.stringify(value);
  }

  getBoolean(key: string): boolean | undefined {
    return this.typed(key, "boolean");
  }

  getNumber(key: string): number | undefined {
    return this.typed(key, "number");
  }

  getObject<T>(key: string): T | undefined {
    const value = this.values[key];
    if (value === undefined || value === null) {
      return undefined;
    }
    if (typeof value === "string") {
      // Pulumi.yaml types this project's structured keys (a map, a list of maps), so `pulumi up`
      // refuses one written as text, JSON text included (what `pulumi config set tags '{...}'`
      // writes). Another package's untyped key reaches its reader as JSON text, as here.
      if (this.namespace === PROJECT) {
        throw new TypeError(`${key} is text, not structured config`);
      }
      return JSON.parse(value) as T;
    }
    return value as T;
  }

  /**
   * Parses a scalar as the program sees it. The Pulumi CLI hands every stack-file scalar to the
   * program as text (`1` and `"1"` alike; `pulumi config set` writes numbers quoted), and its type
   * check of Pulumi.yaml's declarations accepts text that parses; pulumi.Config then parses that
   * text. So does this: `"1"` is 1, `"true"` is true, `"ten"` and `"yes"` are refused.
   */
  private typed<T extends "boolean" | "number">(
    key: string,
    type: T,
  ): (T extends "boolean" ? boolean : number) | undefined {
    const text = this.get(key);
    if (text === undefined) {
      return undefined;
    }
    let parsed: boolean | number;
    if (type === "boolean") {
      if (text !== "true" && text !== "false") {
        throw new TypeError(`${key} is not a boolean`);
      }
      parsed = text === "true";
    } else {
      parsed = parseFloat(text);
      if (Number.isNaN(parsed)) {
        throw new TypeError(`${key} is not a number`);
      }
    }
    return parsed as T extends "boolean" ? boolean : number;
  }
}

// Pulumi's own rule for stack names; it also keeps `--stack` from reaching outside the project.
const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Refuses a stack that is not named as Pulumi names stacks, or has no `Pulumi.<stack>.yaml` in
 * `root`, with a sentence that lists the stacks there. `npm start` and `npm run policy` share it.
 */
export function checkStackExists(root: string, stack: string): void {
  if (!STACK_NAME.test(stack) || stack.startsWith(".")) {
    throw new Error(
      `--stack "${stack}" is not a stack name: use letters, digits, "-", "_" or "." as in Pulumi.<stack>.yaml, such as --stack dev.`,
    );
  }
  if (!existsSync(join(root, `Pulumi.${stack}.yaml`))) {
    const stacks = readdirSync(root)
      .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
      .filter((name): name is string => name !== undefined)
      .sort();
    throw new Error(
      `There is no stack "${stack}" (no Pulumi.${stack}.yaml in ${root}): pass one of ${stacks.map((s) => `--stack ${s}`).join(", ")}.`,
    );
  }
}

/**
 * The stack file's config of one namespace (the project's by default), checked to exist and be
 * named as Pulumi names stacks.
 */
export function openStackFile(
  root: string,
  stack: string,
  namespace: string = PROJECT,
): StackFileConfig {
  checkStackExists(root, stack);
  return new StackFileConfig(
    readStackValues(root, stack, namespace),
    namespace,
    Object.keys(readConfigFiles(root, stack)),
  );
}
