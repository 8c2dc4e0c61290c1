import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as provRpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provProto from "@pulumi/pulumi/proto/provider_pb";
import * as statusProto from "@pulumi/pulumi/proto/status_pb";
import {
  EngineLogEntry,
  FakeEngine,
  HostCallError,
  HostProcess,
  HostProps,
  PROJECT_ROOT,
  PULUMI_CMD_DIR,
  SecretHandling,
  callUnary,
  fromStruct,
  spawnPulumiHost,
  startFakeEngine,
  toStruct,
} from "./pulumiHost";

export { UNKNOWN, secret, HostCallError } from "./pulumiHost";
export type { EngineLogEntry, HostProps } from "./pulumiHost";

/** The `pulumi-resource-pulumi-nodejs` plugin's code. */
export const DYNAMIC_PROVIDER_PROGRAM = join(PULUMI_CMD_DIR, "dynamic-provider");

export interface DynamicProviderHostOptions {
  /** Working folder of the host; the provider's `require("pkg")` resolves from here. Defaults to the project root. */
  cwd?: string;
  /** Extra environment, e.g. `PULUMI_NODEJS_PROJECT` for the project name the provider's config uses. */
  env?: NodeJS.ProcessEnv;
  /**
   * Sets `PULUMI_NODEJS_ENGINE` to the fake engine so `pulumi.log.*` inside the provider arrives as
   * engine `Log` calls. Off by default: the host only receives the engine address as argv, which
   * its runtime ignores, so without it `pulumi.log.info` prints `info: [runtime] ...` to stdout.
   */
  runtimeLogsToEngine?: boolean;
}

export type DiffChanges = "DIFF_UNKNOWN" | "DIFF_NONE" | "DIFF_SOME";

export type PropertyDiffKind =
  "ADD" | "ADD_REPLACE" | "DELETE" | "DELETE_REPLACE" | "UPDATE" | "UPDATE_REPLACE";

