/**
 * The pack's verdict on one stack without the Pulumi CLI: the stack's program under mocks, each
 * registered resource sent to the real policy host as the engine sends it (its inputs to `Analyze`,
 * one by one; then every resource's outputs to `AnalyzeStack`), under the stack's policy config.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import * as yaml from "js-yaml";
import { checkStackExists, readConfigFiles } from "../cli/stackFile";
import { PROJECT } from "../config/stackConfig";
import { defaultProviderFor, installedPluginVersion, providerRef } from "./defaultProviders";
import { EngineResource, RunMode, runAsEngine } from "./engineRun";
import { configuredRegion, providerAnswer } from "./mockCloud";
import { ParsedPolicyConfig, parsePolicyConfig, PolicyConfigError } from "./policyConfig";
import {
  HostProps,
  PolicyPackHost,
  PolicyResource,
  PolicyViolation,
  startPolicyPackHost,
} from "./policyPackHost";
import { Registration, runProgramUnderMocks } from "./programUnderMocks";
import { checkedInputs, uncheckedValues } from "./providerCheck";

export type { RunMode } from "./engineRun";

/** A problem before any policy ran (stack file, policy config, program, pack): one sentence. */
export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SetupError";
  }
}

/** A violation with the resource it names, for printing. */
export interface StackViolation extends PolicyViolation {
  /** `aws:s3/bucket:Bucket "data"`, or the URN when the violation names none of the stack's resources. */
  resource: string;
}

export interface StackVerdict {
  stack: string;
  /** What the verdict reproduces: `pulumi up` (the default) or a first `pulumi preview`. */
  mode: RunMode;
  pack: { name: string; version: string; policies: number };
  configFile: string;
  /** Resources the engine would register, default providers included. */
  resources: number;
  violations: StackViolation[];
  /** Remediations applied before `Analyze`, as the CLI prints them. */
  remediations: { policyName: string; resource: string }[];
  /** Under `up`: the resource whose mandatory violation stops the deployment. */
  stoppedAt?: string;
  /** Config entries the pack never reads, and config only the CLI knows. */
  warnings: string[];
  /** Values the engine would hand the pack that the runner does not know. */
  unknownValues: string[];
}

/** What to check: a project folder (Pulumi.yaml, index.ts), one of its stacks and a policy pack. */
export interface CheckTarget {
  root: string;
  stack: string;
  /** The policy pack folder; defaults to `<root>/policy`. */
  packDir?: string;
  /** Where `<stack>.json` policy configs are; defaults to the pack's `config` folder. */
  configDir?: string;
  /** The policy config file itself; defaults to `<configDir>/<stack>.json`. */
  configFile?: string;
  /** Defaults to `up`, what the CI gate needs: every value known, as the deployment sees them. */
  mode?: RunMode;
  /** A host already running the pack, kept running afterwards; by default one is started and stopped. */
  host?: PolicyPackHost;
}

/** The policy config of a stack: `<configDir>/<stack>.json`, as CI passes `--policy-pack-config`. */
export function policyConfigPath(configDir: string, stack: string): string {
  return join(configDir, `${stack}.json`);
}

