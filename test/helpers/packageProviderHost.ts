/**
 * The api-s3-load plugin (provider/) started exactly as the Pulumi CLI's Node.js language host
 * starts a source plugin (sdk/go/common/resource/plugin/plugin.go, then the host's RunPlugin):
 * `node <run-plugin> <absolute plugin folder> <engine address>` in the consumer's project folder
 * (here examples/python), with a fake engine of ours; then driven over gRPC the way the engine
 * drives a provider that accepts secrets (they travel wrapped, unknowns as the sentinel).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as pluginProto from "@pulumi/pulumi/proto/plugin_pb";
import * as provRpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provProto from "@pulumi/pulumi/proto/provider_pb";
import {
  type EngineLogEntry,
  type FakeEngine,
  type HostProcess,
  type HostProps,
  PROJECT_ROOT,
  PULUMI_CMD_DIR,
  callUnary,
  fromStruct,
  spawnPulumiHost,
  startFakeEngine,
  toStruct,
} from "./pulumiHost";
import { CHANGES, checkOverGrpc } from "./dynamicProviderHost";
import {
  type FakeResourceMonitor,
  type Registration,
  startFakeResourceMonitor,
} from "./fakeResourceMonitor";

export { UNKNOWN, secret, HostCallError } from "./pulumiHost";
export type { HostProps } from "./pulumiHost";
export type { Registration } from "./fakeResourceMonitor";

/** The plugin's folder, as `pulumi package add ./provider` names it. */
export const PROVIDER_DIR = join(PROJECT_ROOT, "provider");
export const RUN_PLUGIN_PROGRAM = join(PULUMI_CMD_DIR, "run-plugin");
export const TEST_PROJECT = "consumer";
export const TEST_STACK = "dev";

export function urnFor(type: string, name: string): string {
  return `urn:pulumi:${TEST_STACK}::${TEST_PROJECT}::${type}::${name}`;
}

export interface ConstructOutcome {
  urn: string;
  /** The component's state in wire form. */
  state: Record<string, unknown>;
  /** URNs each state property depends on. */
  stateDependencies: Record<string, string[]>;
  /** What the provider registered with the resource monitor, in order. */
  registrations: Registration[];
  /** `registerOutputs` calls, by URN. */
  componentOutputs: Map<string, Record<string, unknown>>;
}

export interface ConstructRequestOptions {
  /** The resource monitor the plugin registers children with. Defaults to a fresh stand-in. */
  monitor?: FakeResourceMonitor;
  /** The parent's URN, as a program's component or stack. Defaults to none. */
  parent?: string;
  dependencies?: string[];
  inputDependencies?: Record<string, string[]>;
  dryRun?: boolean;
}

