/**
 * The pack's verdict on one stack without the Pulumi CLI: the stack's program under mocks, each
 * registered resource sent to the real policy host as the engine sends it (its inputs to `Analyze`,
 * one by one; then every resource's outputs to `AnalyzeStack`), under the stack's policy config.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { checkStackExists, readConfigFiles } from "../cli/stackFile";
import { PROJECT } from "../config/stackConfig";
import {
  analyzeAsEngine,
  PolicyConfigEntry,
  PolicyPackHost,
  PolicyResource,
  PolicyViolation,
  startPolicyPackHost,
} from "./policyPackHost";
import { Registration, runProgramUnderMocks } from "./programUnderMocks";

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
  pack: { name: string; version: string; policies: number };
  configFile: string;
  resources: number;
  violations: StackViolation[];
}

/** What to check: a project folder (Pulumi.yaml, index.ts), one of its stacks and a policy pack. */
export interface CheckTarget {
  root: string;
  stack: string;
  /** The policy pack folder; defaults to `<root>/policy`. */
  packDir?: string;
  /** Where `<stack>.json` policy configs are; defaults to the pack's `config` folder. */
  configDir?: string;
}

/** The policy config of a stack: `<configDir>/<stack>.json`, as CI passes `--policy-pack-config`. */
export function policyConfigPath(configDir: string, stack: string): string {
  return join(configDir, `${stack}.json`);
}

function readPolicyConfig(root: string, path: string): Record<string, PolicyConfigEntry> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
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
  return parsed as Record<string, PolicyConfigEntry>;
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

/** The resource as the engine hands it to an analyzer: `properties` are its inputs or its outputs. */
function toPolicyResource(
  reg: Registration,
  properties: "inputs" | "outputs",
  byUrn: Map<string, Registration>,
): PolicyResource {
  const providerUrn = reg.providerRef.slice(0, reg.providerRef.lastIndexOf("::"));
  const provider = byUrn.get(providerUrn);
  return {
    type: reg.type,
    name: reg.name,
    urn: reg.urn,
    properties: reg[properties] as PolicyResource["properties"],
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
            properties: provider.inputs as PolicyResource["properties"],
          },
        }
      : {}),
  };
}

/** Runs the pack on the stack's program. Throws `SetupError` for anything that stops it running. */
export async function checkStack(target: CheckTarget): Promise<StackVerdict> {
  const { root, stack } = target;
  const packDir = target.packDir ?? join(root, "policy");
  const configPath = policyConfigPath(target.configDir ?? join(packDir, "config"), stack);
  let config: Record<string, unknown>;
  try {
    checkStackExists(root, stack);
    config = readConfigFiles(root, stack);
  } catch (error) {
    throw new SetupError((error as Error).message);
  }
  const policyConfig = readPolicyConfig(root, configPath);
  let registrations: Registration[];
  try {
    registrations = await runProgramUnderMocks(root, PROJECT, stack, config);
  } catch (error) {
    throw new SetupError(
      `The program failed for stack ${stack} under mocks: ${(error as Error).message}`,
    );
  }
  let host: PolicyPackHost;
  try {
    host = await startPolicyPackHost(packDir);
  } catch (error) {
    throw new SetupError(
      `The policy pack in ${relative(root, packDir) || "."} did not load: ${packLoadReason(error as Error)}`,
    );
  }
  try {
    const info = await host.getAnalyzerInfo();
    try {
      await host.configure(policyConfig);
    } catch (error) {
      throw new SetupError(
        `The policy config ${relative(root, configPath)} does not fit the pack: ` +
          `${(error as Error).message}`,
      );
    }
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    const violations = await analyzeAsEngine(
      host,
      registrations.map((r) => toPolicyResource(r, "inputs", byUrn)),
      registrations.map((r) => toPolicyResource(r, "outputs", byUrn)),
    );
    const describe = (urn: string) => {
      const reg = byUrn.get(urn);
      return reg ? `${reg.type} "${reg.name}"` : urn || "the stack";
    };
    return {
      stack,
      pack: { name: info.name, version: info.version, policies: info.policies.length },
      configFile: relative(root, configPath),
      resources: registrations.length,
      violations: violations.map((v) => ({
        ...v,
        resource: describe(v.urn),
      })),
    };
  } finally {
    await host.stop();
  }
}
