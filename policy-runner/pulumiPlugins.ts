import { ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as engineRpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineProto from "@pulumi/pulumi/proto/engine_pb";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";

/** Root of the project: hosts run from here unless told otherwise, as the CLI runs them from the program folder. */
export const PROJECT_ROOT = resolve(__dirname, "..");

/** Folder of Pulumi's host programs, as shipped in node_modules. */
export const PULUMI_CMD_DIR = resolve(PROJECT_ROOT, "node_modules", "@pulumi", "pulumi", "cmd");

/** The string the engine sends in place of a value that is not known yet (a preview's computed output). */
export const UNKNOWN: string = unknownValue;

/** A value marked as secret for a host call, the way `pulumi.secret()` marks it in a program. */
export class SecretValue<T = unknown> {
  constructor(public readonly value: T) {}
}

/** Marks `value` as secret for a harness call. */
export function secret<T>(value: T): SecretValue<T> {
  return new SecretValue(value);
}

/** JSON-like value sent to a host; `SecretValue` is turned into the engine's wire form. */
export type HostValue =
  | null
  | boolean
  | number
  | string
  | SecretValue
  | HostValue[]
  | { [key: string]: HostValue | undefined };

/** Plain object of host values, the shape of every property bag. */
export type HostProps = Record<string, HostValue | undefined>;

/** How secrets travel to a host: the dynamic provider host refuses them, analyzers receive them. */
export type SecretHandling = "strip" | "keep";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isWireSecret(value: unknown): value is { value: unknown } {
  return isPlainObject(value) && value[specialSigKey] === specialSecretSig;
}

/**
 * Converts a plain value into what the engine marshals for a plugin.
 * Undefined object members are dropped (the engine has no undefined); secrets are unwrapped when
 * the plugin did not accept secrets (the dynamic provider host answers `acceptSecrets: false`) and
 * encoded with Pulumi's secret signature otherwise. The unknown sentinel passes through unchanged.
 */
export function toWireValue(value: unknown, secrets: SecretHandling): unknown {
  if (value instanceof SecretValue || isWireSecret(value)) {
    const inner = toWireValue(value.value, secrets);
    return secrets === "strip" ? inner : { [specialSigKey]: specialSecretSig, value: inner };
  }
  if (Array.isArray(value)) {
    // The engine has no undefined element; it marshals a missing element as null.
    return value.map((e) => (e === undefined ? null : toWireValue(e, secrets)));
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) {
        out[k] = toWireValue(v, secrets);
      }
    }
    return out;
  }
  if (value === undefined) {
    return null;
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new Error(
      `Cannot send the number ${value} to a Pulumi host: protobuf Struct holds only finite numbers.`,
    );
  }
  return value;
}

/** Builds the protobuf Struct the engine would send for a property bag. */
export function toStruct(props: object, secrets: SecretHandling): Struct {
  return Struct.fromJavaScript(toWireValue(props, secrets) as Record<string, never>);
}

/** Reads a protobuf Struct back into plain JSON values (the unknown sentinel stays a string). */
export function fromStruct(struct: Struct | undefined): Record<string, unknown> {
  return struct ? (struct.toJavaScript() as Record<string, unknown>) : {};
}

/** One `Log` call a host made on the engine. */
export interface EngineLogEntry {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  urn: string;
  streamId: number;
  ephemeral: boolean;
}

const SEVERITIES: Record<number, EngineLogEntry["severity"]> = {
  [engineProto.LogSeverity.DEBUG]: "debug",
  [engineProto.LogSeverity.INFO]: "info",
  [engineProto.LogSeverity.WARNING]: "warning",
  [engineProto.LogSeverity.ERROR]: "error",
};

/** A minimal stand-in for the engine's `pulumirpc.Engine` service that plugins call back. */
export interface FakeEngine {
  /** `127.0.0.1:<port>`, the address the CLI passes to a plugin as its first argument. */
  address: string;
  logs: EngineLogEntry[];
  stop(): Promise<void>;
}

/** Starts the fake engine on 127.0.0.1 with a free port. */
export async function startFakeEngine(): Promise<FakeEngine> {
  const logs: EngineLogEntry[] = [];
  let rootResource = "";
  const server = new grpc.Server();
  const service: engineRpc.IEngineServer = {
    log(call, callback) {
      const req = call.request;
      logs.push({
        severity: SEVERITIES[req.getSeverity()] ?? "info",
        message: req.getMessage(),
        urn: req.getUrn(),
        streamId: req.getStreamid(),
        ephemeral: req.getEphemeral(),
      });
      callback(null, new Empty());
    },
    getRootResource(_call, callback) {
      callback(null, new engineProto.GetRootResourceResponse().setUrn(rootResource));
    },
    setRootResource(call, callback) {
      rootResource = call.request.getUrn();
      callback(null, new engineProto.SetRootResourceResponse());
    },
    startDebugging(_call, callback) {
      callback({
        code: grpc.status.UNIMPLEMENTED,
        details: "This stand-in engine cannot attach a debugger.",
      });
    },
    requirePulumiVersion(_call, callback) {
      // Any range is satisfied: the hosts come from the SDK this project pins.
      callback(null, new engineProto.RequirePulumiVersionResponse());
    },
  };
  server.addService(engineRpc.EngineService, service);
  const port = await new Promise<number>((ok, fail) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? fail(err) : ok(p),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    logs,
    stop: () => shutdownServer(server),
  };
}