export interface DiffResult {
  changes: DiffChanges;
  replaces: string[];
  stables: string[];
  deleteBeforeReplace: boolean;
  diffs: string[];
  /** Always empty with the nodejs dynamic host: it does not forward a provider's `detailedDiff`. */
  detailedDiff: Record<string, { kind: PropertyDiffKind; inputDiff: boolean }>;
  hasDetailedDiff: boolean;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface CheckResult {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
}

export interface CreateResult {
  id: string;
  properties: Record<string, unknown>;
}

export interface ReadResult {
  /** Empty when the provider reports the resource gone (the engine then drops it from state). */
  id: string;
  properties: Record<string, unknown>;
  /** Inputs the provider returned for later diffs; empty when it returned none. */
  inputs: Record<string, unknown>;
}

/** A resource's state as the engine keeps it: the inputs it registered and the provider's outputs. */
export interface ResourceState {
  inputs: HostProps;
  outputs: HostProps;
}

/** One resource's `pulumi refresh`, step by step as the engine takes it. */
export interface RefreshResult {
  read: ReadResult;
  /** Absent when `read` reported the resource gone (the engine then drops it). */
  diff?: DiffResult;
  /** The state the refresh leaves; absent when the resource is gone. */
  state?: ResourceState;
}

/** What a create/update reported when the resource exists but failed to initialise. */
export interface ResourceInitFailure {
  id: string;
  properties: Record<string, unknown>;
  reasons: string[];
}

/** A rejected create/update; `initFailure` is set when the host packed `ErrorResourceInitFailed` details. */
export class ProviderCallError extends HostCallError {
  constructor(
    base: HostCallError,
    public readonly initFailure: ResourceInitFailure | undefined,
  ) {
    super(
      initFailure
        ? `${base.message} (resource ${initFailure.id} was created but failed to initialise: ` +
            `${initFailure.reasons.join("; ") || "no reasons given"})`
        : base.message,
      base.code,
      base.details,
      base.metadata,
    );
    this.name = "ProviderCallError";
  }
}

export interface DynamicProviderHost {
  /** Called automatically with `{}` before the first other call when a test does not call it, as the engine always configures first. */
  configure(
    config?: Record<string, unknown>,
  ): Promise<{ acceptSecrets: boolean; supportsPreview: boolean }>;
  check(urn: string, olds: HostProps, news: HostProps): Promise<CheckResult>;
  /** `oldInputs` is the engine's `old_inputs` field, which the nodejs dynamic host does not read. */
  diff(
    id: string,
    urn: string,
    olds: HostProps,
    news: HostProps,
    oldInputs?: HostProps,
  ): Promise<DiffResult>;
  /**
   * With `preview`, mirrors the engine: a provider that did not answer `supportsPreview` (the
   * dynamic host never does) is not called, and the inputs come back as outputs with an empty id.
   */
  create(urn: string, props: HostProps, options?: { preview?: boolean }): Promise<CreateResult>;
  /** With `preview`, like `create`: the host is not called and `news` come back. */
  update(
    id: string,
    urn: string,
    olds: HostProps,
    news: HostProps,
    options?: { preview?: boolean },
  ): Promise<Record<string, unknown>>;
  read(id: string, urn: string, props: HostProps, inputs?: HostProps): Promise<ReadResult>;
  /**
   * `pulumi refresh` of one resource as Pulumi 3.248+ runs it (pkg/resource/deploy/step.go,
   * `RefreshStep.Apply`): `read` with the state's outputs and inputs; then, unless the resource is
   * gone, `diff` with the refreshed outputs (and refreshed inputs, or the old ones when `read`
   * returned none) where the old values go and the state's old inputs where the new ones go. The
   * engine then inverts that diff, which swaps old and new in the per-property kinds but keeps
   * `changes` and `replaces`, the fields the nodejs host answers, as they are.
   */
  refresh(id: string, urn: string, state: ResourceState): Promise<RefreshResult>;
  delete(id: string, urn: string, props: HostProps): Promise<void>;
  /** `Log` calls on the fake engine (only when the provider's runtime knows the engine, see `PULUMI_NODEJS_ENGINE`). */
  engineLogs: EngineLogEntry[];
  /** The fake engine's address, passed to the host as its first argument. */
  engineAddress: string;
  stdout(): string;
  stderr(): string;
  stop(): Promise<void>;
}

export const CHANGES: Record<number, DiffChanges> = {
  [provProto.DiffResponse.DiffChanges.DIFF_UNKNOWN]: "DIFF_UNKNOWN",
  [provProto.DiffResponse.DiffChanges.DIFF_NONE]: "DIFF_NONE",
  [provProto.DiffResponse.DiffChanges.DIFF_SOME]: "DIFF_SOME",
};

const KINDS: Record<number, PropertyDiffKind> = {
  [provProto.PropertyDiff.Kind.ADD]: "ADD",
  [provProto.PropertyDiff.Kind.ADD_REPLACE]: "ADD_REPLACE",
  [provProto.PropertyDiff.Kind.DELETE]: "DELETE",
  [provProto.PropertyDiff.Kind.DELETE_REPLACE]: "DELETE_REPLACE",
  [provProto.PropertyDiff.Kind.UPDATE]: "UPDATE",
  [provProto.PropertyDiff.Kind.UPDATE_REPLACE]: "UPDATE_REPLACE",
};

/**
 * A provider's Check over gRPC, as the engine sends it: the one call both provider hosts make
 * (`secrets` says whether the provider takes secrets wrapped or stripped).
 */
export async function checkOverGrpc(
  client: provRpc.ResourceProviderClient,
  call: { urn: string; olds: object; news: object; secrets: SecretHandling },
): Promise<{ inputs: Record<string, unknown>; failures: { property: string; reason: string }[] }> {
  const req = new provProto.CheckRequest()
    .setUrn(call.urn)
    .setOlds(toStruct(call.olds, call.secrets))
    .setNews(toStruct(call.news, call.secrets));
  const res = await callUnary<provProto.CheckResponse>("Check", (cb) => client.check(req, cb));
  return {
    inputs: fromStruct(res.getInputs()),
    failures: res
      .getFailuresList()
      .map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
  };
}

const INIT_FAILED_TYPE = "pulumirpc.ErrorResourceInitFailed";

/** Unpacks `ErrorResourceInitFailed` from `grpc-status-details-bin`, as the Go engine does for create/update. */
function initFailureOf(err: HostCallError): ResourceInitFailure | undefined {
  const raw = err.metadata?.get("grpc-status-details-bin")[0];
  if (raw === undefined || typeof raw === "string") {
    return undefined;
  }
  const status = statusProto.Status.deserializeBinary(new Uint8Array(raw));
  for (const any of status.getDetailsList()) {
    if (any.getTypeName() === INIT_FAILED_TYPE) {
      const detail = provProto.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
      return {
        id: detail.getId(),
        properties: fromStruct(detail.getProperties()),
        reasons: detail.getReasonsList(),
      };
    }
  }
  return undefined;
}

function withInitFailure(err: unknown): never {
  if (err instanceof HostCallError) {
    throw new ProviderCallError(err, initFailureOf(err));
  }
  throw err;
}

/**
 * Starts Pulumi's nodejs dynamic-provider host as the CLI starts `pulumi-resource-pulumi-nodejs`:
 * `node node_modules/@pulumi/pulumi/cmd/dynamic-provider <engine-address>` in the program folder.
 * Secrets are stripped before they reach the host, as the engine does for a provider that answered
 * `acceptSecrets: false` to Configure.
 */
export async function startDynamicProviderHost(
  options: DynamicProviderHostOptions = {},
): Promise<DynamicProviderHost> {
  const engine: FakeEngine = await startFakeEngine();
  let host: HostProcess;
  try {
    host = await spawnPulumiHost({
      program: DYNAMIC_PROVIDER_PROGRAM,
      args: [engine.address],
      cwd: options.cwd ?? PROJECT_ROOT,
      env: {
        ...options.env,
        ...(options.runtimeLogsToEngine ? { PULUMI_NODEJS_ENGINE: engine.address } : {}),
      },
    });
  } catch (err) {
    await engine.stop();
    throw err;
  }
  const client = new provRpc.ResourceProviderClient(
    host.address,
    grpc.credentials.createInsecure(),
  );
  let configured: Promise<unknown> | undefined;
  let supportsPreview = false;

  const configure = async (config: Record<string, unknown> = {}) => {
    const req = new provProto.ConfigureRequest();
    const variables = req.getVariablesMap();
    for (const [k, v] of Object.entries(config)) {
      variables.set(k, typeof v === "string" ? v : JSON.stringify(v));
    }
    req.setArgs(toStruct(config, "strip"));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    req.setSendsOldInputs(true);
    req.setSendsOldInputsToDelete(true);
    const call = callUnary<provProto.ConfigureResponse>("Configure", (cb) =>
      client.configure(req, cb),
    );
    configured = call;
    const res = await call;
    supportsPreview = res.getSupportspreview();
    return { acceptSecrets: res.getAcceptsecrets(), supportsPreview };
  };
  const ensureConfigured = () => configured ?? configure({});

  const provider: DynamicProviderHost = {
    configure,
    async check(urn, olds, news) {
      await ensureConfigured();
      return checkOverGrpc(client, { urn, olds, news, secrets: "strip" });
    },
    async diff(id, urn, olds, news, oldInputs) {
      await ensureConfigured();
      const req = new provProto.DiffRequest()
        .setId(id)
        .setUrn(urn)
        .setOlds(toStruct(olds, "strip"))
        .setNews(toStruct(news, "strip"));
      if (oldInputs) {
        req.setOldInputs(toStruct(oldInputs, "strip"));
      }
      const res = await callUnary<provProto.DiffResponse>("Diff", (cb) => client.diff(req, cb));
      const detailedDiff: DiffResult["detailedDiff"] = {};
      res.getDetaileddiffMap().forEach((d, k) => {
        detailedDiff[k] = { kind: KINDS[d.getKind()] ?? "UPDATE", inputDiff: d.getInputdiff() };
      });
      return {
        changes: CHANGES[res.getChanges()] ?? "DIFF_UNKNOWN",
        replaces: res.getReplacesList(),
        stables: res.getStablesList(),
        deleteBeforeReplace: res.getDeletebeforereplace(),
        diffs: res.getDiffsList(),
        detailedDiff,
        hasDetailedDiff: res.getHasdetaileddiff(),
      };
    },
    async create(urn, props, opts = {}) {
      await ensureConfigured();
      if (opts.preview && !supportsPreview) {
        return { id: "", properties: fromStruct(toStruct(props, "strip")) };
      }
      const req = new provProto.CreateRequest()
        .setUrn(urn)
        .setProperties(toStruct(props, "strip"))
        .setPreview(opts.preview ?? false);
      const res = await callUnary<provProto.CreateResponse>("Create", (cb) =>
        client.create(req, cb),
      ).catch(withInitFailure);
      return { id: res.getId(), properties: fromStruct(res.getProperties()) };
    },
    async update(id, urn, olds, news, opts = {}) {
      await ensureConfigured();
      if (opts.preview && !supportsPreview) {
        return fromStruct(toStruct(news, "strip"));
      }
      const req = new provProto.UpdateRequest()
        .setId(id)
        .setUrn(urn)
        .setOlds(toStruct(olds, "strip"))
        .setNews(toStruct(news, "strip"))
        .setPreview(opts.preview ?? false);
      const res = await callUnary<provProto.UpdateResponse>("Update", (cb) =>
        client.update(req, cb),
      ).catch(withInitFailure);
      return fromStruct(res.getProperties());
    },
    async read(id, urn, props, inputs) {
      await ensureConfigured();
      const req = new provProto.ReadRequest()
        .setId(id)
        .setUrn(urn)
        .setProperties(toStruct(props, "strip"));
      if (inputs) {
        req.setInputs(toStruct(inputs, "strip"));
      }
      const res = await callUnary<provProto.ReadResponse>("Read", (cb) => client.read(req, cb));
      return {
        id: res.getId(),
        properties: fromStruct(res.getProperties()),
        inputs: fromStruct(res.getInputs()),
      };
    },
    async refresh(id, urn, state) {
      const read = await provider.read(id, urn, state.outputs, state.inputs);
      if (read.id === "") {
        return { read };
      }
      const inputs =
        Object.keys(read.inputs).length > 0 ? (read.inputs as HostProps) : state.inputs;
      const outputs = read.properties as HostProps;
      const diff = await provider.diff(read.id, urn, outputs, state.inputs, inputs);
      return { read, diff, state: { inputs, outputs } };
    },
    async delete(id, urn, props) {
      await ensureConfigured();
      const req = new provProto.DeleteRequest()
        .setId(id)
        .setUrn(urn)
        .setProperties(toStruct(props, "strip"));
      await callUnary<Empty>("Delete", (cb) => client.delete(req, cb));
    },
    engineLogs: engine.logs,
    engineAddress: engine.address,
    stdout: host.stdout,
    stderr: host.stderr,
    async stop() {
      client.close();
      await host.stop();
      await engine.stop();
    },
  };
  return provider;
}