function readPolicyConfig(root: string, path: string): ParsedPolicyConfig {
  let parsed: unknown;
  try {
    const text = readFileSync(path, "utf8");
    // The CLI accepts an empty file as no config.
    parsed = text.trim() === "" ? {} : JSON.parse(text);
  } catch (error) {
    throw new SetupError(
      `Cannot read the policy config ${relative(root, path)}: ${(error as Error).message}. ` +
        "Give each stack a JSON object there ({} keeps every policy's default level).",
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new SetupError(
      `The policy config ${relative(root, path)} is not a JSON object of policy names. ` +
        'Write e.g. {"s3-bucket-disallow-unversioned": "mandatory"}, or {} for the defaults.',
    );
  }
  try {
    return parsePolicyConfig(parsed as Record<string, unknown>);
  } catch (error) {
    if (error instanceof PolicyConfigError) {
      throw new SetupError(
        `The policy config ${relative(root, path)} is refused, as the Pulumi CLI refuses it: ` +
          error.problems.join(" "),
      );
    }
    throw error;
  }
}

/** The project's name from Pulumi.yaml, which the engine puts in every URN. */
function projectName(root: string): string {
  try {
    const file = yaml.load(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as { name?: unknown };
    return typeof file?.name === "string" ? file.name : PROJECT;
  } catch {
    return PROJECT;
  }
}

/** The first line of a host's failure that says what went wrong (a TypeScript error, a throw). */
export function packLoadReason(error: Error): string {
  const lines = error.message
    .split("\n")
    // A host's stderr carries terminal colours.
    .map((l) => l.replace(/\u001b\[[0-9;]*m/g, "").trim())
    .filter((l) => l !== "" && !/^(at |Its std(err|out) was:|\(empty\))/.test(l));
  // The thrown error's own line ("Error: …", "TSError: ⨯ Unable to compile … error TS2322 …")
  // says what to fix; the host's "Running program … failed" line around it does not.
  const pick =
    lines.find((l) => /^\w*Error: |error TS\d+/.test(l)) ??
    lines.find((l) => /error/i.test(l) && !l.startsWith("Pulumi host")) ??
    lines[0] ??
    String(error);
  return pick.length > 300 ? `${pick.slice(0, 297)}...` : pick;
}

/** The resource as the engine hands it to an analyzer, with `properties` as given. */
function toPolicyResource(
  reg: Registration,
  properties: HostProps,
  byUrn: Map<string, Registration>,
): PolicyResource {
  const providerUrn = reg.providerRef.slice(0, reg.providerRef.lastIndexOf("::"));
  const provider = byUrn.get(providerUrn);
  return {
    type: reg.type,
    name: reg.name,
    urn: reg.urn,
    properties,
    options: { protect: reg.protect },
    parent: reg.parent,
    dependencies: reg.dependencies,
    propertyDependencies: reg.propertyDependencies,
    ...(provider
      ? {
          provider: {
            type: provider.type,
            name: provider.name,
            urn: provider.urn,
            properties: provider.inputs as HostProps,
          },
        }
      : {}),
  };
}

/**
 * The registrations as the engine holds them: each default provider registered before the first
 * resource that needs it, and that resource's `provider` pointing at it.
 */
function withDefaultProviders(
  registrations: Registration[],
  target: { root: string; project: string; stack: string; config: Record<string, unknown> },
): Registration[] {
  const out: Registration[] = [];
  const registered = new Set<string>();
  const installedVersion = (pkg: string) => installedPluginVersion(pkg, target.root);
  for (const reg of registrations) {
    const provider = defaultProviderFor(reg, { ...target, installedVersion });
    if (provider === undefined) {
      out.push(reg);
      continue;
    }
    if (!registered.has(provider.urn)) {
      registered.add(provider.urn);
      out.push({
        type: provider.type,
        name: provider.name,
        urn: provider.urn,
        custom: true,
        providerRef: "",
        dependencies: [],
        propertyDependencies: {},
        protect: false,
        id: provider.id,
        version: "",
        pluginDownloadURL: "",
        inputs: provider.inputs,
        outputs: provider.inputs,
      });
    }
    out.push({ ...reg, providerRef: providerRef(provider) });
  }
  return out;
}

/** Each registration as the step generator would hand it to the analyzers. */
function engineResources(
  registrations: Registration[],
  region: string,
  mode: RunMode,
): EngineResource[] {
  const byUrn = new Map(registrations.map((r) => [r.urn, r]));
  return registrations.map((reg) => {
    const checked = checkedInputs(reg.type, reg.name, reg.inputs) as HostProps;
    return {
      resource: toPolicyResource(reg, checked, byUrn),
      outputs: (inputs) =>
        inputs === checked || !reg.custom
          ? (reg.outputs as HostProps)
          : (providerAnswer(reg.type, reg.name, inputs, region, mode).state as HostProps),
    };
  });
}

/** Configures the pack as the CLI does; the warnings name what the pack will not read. */
async function configurePack(
  host: PolicyPackHost,
  policyConfig: ParsedPolicyConfig,
  where: { packName: string; configFile: string },
): Promise<string[]> {
  let warnings: string[];
  try {
    warnings = (await host.configureParsed(policyConfig.config)).warnings;
  } catch (error) {
    const reason =
      error instanceof PolicyConfigError ? error.problems.join(" ") : (error as Error).message;
    throw new SetupError(
      `The policy config ${where.configFile} does not fit pack ${where.packName}, and the ` +
        `Pulumi CLI would stop: ${reason}`,
    );
  }
  if (policyConfig.environments.length > 0) {
    warnings.push(
      `The policy config names ESC environments (${policyConfig.environments.join(", ")}): ` +
        "only the Pulumi CLI opens them, so this verdict applies the file's own entries alone.",
    );
  }
  return warnings;
}

/** The program's registrations as the engine would hold them, default providers included. */
async function registeredResources(
  target: { root: string; project: string; stack: string; config: Record<string, unknown> },
  mode: RunMode,
): Promise<Registration[]> {
  const { root, project, stack, config } = target;
  let registrations: Registration[];
  try {
    registrations = await runProgramUnderMocks(root, project, stack, config, mode);
  } catch (error) {
    throw new SetupError(
      `The program failed for stack ${stack} under mocks: ${(error as Error).message}`,
    );
  }
  return withDefaultProviders(registrations, target);
}

/** Runs the pack on the stack's program. Throws `SetupError` for anything that stops it running. */
export async function checkStack(target: CheckTarget): Promise<StackVerdict> {
  const { root, stack } = target;
  const mode = target.mode ?? "up";
  const packDir = target.packDir ?? join(root, "policy");
  const configPath =
    target.configFile ?? policyConfigPath(target.configDir ?? join(packDir, "config"), stack);
  const configFile = relative(root, configPath);
  let config: Record<string, unknown>;
  try {
    checkStackExists(root, stack);
    config = readConfigFiles(root, stack);
  } catch (error) {
    throw new SetupError((error as Error).message);
  }
  const policyConfig = readPolicyConfig(root, configPath);
  let host: PolicyPackHost;
  try {
    host = target.host ?? (await startPolicyPackHost(packDir));
  } catch (error) {
    throw new SetupError(
      `The policy pack in ${relative(root, packDir) || "."} did not load: ${packLoadReason(error as Error)}`,
    );
  }
  try {
    // As the CLI: the pack is loaded and configured before the program runs.
    const info = await host.getAnalyzerInfo();
    const warnings = await configurePack(host, policyConfig, { packName: info.name, configFile });
    const all = await registeredResources(
      { root, project: projectName(root), stack, config },
      mode,
    );
    const run = await runAsEngine(host, engineResources(all, configuredRegion(config), mode), mode);
    const byUrn = new Map(all.map((r) => [r.urn, r]));
    const describe = (urn: string) => {
      const reg = byUrn.get(urn);
      return reg ? `${reg.type} "${reg.name}"` : urn || "the stack";
    };
    return {
      stack,
      mode,
      pack: { name: info.name, version: info.version, policies: info.policies.length },
      configFile,
      resources: all.length,
      violations: run.violations.map((v) => ({ ...v, resource: describe(v.urn) })),
      remediations: run.remediations.map((r) => ({
        policyName: r.policyName,
        resource: describe(r.urn),
      })),
      ...(run.stoppedAt !== undefined ? { stoppedAt: describe(run.stoppedAt) } : {}),
      warnings,
      unknownValues: all.flatMap((reg) =>
        uncheckedValues(reg.type, checkedInputs(reg.type, reg.name, reg.inputs)).map(
          (p) => `${reg.type} "${reg.name}" \`${p}\` (set by its provider's Check)`,
        ),
      ),
    };
  } finally {
    if (target.host === undefined) {
      await host.stop();
    }
  }
}