function shutdownServer(server: grpc.Server): Promise<void> {
  return new Promise((ok) => {
    // A graceful shutdown waits for open calls; a host killed mid-call must not keep jest alive.
    const timer = setTimeout(() => server.forceShutdown(), 2000);
    server.tryShutdown(() => {
      clearTimeout(timer);
      ok();
    });
  });
}

export interface SpawnHostOptions {
  /** Path of the host program (a folder with index.js, as under node_modules/@pulumi/pulumi/cmd). */
  program: string;
  /** Arguments after the program; the CLI passes the engine address first. */
  args: string[];
  cwd: string;
  /** Extra environment on top of this process's environment. */
  env?: NodeJS.ProcessEnv;
  /**
   * How long to wait for the port line. Defaults to 120 s because a TypeScript policy pack is
   * type-checked by ts-node before it listens.
   */
  startupTimeoutMs?: number;
}

/** A running host process that printed its gRPC port. */
export interface HostProcess {
  /** `127.0.0.1:<port>` of the host's gRPC server. */
  address: string;
  child: ChildProcess;
  /** Everything the host wrote to stdout after its port line (the CLI shows it as plugin output). */
  stdout(): string;
  stderr(): string;
  /** Exit code once the host ended, `null` while it runs or when killed by a signal. */
  exitCode(): number | null;
  /** Kills the host (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Spawns a Pulumi host program the way the CLI's plugin loader does: `node <program> <args>`,
 * reading the first stdout line as the port of a gRPC server on 127.0.0.1.
 */
export function spawnPulumiHost(options: SpawnHostOptions): Promise<HostProcess> {
  const child = spawn(process.execPath, [options.program, ...options.args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdoutBuf = "";
  let stderrBuf = "";
  let port: number | undefined;
  const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderrBuf += d;
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };

  return new Promise<HostProcess>((ok, fail) => {
    const timeoutMs = options.startupTimeoutMs ?? 120_000;
    const describe = (why: string): Error =>
      new Error(
        `Pulumi host ${options.program} ${why}. Its stderr was:\n${stderrBuf || "(empty)"}\n` +
          `Its stdout was:\n${stdoutBuf || "(empty)"}`,
      );
    const timer = setTimeout(() => {
      void stop().then(() => fail(describe(`printed no port within ${timeoutMs} ms`)));
    }, timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      fail(describe(`could not start (${err.message})`));
    });
    child.once("exit", (code, signal) => {
      if (port === undefined) {
        clearTimeout(timer);
        // Let the last stderr chunk arrive before describing the failure.
        setImmediate(() =>
          fail(describe(`exited (code ${code}, signal ${signal}) before printing its port`)),
        );
      }
    });
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdoutBuf += d;
      if (port !== undefined) {
        return;
      }
      const newline = stdoutBuf.indexOf("\n");
      if (newline < 0) {
        return;
      }
      const first = stdoutBuf.slice(0, newline).trim();
      stdoutBuf = stdoutBuf.slice(newline + 1);
      clearTimeout(timer);
      if (!/^\d+$/.test(first)) {
        void stop().then(() =>
          fail(describe(`printed "${first}" where the engine expects its port`)),
        );
        return;
      }
      port = Number(first);
      ok({
        address: `127.0.0.1:${port}`,
        child,
        stdout: () => stdoutBuf,
        stderr: () => stderrBuf,
        exitCode: () => child.exitCode,
        stop,
      });
    });
  });
}

/** Error of a host call, carrying the gRPC status the host answered. */
export class HostCallError extends Error {
  constructor(
    message: string,
    public readonly code: grpc.status,
    public readonly details: string,
    public readonly metadata: grpc.Metadata | undefined,
  ) {
    super(message);
    this.name = "HostCallError";
  }
}

type UnaryCallback<Res> = (error: grpc.ServiceError | null, response: Res) => void;

/**
 * Calls a unary gRPC method and rejects with a `HostCallError` that names the method and the
 * host's message. `start` issues the call, e.g. `(cb) => client.check(request, cb)`.
 */
export function callUnary<Res>(
  method: string,
  start: (callback: UnaryCallback<Res>) => grpc.ClientUnaryCall,
): Promise<Res> {
  return new Promise((ok, fail) => {
    start((err, res) => {
      if (err) {
        const status = grpc.status[err.code] ?? String(err.code);
        fail(
          new HostCallError(
            `${method} failed with ${status}: ${err.details || err.message}`,
            err.code,
            err.details,
            err.metadata,
          ),
        );
      } else {
        ok(res);
      }
    });
  });
}
