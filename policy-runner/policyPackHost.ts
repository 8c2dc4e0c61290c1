import { join, resolve } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import {
  EngineLogEntry,
  FakeEngine,
  HostProcess,
  HostProps,
  PULUMI_CMD_DIR,
  callUnary,
  fromStruct,
  spawnPulumiHost,
  startFakeEngine,
  toStruct,
} from "./pulumiPlugins";

import {
  EnforcementLevel,
  fromEntries,
  PolicyConfigEntry,
  PolicyConfigValue,
  reconcilePolicyConfig,
} from "./policyConfig";

export { UNKNOWN, secret, HostCallError } from "./pulumiPlugins";
export type { HostProps } from "./pulumiPlugins";
export type { EnforcementLevel, PolicyConfigEntry } from "./policyConfig";

/** The analyzer plugin's code for nodejs policy packs. */
export const RUN_POLICY_PACK_PROGRAM = join(PULUMI_CMD_DIR, "run-policy-pack");

const LEVELS: Record<EnforcementLevel, analyzerProto.EnforcementLevel> = {
  advisory: analyzerProto.EnforcementLevel.ADVISORY,
  mandatory: analyzerProto.EnforcementLevel.MANDATORY,
  remediate: analyzerProto.EnforcementLevel.REMEDIATE,
  disabled: analyzerProto.EnforcementLevel.DISABLED,
};

function levelName(level: analyzerProto.EnforcementLevel): EnforcementLevel {
  const found = (Object.keys(LEVELS) as EnforcementLevel[]).find((k) => LEVELS[k] === level);
  if (!found) {
    throw new Error(`The policy host answered the unknown enforcement level ${level}.`);
  }
  return found;
}

export interface PolicyInfo {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  type: "resource" | "stack" | "unknown";
  /** JSON-schema `properties` of the policy's config, with their defaults. */
  configSchema?: { properties: Record<string, unknown>; required: string[] };
}

export interface AnalyzerInfo {
  name: string;
  version: string;
  supportsConfig: boolean;
  policies: PolicyInfo[];
  /** Config the pack passed as `new PolicyPack(name, args, initialConfig)`. */
  initialConfig: Record<
    string,
    { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }
  >;
}

export interface PolicyResourceOptions {
  protect?: boolean;
  ignoreChanges?: string[];
  deleteBeforeReplace?: boolean;
  additionalSecretOutputs?: string[];
  aliases?: string[];
  customTimeouts?: { create?: number; update?: number; delete?: number };
}

export interface PolicyProvider {
  type: string;
  name: string;
  urn: string;
  properties?: HostProps;
}

/** A resource as the engine hands it to an analyzer. */
export interface PolicyResource {
  type: string;
  name: string;
  /** Defaults to `urn:pulumi:stack::project::<type>::<name>`. */
  urn?: string;
  properties: HostProps;
  options?: PolicyResourceOptions;
  provider?: PolicyProvider;
  /** URN of the parent; `analyzeStack` links it to the parent resource object. */
  parent?: string;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
}

export interface PolicyViolation {
  policyName: string;
  policyPackName: string;
  message: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  /** The URN the violation names; for resource policies the analyzed resource, for stack policies what `reportViolation` passed. */
  urn: string;
}

/** What one policy's remediation did to a resource, as the host answers `Remediate`. */
export interface PolicyRemediation {
  policyName: string;
  policyPackName: string;
  description: string;
  /** The resource's inputs after this remediation (and every one before it in the pack). */
  properties?: Record<string, unknown>;
  /** Set instead of `properties` when the remediation could not run (an unknown value in preview). */
  diagnostic?: string;
}

export interface PolicyPackHostOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * The `run-policy-pack` program to start. Defaults to the project's own
   * (`RUN_POLICY_PACK_PROGRAM`); a test of an installed pack passes the one in that install's
   * node_modules, as the CLI would use.
   */
  program?: string;
  /** Defaults to 120 s: the pack is compiled and type-checked by ts-node before it listens. */
  startupTimeoutMs?: number;
  /**
   * Config sent before the first analysis when the caller does not call `configure`, as the CLI
   * always configures a pack. Defaults to `{}` (each policy's own level and schema defaults).
   */
  config?: Record<string, PolicyConfigEntry>;
}

export interface PolicyPackHost {
  getAnalyzerInfo(): Promise<AnalyzerInfo>;
  /**
   * Sends `Configure` as the CLI does (policyConfig.ts): every policy gets an entry with its
   * enforcement level and schema defaults, overridden by the pack's initial config and then by
   * `config`, validated against each `configSchema` (a `PolicyConfigError` when the CLI would
   * stop). Names the pack does not define are sent too and read by no policy; the answer lists a
   * warning for each.
   */
  configure(config?: Record<string, PolicyConfigEntry>): Promise<{ warnings: string[] }>;
  /** The same, for a config already parsed from a file (`parsePolicyConfig`). */
  configureParsed(config: Record<string, PolicyConfigValue>): Promise<{ warnings: string[] }>;
  analyze(resource: PolicyResource): Promise<PolicyViolation[]>;
  analyzeStack(resources: PolicyResource[]): Promise<PolicyViolation[]>;
  /**
   * Sends `Remediate` as the engine does before `Analyze`: every policy configured `remediate`
   * may rewrite the resource's inputs. Returns one entry per policy that changed something.
   */
  remediate(resource: PolicyResource): Promise<PolicyRemediation[]>;
  engineLogs: EngineLogEntry[];
  stdout(): string;
  stderr(): string;
  stop(): Promise<void>;
}

