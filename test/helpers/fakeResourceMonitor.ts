/**
 * A stand-in for the engine's resource monitor (`pulumirpc.ResourceMonitor`), the service a
 * provider's `construct` registers its component's children with. It answers as the engine does
 * for a fresh stack: URNs built the engine's way, an id for each custom resource, its inputs back
 * as outputs, and it records every registration for the tests to read.
 */
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as resRpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resProto from "@pulumi/pulumi/proto/resource_pb";
import { fromStruct } from "./pulumiHost";

/** One RegisterResource call as the monitor received it. */
export interface Registration {
  type: string;
  name: string;
  urn: string;
  custom: boolean;
  /** The parent's URN; empty for none. */
  parent: string;
  /** URNs of `dependsOn`. */
  dependencies: string[];
  /** Inputs in wire form (secrets wrapped, unknowns as the sentinel). */
  inputs: Record<string, unknown>;
  /** Each input's dependencies, as URNs. */
  propertyDependencies: Record<string, string[]>;
  remote: boolean;
}

/**
 * What the engine does with a registration, when a test plays the engine: a remote component's
 * `construct`, a custom resource's check and create. Undefined falls back to the stand-in answer.
 */
export type RegistrationHandler = (registration: Registration) => Promise<
  | {
      id?: string;
      /** Outputs in wire form. */
      object: Record<string, unknown>;
      urn?: string;
      /** Each output's dependencies, as URNs. */
      propertyDependencies?: Record<string, string[]>;
    }
  | undefined
>;

export interface FakeResourceMonitor {
  /** `127.0.0.1:<port>` */
  address: string;
  registrations: Registration[];
  /** Outputs registered by components (`registerOutputs`), by URN. */
  componentOutputs: Map<string, Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Features the monitor says it supports: what the engine of 3.276 answers for these. */
const FEATURES = new Set([
  "secrets",
  "resourceReferences",
  "outputValues",
  "deletedWith",
  "aliasSpecs",
]);

/** The engine's URN: the parent's type chain joined by `$`, then this type and name. */
export function urnOf(
  project: string,
  stack: string,
  type: string,
  name: string,
  parentUrn: string,
): string {
  const parentType = parentUrn === "" ? "" : (parentUrn.split("::")[2] ?? "");
  const qualified =
    parentType === "" || parentType === "pulumi:pulumi:Stack" ? type : `${parentType}$${type}`;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

export async function startFakeResourceMonitor(
  project: string,
  stack: string,
  handle?: RegistrationHandler,
): Promise<FakeResourceMonitor> {
  const registrations: Registration[] = [];
  const componentOutputs = new Map<string, Record<string, unknown>>();
  const server = new grpc.Server();

  async function register(
    req: resProto.RegisterResourceRequest,
  ): Promise<resProto.RegisterResourceResponse> {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps, key) => {
      propertyDependencies[key] = deps.getUrnsList();
    });
    const registration: Registration = {
      type: req.getType(),
      name: req.getName(),
      urn: urnOf(project, stack, req.getType(), req.getName(), req.getParent()),
      custom: req.getCustom(),
      parent: req.getParent(),
      dependencies: req.getDependenciesList(),
      inputs: fromStruct(req.getObject()),
      propertyDependencies,
      remote: req.getRemote(),
    };
    registrations.push(registration);
    const handled = await handle?.(registration);
    const res = new resProto.RegisterResourceResponse().setUrn(handled?.urn ?? registration.urn);
    if (handled) {
      res.setObject(Struct.fromJavaScript(handled.object as Record<string, never>));
      if (handled.id !== undefined) {
        res.setId(handled.id);
      }
      const depsMap = res.getPropertydependenciesMap();
      for (const [key, urns] of Object.entries(handled.propertyDependencies ?? {})) {
        depsMap.set(
          key,
          new resProto.RegisterResourceResponse.PropertyDependencies().setUrnsList(urns),
        );
      }
    } else if (registration.custom) {
      res.setId(`${registration.name}-id`);
      res.setObject(
        Struct.fromJavaScript({
          ...(registration.inputs as Record<string, never>),
          arn: `arn:aws:s3:::${registration.name}-id`,
        }),
      );
    } else {
      res.setObject(new Struct());
    }
    return res;
  }

  const unimplemented = (what: string) => ({
    code: grpc.status.UNIMPLEMENTED,
    details: `This stand-in resource monitor does not implement ${what}.`,
  });
  const service: resRpc.IResourceMonitorServer = {
    supportsFeature(call, callback) {
      callback(
        null,
        new resProto.SupportsFeatureResponse().setHassupport(FEATURES.has(call.request.getId())),
      );
    },
    registerResource(call, callback) {
      void register(call.request).then(
        (res) => callback(null, res),
        (error: Error) => callback({ code: grpc.status.UNKNOWN, details: error.message }),
      );
    },
    registerResourceOutputs(call, callback) {
      componentOutputs.set(call.request.getUrn(), fromStruct(call.request.getOutputs()));
      callback(null, new Empty());
    },
    getDeploymentInfo: (_call, callback) => callback(unimplemented("GetDeploymentInfo")),
    invoke: (_call, callback) => callback(unimplemented("Invoke")),
    call: (_call, callback) => callback(unimplemented("Call")),
    readResource: (_call, callback) => callback(unimplemented("ReadResource")),
    existsResource: (_call, callback) => callback(unimplemented("ExistsResource")),
    registerStackTransform: (_call, callback) => callback(unimplemented("transforms")),
    registerStackInvokeTransform: (_call, callback) => callback(unimplemented("transforms")),
    registerResourceHook: (_call, callback) => callback(unimplemented("resource hooks")),
    registerErrorHook: (_call, callback) => callback(unimplemented("error hooks")),
    registerPackage: (_call, callback) => callback(unimplemented("RegisterPackage")),
    signalAndWaitForShutdown: (_call, callback) => callback(null, new Empty()),
  };
  server.addService(resRpc.ResourceMonitorService, service);
  const port = await new Promise<number>((ok, fail) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? fail(err) : ok(p),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    registrations,
    componentOutputs,
    stop: () =>
      new Promise((ok) => {
        const timer = setTimeout(() => server.forceShutdown(), 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          ok();
        });
      }),
  };
}
