/**
 * Runs the project's Pulumi program (index.ts) once under Pulumi's mocks with a stack's config, as
 * `pulumi preview` would run it but with no engine, backend or cloud, and records every resource
 * registration the way the engine keeps it for its analyzers: the inputs the program sent, the
 * outputs the (mock) provider answered, and the parent, provider, dependencies and per-property
 * dependencies of each.
 *
 * Call it once per process: Pulumi's runtime state is global.
 */
import { join } from "node:path";
import type * as PulumiModule from "@pulumi/pulumi";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { configuredRegion, mockCall, MockMode, providerAnswer } from "./mockCloud";

/** One resource as the engine records it for `Analyze` (inputs) and `AnalyzeStack` (outputs). */
export interface Registration {
  type: string;
  name: string;
  urn: string;
  custom: boolean;
  /** URN of the parent, when the program gave one other than the stack. */
  parent?: string;
  /** The provider reference (`<urn>::<id>`) of an explicit provider, `""` for the default one. */
  providerRef: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  protect: boolean;
  /** The id the (mock) provider answered; `""` when unknown (a preview). */
  id: string;
  /** The provider version and download URL the SDK sent, which name a default provider. */
  version: string;
  pluginDownloadURL: string;
  /** The program's inputs in the engine's wire form: secrets keep their signature, unknowns their sentinel. */
  inputs: Record<string, unknown>;
  /** Outputs in the engine's wire form. */
  outputs: Record<string, unknown>;
}

/** The parts of a `RegisterResourceRequest` this module reads (the generated class is untyped here). */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getProtect(): boolean;
  getVersion(): string;
  getPlugindownloadurl(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): {
    forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void;
  };
  getObject(): Struct | undefined;
}
interface RegisterResponse {
  getUrn(): string;
  getId(): string;
  getObject(): Struct | undefined;
}
type RegisterCallback = (err: Error | null, res: RegisterResponse | undefined) => void;
interface RecordingMonitor {
  registerResource(req: RegisterRequest, callback: RegisterCallback): Promise<void>;
}

/** The program failed while it ran: its own error, which names the setting to fix. */
export class ProgramError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProgramError";
  }
}

/**
 * Runs `<root>/index.ts` for `stack` with `config` (full keys, as `readConfigFiles` gives them) and
 * returns every registration, in the order the program sent them (the order the engine handles
 * them in). `mode` "preview" runs it as a first `pulumi preview`: outputs of new resources are
 * unknown to the program, so inputs built from them reach the pack as unknown values.
 */
export async function runProgramUnderMocks(
  root: string,
  project: string,
  stack: string,
  config: Record<string, unknown>,
  mode: MockMode = "up",
): Promise<Registration[]> {
  const pulumi: typeof PulumiModule = await import("@pulumi/pulumi");
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    ),
    [],
  );
  const region = configuredRegion(config);
  await pulumi.runtime.setMocks(
    {
      newResource: (args) =>
        providerAnswer(args.type, args.name, args.inputs as Record<string, unknown>, region, mode),
      call: (args) => mockCall(args, region),
    },
    project,
    stack,
    mode === "preview",
  );

  // The mock monitor answers registrations; this wrapper keeps what the engine would keep of each,
  // in the order the requests arrived (answers may come back in another order).
  const slots: (Registration | undefined)[] = [];
  const settings = require("@pulumi/pulumi/runtime/settings") as {
    getMonitor(): RecordingMonitor | undefined;
  };
  const monitor = settings.getMonitor();
  if (monitor === undefined) {
    throw new Error("Pulumi's mocks did not install a resource monitor.");
  }
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const slot = slots.push(undefined) - 1;
    return register(req, (err, res) => {
      if (!err && res) {
        slots[slot] = record(req, res);
      }
      callback(err, res);
    });
  };
  const registrations = () => slots.filter((r): r is Registration => r !== undefined);

  let programError: unknown;
  await pulumi.runtime.runInPulumiStack(async () => {
    try {
      require(join(root, "index"));
    } catch (error) {
      // Thrown inside the stack's construction it would escape as an unhandled rejection.
      programError = error;
    }
    return undefined;
  });
  if (programError !== undefined) {
    throw new ProgramError((programError as Error).message ?? String(programError));
  }
  await settle(() => registrations().length);
  return registrations();
}

function record(req: RegisterRequest, res: RegisterResponse): Registration {
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((value, key) => {
    propertyDependencies[key] = value.getUrnsList();
  });
  return {
    type: req.getType(),
    name: req.getName(),
    urn: res.getUrn(),
    custom: req.getCustom(),
    parent: req.getParent() || undefined,
    providerRef: req.getProvider(),
    dependencies: req.getDependenciesList(),
    propertyDependencies,
    protect: req.getProtect(),
    id: res.getId(),
    version: req.getVersion(),
    pluginDownloadURL: req.getPlugindownloadurl(),
    inputs: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
    outputs: (res.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
  };
}

/** Waits until registrations stop arriving: under mocks the program has no other completion signal. */
export async function settle(count: () => number): Promise<void> {
  let last = -1;
  let stable = 0;
  while (stable < 3) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = count();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
}