export function defaultUrn(type: string, name: string): string {
  return `urn:pulumi:stack::project::${type}::${name}`;
}

function toOptions(
  o: PolicyResourceOptions = {},
  parent?: string,
): analyzerProto.AnalyzerResourceOptions {
  const opts = new analyzerProto.AnalyzerResourceOptions()
    .setProtect(o.protect ?? false)
    .setIgnorechangesList(o.ignoreChanges ?? [])
    .setAdditionalsecretoutputsList(o.additionalSecretOutputs ?? [])
    .setAliasesList(o.aliases ?? []);
  if (o.deleteBeforeReplace !== undefined) {
    opts.setDeletebeforereplace(o.deleteBeforeReplace).setDeletebeforereplacedefined(true);
  }
  if (o.customTimeouts) {
    opts.setCustomtimeouts(
      new analyzerProto.AnalyzerResourceOptions.CustomTimeouts()
        .setCreate(o.customTimeouts.create ?? 0)
        .setUpdate(o.customTimeouts.update ?? 0)
        .setDelete(o.customTimeouts.delete ?? 0),
    );
  }
  if (parent) {
    opts.setParent(parent);
  }
  return opts;
}

function toProvider(p: PolicyProvider): analyzerProto.AnalyzerProviderResource {
  return new analyzerProto.AnalyzerProviderResource()
    .setType(p.type)
    .setName(p.name)
    .setUrn(p.urn)
    .setProperties(toStruct(p.properties ?? {}, "keep"));
}

/** `fallbackUrn` mirrors the engine, which attributes a resource diagnostic without URN to the analyzed resource. */
function toViolations(res: analyzerProto.AnalyzeResponse, fallbackUrn = ""): PolicyViolation[] {
  return res.getDiagnosticsList().map((d) => ({
    policyName: d.getPolicyname(),
    policyPackName: d.getPolicypackname(),
    message: d.getMessage(),
    description: d.getDescription(),
    enforcementLevel: levelName(d.getEnforcementlevel()),
    urn: d.getUrn() || fallbackUrn,
  }));
}

/**
 * Starts a policy pack under Pulumi's `run-policy-pack`, as `pulumi preview --policy-pack <dir>`
 * does: `node node_modules/@pulumi/pulumi/cmd/run-policy-pack <engine-address> .` with the pack
 * folder as working directory (the pack reads its version from `./package.json`, and ts-node reads
 * `./tsconfig.json` if present).
 */
