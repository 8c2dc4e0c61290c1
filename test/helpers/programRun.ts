/**
 * Runs the Pulumi program (index.ts) under Pulumi's mocks with a stack file's config, as `pulumi
 * preview`/`up` would, and records every resource it registers.
 *
 * The mocks stand in for AWS (policy-runner/mockCloud.ts, shared with `npm run policy`).
 */
import { join } from "node:path";
import { readConfigFiles } from "../../cli/stackFile";
import {
  configuredRegion,
  MOCK_ACCOUNT_ID,
  mockCall,
  mockId,
  mockState,
} from "../../policy-runner/mockCloud";
import { settle } from "../../policy-runner/programUnderMocks";
import type * as PulumiModule from "@pulumi/pulumi";
import { freshPulumi } from "./freshPulumi";

export const PROJECT_ROOT = join(__dirname, "..", "..");
export type StackName = "dev" | "prod" | "local";
export const STACKS: readonly StackName[] = ["dev", "prod", "local"];

export interface RecordedResource {
  type: string;
  name: string;
  urn: string;
  id: string;
  inputs: Record<string, unknown>;
  /** URN of the parent resource, when it has one other than the stack. */
  parent?: string;
  /** Options the resource was created with that tests care about. */
  protect?: boolean;
  dependsOn: string[];
}

export interface ProgramRun {
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  /** Keys of outputs that are secret. */
  secretOutputs: string[];
  /** The serialized dynamic provider text of each Snapshot, by resource name. */
  providers: Record<string, string>;
}

export interface RunOptions {
  preview?: boolean;
  /** Config to set on top of the stack file, e.g. `{"api-s3-load:coingeckoApiKey": "..."}`. */
  config?: Record<string, unknown>;
  /** Config keys (full names) whose values are secrets. */
  secretKeys?: string[];
  /** Replace the stack file's config entirely instead of layering `config` over it. */
  ignoreStackFile?: boolean;
}

export { MOCK_ACCOUNT_ID };

/** The config a stack gets: project defaults from Pulumi.yaml, overridden by Pulumi.<stack>.yaml. */
export function stackConfig(stack: StackName): Record<string, unknown> {
  return readConfigFiles(PROJECT_ROOT, stack);
}

/**
 * Runs index.ts once in a fresh module registry. Call from a jest test; each call resets modules so
 * runs for different stacks do not share Pulumi's runtime state.
 */
export async function runProgram(stack: StackName, options: RunOptions = {}): Promise<ProgramRun> {
  const pulumi: typeof PulumiModule = await freshPulumi();
  const config = {
    ...(options.ignoreStackFile ? {} : stackConfig(stack)),
    ...(options.config ?? {}),
  };
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    ),
    options.secretKeys ?? [],
  );

  const resources: RecordedResource[] = [];
  const region = configuredRegion(config);
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const id = mockId(args.type, args.name, args.inputs);
        resources.push({
          type: args.type,
          name: args.name,
          urn: "",
          id,
          inputs: args.inputs,
          dependsOn: [],
        });
        return { id, state: mockState(args.type, id, args.inputs, region) };
      },
      call: (args) => mockCall(args, region),
    },
    "api-s3-load",
    stack,
    options.preview ?? false,
  );

  // Records each resource's parent and options as the SDK sees them, which mocks do not report.
  // The stack resource that transformations hang on exists only inside runInPulumiStack.
  const selves = new Map<string, PulumiModule.Resource>();
  const details = new Map<
    string,
    { parent?: PulumiModule.Resource; protect?: boolean; dependsOn: PulumiModule.Resource[] }
  >();
  let program: Record<string, unknown> = {};
  let programError: unknown;
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      const dependsOn = args.opts.dependsOn;
      details.set(`${args.type}::${args.name}`, {
        parent: args.opts.parent,
        protect: args.opts.protect,
        dependsOn: Array.isArray(dependsOn) ? (dependsOn as PulumiModule.Resource[]) : [],
      });
      selves.set(`${args.type}::${args.name}`, args.resource);
      return undefined;
    });
    try {
      program = await import("../../index");
    } catch (error) {
      // Thrown inside the stack's construction it would escape as an unhandled rejection.
      programError = error;
    }
    return undefined;
  });
  const stackResource = pulumi.runtime.getStackResource();
  if (programError !== undefined) {
    throw programError;
  }
  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const [key, value] of Object.entries(program)) {
    if (pulumi.Output.isInstance(value)) {
      outputs[key] = await promiseOf(value);
      if (await pulumi.isSecret(value)) {
        secretOutputs.push(key);
      }
    } else {
      outputs[key] = value;
    }
  }
  await settle(() => resources.length);

  for (const resource of resources) {
    const key = `${resource.type}::${resource.name}`;
    const self = selves.get(key);
    const detail = details.get(key);
    resource.urn = self ? await promiseOf(self.urn) : "";
    const parent = detail?.parent;
    resource.parent = parent && parent !== stackResource ? await promiseOf(parent.urn) : undefined;
    resource.protect = detail?.protect;
    resource.dependsOn = detail
      ? await Promise.all(detail.dependsOn.map((d) => promiseOf(d.urn)))
      : [];
  }

  const providers: Record<string, string> = {};
  for (const resource of resources) {
    if (typeof resource.inputs.__provider === "string") {
      providers[resource.name] = resource.inputs.__provider;
    }
  }
  return { resources, outputs, secretOutputs, providers };
}

/** The value of an Output, or undefined when it is unknown (as in a preview). */
export function promiseOf<T>(output: PulumiModule.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}