export interface PackageProvider {
  getSchema(): Promise<string>;
  pluginVersion(): Promise<string>;
  configure(): Promise<{ acceptSecrets: boolean; supportsPreview: boolean }>;
  check(
    urn: string,
    olds: HostProps,
    news: HostProps,
  ): Promise<{
    inputs: Record<string, unknown>;
    failures: { property: string; reason: string }[];
  }>;
  diff(
    id: string,
    urn: string,
    olds: HostProps,
    news: HostProps,
  ): Promise<{ changes: "DIFF_UNKNOWN" | "DIFF_NONE" | "DIFF_SOME"; replaces: string[] }>;
  create(
    urn: string,
    props: HostProps,
  ): Promise<{ id: string; properties: Record<string, unknown> }>;
  read(
    id: string,
    urn: string,
    props: HostProps,
  ): Promise<{ id: string; properties: Record<string, unknown> }>;
  update(
    id: string,
    urn: string,
    olds: HostProps,
    news: HostProps,
  ): Promise<Record<string, unknown>>;
  delete(id: string, urn: string, props: HostProps): Promise<void>;
  construct(
    type: string,
    name: string,
    inputs: HostProps,
    options?: ConstructRequestOptions,
  ): Promise<ConstructOutcome>;
  engineLogs: EngineLogEntry[];
  stdout(): string;
  stderr(): string;
  stop(): Promise<void>;
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/**
 * Refuses to test a missing or stale build: the plugin runs provider/dist, which `npm test` (its
 * pretest) and `npm ci` build, but a jest run of its own does not. Each emitted file is compared
 * with its source (the build's rootDir is the repository root), and every provider/src file must
 * have been emitted.
 */
export function assertPluginBuilt(): void {
  const dist = join(PROVIDER_DIR, "dist");
  const fix = "run `npm run build:provider` (npm test and npm ci run it)";
  const entry = join(dist, "provider", "src", "index.js");
  if (!existsSync(entry)) {
    throw new Error(`The plugin is not built (${entry} is missing): ${fix}.`);
  }
  const stale = filesUnder(dist)
    .filter((file) => file.endsWith(".js"))
    .map((file) => ({
      file,
      source: join(PROJECT_ROOT, relative(dist, file)).replace(/\.js$/, ".ts"),
    }))
    .filter(
      ({ file, source }) => existsSync(source) && statSync(source).mtimeMs > statSync(file).mtimeMs,
    )
    .map(({ source }) => source);
  const unbuilt = filesUnder(join(PROVIDER_DIR, "src")).filter(
    (source) => !existsSync(join(dist, relative(PROJECT_ROOT, source)).replace(/\.ts$/, ".js")),
  );
  if (stale.length + unbuilt.length > 0) {
    throw new Error(
      `The plugin's build is older than ${[...stale, ...unbuilt].join(", ")}: ${fix}.`,
    );
  }
}

/** The consumer project folder the CLI would run the plugin from. */
export const CONSUMER_DIR = join(PROJECT_ROOT, "examples", "python");

export async function startPackageProvider(
  options: {
    env?: NodeJS.ProcessEnv;
    /** Working folder. Defaults to a consumer's project folder, as the CLI runs it. */
    cwd?: string;
    /** The plugin folder argument. Defaults to its absolute path, as the CLI passes it. */
    plugin?: string;
  } = {},
): Promise<PackageProvider> {
  assertPluginBuilt();
  const engine: FakeEngine = await startFakeEngine();
  let host: HostProcess;
  try {
    host = await spawnPulumiHost({
      program: RUN_PLUGIN_PROGRAM,
      args: [options.plugin ?? PROVIDER_DIR, engine.address],
      cwd: options.cwd ?? CONSUMER_DIR,
      env: options.env,
    });
  } catch (err) {
    await engine.stop();
    throw err;
  }
  const client = new provRpc.ResourceProviderClient(
    host.address,
    grpc.credentials.createInsecure(),
  );
  const monitors: { stop(): Promise<void> }[] = [];

  const provider: PackageProvider = {
    async getSchema() {
      const res = await callUnary<provProto.GetSchemaResponse>("GetSchema", (cb) =>
        client.getSchema(new provProto.GetSchemaRequest(), cb),
      );
      return res.getSchema();
    },
    async pluginVersion() {
      const res = await callUnary<pluginProto.PluginInfo>("GetPluginInfo", (cb) =>
        client.getPluginInfo(new Empty(), cb),
      );
      return res.getVersion();
    },
    async configure() {
      const req = new provProto.ConfigureRequest()
        .setAcceptsecrets(true)
        .setAcceptresources(true)
        .setSendsOldInputs(true)
        .setSendsOldInputsToDelete(true);
      const res = await callUnary<provProto.ConfigureResponse>("Configure", (cb) =>
        client.configure(req, cb),
      );
      return { acceptSecrets: res.getAcceptsecrets(), supportsPreview: res.getSupportspreview() };
    },
    async check(urn, olds, news) {
      return checkOverGrpc(client, { urn, olds, news, secrets: "keep" });
    },
    async diff(id, urn, olds, news) {
      const req = new provProto.DiffRequest()
        .setId(id)
        .setUrn(urn)
        .setOlds(toStruct(olds, "keep"))
        .setNews(toStruct(news, "keep"));
      const res = await callUnary<provProto.DiffResponse>("Diff", (cb) => client.diff(req, cb));
      return { changes: CHANGES[res.getChanges()], replaces: res.getReplacesList() };
    },
    async create(urn, props) {
      const req = new provProto.CreateRequest().setUrn(urn).setProperties(toStruct(props, "keep"));
      const res = await callUnary<provProto.CreateResponse>("Create", (cb) =>
        client.create(req, cb),
      );
      return { id: res.getId(), properties: fromStruct(res.getProperties()) };
    },
    async read(id, urn, props) {
      const req = new provProto.ReadRequest()
        .setId(id)
        .setUrn(urn)
        .setProperties(toStruct(props, "keep"));
      const res = await callUnary<provProto.ReadResponse>("Read", (cb) => client.read(req, cb));
      return { id: res.getId(), properties: fromStruct(res.getProperties()) };
    },
    async update(id, urn, olds, news) {
      const req = new provProto.UpdateRequest()
        .setId(id)
        .setUrn(urn)
        .setOlds(toStruct(olds, "keep"))
        .setNews(toStruct(news, "keep"));
      const res = await callUnary<provProto.UpdateResponse>("Update", (cb) =>
        client.update(req, cb),
      );
      return fromStruct(res.getProperties());
    },
    async delete(id, urn, props) {
      const req = new provProto.DeleteRequest()
        .setId(id)
        .setUrn(urn)
        .setProperties(toStruct(props, "keep"));
      await callUnary<Empty>("Delete", (cb) => client.delete(req, cb));
    },
    async construct(type, name, inputs, opts = {}) {
      const monitor = opts.monitor ?? (await startFakeResourceMonitor(TEST_PROJECT, TEST_STACK));
      if (!opts.monitor) {
        monitors.push(monitor);
      }
      const req = new provProto.ConstructRequest()
        .setProject(TEST_PROJECT)
        .setStack(TEST_STACK)
        .setOrganization("organization")
        .setDryrun(opts.dryRun ?? false)
        .setParallel(4)
        .setMonitorendpoint(monitor.address)
        .setType(type)
        .setName(name)
        .setParent(opts.parent ?? "")
        .setInputs(toStruct(inputs, "keep"))
        .setDependenciesList(opts.dependencies ?? [])
        .setAcceptsOutputValues(true);
      const depsMap = req.getInputdependenciesMap();
      for (const [key, urns] of Object.entries(opts.inputDependencies ?? {})) {
        depsMap.set(key, new provProto.ConstructRequest.PropertyDependencies().setUrnsList(urns));
      }
      const res = await callUnary<provProto.ConstructResponse>("Construct", (cb) =>
        client.construct(req, cb),
      );
      const stateDependencies: Record<string, string[]> = {};
      res.getStatedependenciesMap().forEach((deps, key) => {
        stateDependencies[key] = deps.getUrnsList();
      });
      return {
        urn: res.getUrn(),
        state: fromStruct(res.getState()),
        stateDependencies,
        registrations: monitor.registrations,
        componentOutputs: monitor.componentOutputs,
      };
    },
    engineLogs: engine.logs,
    stdout: host.stdout,
    stderr: host.stderr,
    async stop() {
      client.close();
      await host.stop();
      await Promise.all(monitors.map((m) => m.stop()));
      await engine.stop();
    },
  };
  return provider;
}