export async function startPolicyPackHost(
  packDir: string,
  options: PolicyPackHostOptions = {},
): Promise<PolicyPackHost> {
  const engine: FakeEngine = await startFakeEngine();
  let host: HostProcess;
  try {
    host = await spawnPulumiHost({
      program: options.program ?? RUN_POLICY_PACK_PROGRAM,
      args: [engine.address, "."],
      cwd: resolve(packDir),
      env: options.env,
      startupTimeoutMs: options.startupTimeoutMs,
    });
  } catch (err) {
    await engine.stop();
    throw err;
  }
  const client = new analyzerRpc.AnalyzerClient(host.address, grpc.credentials.createInsecure());
  let info: Promise<AnalyzerInfo> | undefined;
  let configured: Promise<void> | undefined;

  const getAnalyzerInfo = (): Promise<AnalyzerInfo> => {
    info ??= callUnary<analyzerProto.AnalyzerInfo>("GetAnalyzerInfo", (cb) =>
      client.getAnalyzerInfo(new Empty(), cb),
    ).then((ai) => {
      const initialConfig: AnalyzerInfo["initialConfig"] = {};
      ai.getInitialconfigMap().forEach((c, k) => {
        initialConfig[k] = {
          enforcementLevel: levelName(c.getEnforcementlevel()),
          properties: fromStruct(c.getProperties()),
        };
      });
      return {
        name: ai.getName(),
        version: ai.getVersion(),
        supportsConfig: ai.getSupportsconfig(),
        initialConfig,
        policies: ai.getPoliciesList().map((p): PolicyInfo => {
          const schema = p.getConfigschema();
          const type = p.getPolicyType();
          return {
            name: p.getName(),
            description: p.getDescription(),
            enforcementLevel: levelName(p.getEnforcementlevel()),
            type:
              type === analyzerProto.PolicyType.POLICY_TYPE_RESOURCE
                ? "resource"
                : type === analyzerProto.PolicyType.POLICY_TYPE_STACK
                  ? "stack"
                  : "unknown",
            configSchema: schema
              ? {
                  properties: fromStruct(schema.getProperties()),
                  required: schema.getRequiredList(),
                }
              : undefined,
          };
        }),
      };
    });
    return info;
  };

  const configureParsed = async (
    given: Record<string, PolicyConfigValue>,
  ): Promise<{ warnings: string[] }> => {
    const ai = await getAnalyzerInfo();
    const initial = Object.fromEntries(
      Object.entries(ai.initialConfig).map(([k, c]) => [
        k,
        { enforcementLevel: c.enforcementLevel, properties: c.properties },
      ]),
    );
    const { config, warnings } = reconcilePolicyConfig(ai.name, ai.policies, initial, given);
    const req = new analyzerProto.ConfigureAnalyzerRequest();
    for (const [name, c] of Object.entries(config)) {
      // reconcilePolicyConfig refuses an entry without a level, as the CLI's Configure does.
      req
        .getPolicyconfigMap()
        .set(
          name,
          new analyzerProto.PolicyConfig()
            .setEnforcementlevel(LEVELS[c.enforcementLevel as EnforcementLevel])
            .setProperties(toStruct(c.properties ?? {}, "keep")),
        );
    }
    const call = callUnary<Empty>("Configure", (cb) => client.configure(req, cb)).then(
      () => undefined,
    );
    configured = call;
    await call;
    return { warnings };
  };
  const configure = (config: Record<string, PolicyConfigEntry> = {}) =>
    configureParsed(fromEntries(config).config);
  const ensureConfigured = () =>
    configured ?? configure(options.config ?? {}).then(() => undefined);

  const toRequest = (r: PolicyResource): analyzerProto.AnalyzeRequest => {
    const req = new analyzerProto.AnalyzeRequest()
      .setType(r.type)
      .setName(r.name)
      .setUrn(r.urn ?? defaultUrn(r.type, r.name))
      .setProperties(toStruct(r.properties, "keep"))
      .setOptions(toOptions(r.options, r.parent));
    if (r.provider) {
      req.setProvider(toProvider(r.provider));
    }
    return req;
  };

  const toStackResource = (r: PolicyResource): analyzerProto.AnalyzerResource => {
    const res = new analyzerProto.AnalyzerResource()
      .setType(r.type)
      .setName(r.name)
      .setUrn(r.urn ?? defaultUrn(r.type, r.name))
      .setProperties(toStruct(r.properties, "keep"))
      .setOptions(toOptions(r.options, r.parent))
      .setParent(r.parent ?? "")
      .setDependenciesList(r.dependencies ?? []);
    if (r.provider) {
      res.setProvider(toProvider(r.provider));
    }
    for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
      res
        .getPropertydependenciesMap()
        .set(k, new analyzerProto.AnalyzerPropertyDependencies().setUrnsList(urns));
    }
    return res;
  };

  return {
    getAnalyzerInfo,
    configure,
    configureParsed,
    async analyze(resource) {
      await ensureConfigured();
      const req = toRequest(resource);
      const res = await callUnary<analyzerProto.AnalyzeResponse>("Analyze", (cb) =>
        client.analyze(req, cb),
      );
      return toViolations(res, req.getUrn());
    },
    async analyzeStack(resources) {
      await ensureConfigured();
      const req = new analyzerProto.AnalyzeStackRequest().setResourcesList(
        resources.map(toStackResource),
      );
      const res = await callUnary<analyzerProto.AnalyzeResponse>("AnalyzeStack", (cb) =>
        client.analyzeStack(req, cb),
      );
      return toViolations(res);
    },
    async remediate(resource) {
      await ensureConfigured();
      const res = await callUnary<analyzerProto.RemediateResponse>("Remediate", (cb) =>
        client.remediate(toRequest(resource), cb),
      );
      return res.getRemediationsList().map((r) => ({
        policyName: r.getPolicyname(),
        policyPackName: r.getPolicypackname(),
        description: r.getDescription(),
        ...(r.getProperties() ? { properties: fromStruct(r.getProperties()) } : {}),
        ...(r.getDiagnostic() ? { diagnostic: r.getDiagnostic() } : {}),
      }));
    },
    engineLogs: engine.logs,
    stdout: host.stdout,
    stderr: host.stderr,
    async stop() {
      client.close();
      await host.stop();
      await engine.stop();
    },
  };
}

/**
 * The two analysis calls of a deployment, for judging policies on a resource set: each resource
 * through `Analyze` (the engine sends its inputs), then the whole stack through `AnalyzeStack` (the
 * engine sends every resource's outputs; `stack` defaults to the same resources). Returns every
 * violation, per resource first. The engine's whole sequence, with `Remediate` first and `up`'s
 * stop, is `runAsEngine` (engineRun.ts), which `npm run policy` uses.
 */
export async function analyzeAsEngine(
  host: Pick<PolicyPackHost, "analyze" | "analyzeStack">,
  resources: PolicyResource[],
  stack: PolicyResource[] = resources,
): Promise<PolicyViolation[]> {
  const perResource = await Promise.all(resources.map((r) => host.analyze(r)));
  return [...perResource.flat(), ...(await host.analyzeStack(stack))];
}
