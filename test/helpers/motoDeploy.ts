/**
 * A whole `pulumi up` of the program against moto, without the Pulumi CLI: index.ts runs under
 * Pulumi's mocks, and the mocks do what the engine and its providers would do with each resource:
 *
 * - every `aws.s3` resource is applied to moto through the S3 API with the inputs the program gave
 *   it, as the AWS provider would (`applyS3Resource`); an input the applier does not know fails the
 *   deploy instead of being dropped, and so does any error moto answers;
 * - every Snapshot goes through Pulumi's own dynamic-provider host (check, then create) with the
 *   provider the program serialized, so its outputs are what the real write produced;
 * - the `command.local.Command` runs its `create` line with its environment, as
 *   @pulumi/command does.
 *
 * Resources are applied in the order the program's dependencies allow (the SDK registers a
 * resource only after what it depends on), so the guard rails land before any object.
 */
import { execFile } from "node:child_process";
import {
  CreateBucketCommand,
  PutBucketAclCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type BucketCannedACL,
  type LifecycleRule,
  type ObjectOwnership,
  type S3Client,
  type ServerSideEncryption,
} from "@aws-sdk/client-s3";
import type * as PulumiModule from "@pulumi/pulumi";
import type { DynamicProviderHost, HostProps } from "./dynamicProviderHost";
import { MOTO_ACCOUNT_ID, MOTO_REGION, type Moto } from "./moto";
import { PROJECT_ROOT, stackConfig, type StackName } from "./programRun";
import { freshPulumi } from "./freshPulumi";

type Inputs = Record<string, unknown>;

/** Fails on inputs the applier would otherwise silently ignore. */
function only(type: string, inputs: Inputs, known: string[]): void {
  const unknown = Object.keys(inputs).filter((k) => !known.includes(k) && inputs[k] !== undefined);
  if (unknown.length > 0) {
    throw new Error(
      `${type}: test/helpers/motoDeploy.ts does not apply the input(s) ${unknown.join(", ")}; translate them to the S3 API there.`,
    );
  }
}

function lifecycleRule(rule: Inputs): LifecycleRule {
  only("lifecycle rule", rule, [
    "id",
    "status",
    "filter",
    "noncurrentVersionExpiration",
    "abortIncompleteMultipartUpload",
  ]);
  const filter = rule.filter as Inputs | undefined;
  const nve = rule.noncurrentVersionExpiration as Inputs | undefined;
  const abort = rule.abortIncompleteMultipartUpload as Inputs | undefined;
  if (filter) {
    only("lifecycle rule filter", filter, ["prefix"]);
  }
  return {
    ID: rule.id as string,
    Status: rule.status as "Enabled" | "Disabled",
    Filter: filter ? { Prefix: filter.prefix as string | undefined } : undefined,
    NoncurrentVersionExpiration: nve ? { NoncurrentDays: nve.noncurrentDays as number } : undefined,
    AbortIncompleteMultipartUpload: abort
      ? { DaysAfterInitiation: abort.daysAfterInitiation as number }
      : undefined,
  };
}

/**
 * Applies one `aws:s3/...` resource to moto, as the AWS provider's create would. Returns the state
 * the provider would report.
 */
export async function applyS3Resource(
  s3: S3Client,
  type: string,
  inputs: Inputs,
): Promise<{ id: string; state: Inputs }> {
  const bucket = inputs.bucket as string;
  switch (type) {
    case "aws:s3/bucket:Bucket": {
      only(type, inputs, ["bucket", "forceDestroy", "tags"]);
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      const tags = (inputs.tags ?? {}) as Record<string, string>;
      if (Object.keys(tags).length > 0) {
        await s3.send(
          new PutBucketTaggingCommand({
            Bucket: bucket,
            Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
          }),
        );
      }
      return {
        id: bucket,
        state: { ...inputs, arn: `arn:aws:s3:::${bucket}`, region: MOTO_REGION },
      };
    }
    case "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
      only(type, inputs, [
        "bucket",
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
      ]);
      await s3.send(
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: inputs.blockPublicAcls as boolean,
            BlockPublicPolicy: inputs.blockPublicPolicy as boolean,
            IgnorePublicAcls: inputs.ignorePublicAcls as boolean,
            RestrictPublicBuckets: inputs.restrictPublicBuckets as boolean,
          },
        }),
      );
      break;
    case "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
      only(type, inputs, ["bucket", "rule"]);
      const rule = inputs.rule as Inputs;
      only(`${type} rule`, rule, ["objectOwnership"]);
      await s3.send(
        new PutBucketOwnershipControlsCommand({
          Bucket: bucket,
          OwnershipControls: {
            Rules: [{ ObjectOwnership: rule.objectOwnership as ObjectOwnership }],
          },
        }),
      );
      break;
    }
    case "aws:s3/bucketAcl:BucketAcl":
      only(type, inputs, ["bucket", "acl"]);
      await s3.send(
        new PutBucketAclCommand({ Bucket: bucket, ACL: inputs.acl as BucketCannedACL }),
      );
      break;
    case "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
      only(type, inputs, ["bucket", "rules"]);
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket: bucket,
          ServerSideEncryptionConfiguration: {
            Rules: (inputs.rules as Inputs[]).map((rule) => {
              only(`${type} rule`, rule, [
                "applyServerSideEncryptionByDefault",
                "bucketKeyEnabled",
              ]);
              const byDefault = rule.applyServerSideEncryptionByDefault as Inputs;
              only(`${type} default`, byDefault, ["sseAlgorithm", "kmsMasterKeyId"]);
              return {
                ApplyServerSideEncryptionByDefault: {
                  SSEAlgorithm: byDefault.sseAlgorithm as ServerSideEncryption,
                  KMSMasterKeyID: byDefault.kmsMasterKeyId as string | undefined,
                },
                BucketKeyEnabled: rule.bucketKeyEnabled as boolean | undefined,
              };
            }),
          },
        }),
      );
      break;
    case "aws:s3/bucketVersioning:BucketVersioning": {
      only(type, inputs, ["bucket", "versioningConfiguration"]);
      const config = inputs.versioningConfiguration as Inputs;
      only(`${type} configuration`, config, ["status"]);
      await s3.send(
        new PutBucketVersioningCommand({
          Bucket: bucket,
          VersioningConfiguration: { Status: config.status as "Enabled" | "Suspended" },
        }),
      );
      break;
    }
    case "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration":
      only(type, inputs, ["bucket", "rules"]);
      await s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: bucket,
          LifecycleConfiguration: { Rules: (inputs.rules as Inputs[]).map(lifecycleRule) },
        }),
      );
      break;
    case "aws:s3/bucketPolicy:BucketPolicy":
      only(type, inputs, ["bucket", "policy"]);
      await s3.send(
        new PutBucketPolicyCommand({ Bucket: bucket, Policy: inputs.policy as string }),
      );
      break;
    default:
      throw new Error(`test/helpers/motoDeploy.ts does not apply ${type} to moto.`);
  }
  return { id: bucket, state: inputs };
}

/** Runs a command line as @pulumi/command's `local.Command` does: `sh -c`, in the project folder. */
function runLocalCommand(
  line: string,
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile("/bin/sh", ["-c", line], { cwd: PROJECT_ROOT, env }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`\`${line}\` failed (${error.code ?? error.message}): ${stderr.trim()}`));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

export interface MotoDeploy {
  /** The stack's outputs, as `pulumi stack output --json` would print them. */
  outputs: Record<string, unknown>;
  /** Each resource as applied: type, name and the state its "provider" reported. */
  resources: { type: string; name: string; id: string; state: Inputs }[];
  /** What the post-deploy command printed. */
  commandOutput: { stdout: string; stderr: string }[];
}

export interface MotoDeployOptions {
  moto: Moto;
  host: DynamicProviderHost;
  /** Config on top of the stack file (the moto endpoint is added here). */
  config?: Record<string, unknown>;
  /** Changes a resource's inputs before it is applied, as a Pulumi transformation would. */
  transform?: (type: string, inputs: Inputs) => Inputs;
}

/**
 * Deploys the program for `stack` to moto. Rejects with the first failure (moto refusing an input,
 * the Snapshot's create, the post-deploy command), as `pulumi up` would.
 */
export async function deployToMoto(
  stack: StackName,
  options: MotoDeployOptions,
): Promise<MotoDeploy> {
  const { moto, host } = options;
  const pulumi: typeof PulumiModule = await freshPulumi();
  const config: Record<string, unknown> = {
    ...stackConfig(stack),
    "aws:region": MOTO_REGION,
    "aws:s3UsePathStyle": true,
    "aws:endpoints": [{ s3: moto.endpoint, sts: moto.endpoint, kms: moto.endpoint }],
    ...(options.config ?? {}),
  };
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    ),
    [],
  );

  const resources: MotoDeploy["resources"] = [];
  const commandOutput: MotoDeploy["commandOutput"] = [];
  const failures: unknown[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: async (args) => {
        try {
          const inputs = options.transform
            ? options.transform(args.type, args.inputs as Inputs)
            : (args.inputs as Inputs);
          let id: string;
          let state: Inputs;
          if (!args.custom) {
            // Components (the stack, PrivateBucket) have no provider: nothing to apply.
            return { id: `${args.name}-id`, state: inputs };
          } else if (args.type.startsWith("aws:s3/")) {
            ({ id, state } = await applyS3Resource(moto.client, args.type, inputs));
          } else if (args.type === "pulumi-nodejs:dynamic/coingecko:Snapshot") {
            const urn = `urn:pulumi:${stack}::api-s3-load::${args.type}::${args.name}`;
            const checked = await host.check(urn, {}, inputs as HostProps);
            if (checked.failures.length > 0) {
              throw new Error(
                `Snapshot ${args.name}: ${checked.failures.map((f) => f.reason).join("; ")}`,
              );
            }
            const created = await host.create(urn, checked.inputs as HostProps);
            ({ id } = created);
            state = created.properties;
          } else if (args.type === "command:local:Command") {
            const environment = (inputs.environment ?? {}) as Record<string, string>;
            const output = await runLocalCommand(inputs.create as string, {
              ...process.env,
              ...moto.childEnv,
              ...environment,
            });
            commandOutput.push(output);
            id = `${args.name}-id`;
            state = { ...inputs, ...output };
          } else {
            throw new Error(`test/helpers/motoDeploy.ts has no provider for ${args.type}.`);
          }
          resources.push({ type: args.type, name: args.name, id, state });
          return { id, state };
        } catch (error) {
          // As `pulumi up` stops at a failed resource, nothing that depends on it is registered:
          // the registration never completes. (Throwing instead would reject every dependent
          // Output, unobserved, and each would surface as a stray unhandled rejection.)
          failures.push(error);
          return new Promise<never>(() => undefined);
        }
      },
      call: (args) => {
        switch (args.token) {
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return {
              accountId: MOTO_ACCOUNT_ID,
              arn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:user/moto`,
              userId: "AIDAMOTOUSER",
              id: MOTO_ACCOUNT_ID,
            };
          case "aws:index/getRegion:getRegion":
            return { name: MOTO_REGION, region: MOTO_REGION, id: MOTO_REGION };
          default:
            throw new Error(`test/helpers/motoDeploy.ts does not answer the call ${args.token}.`);
        }
      },
    },
    "api-s3-load",
    stack,
    false,
  );

  return runProgram(pulumi, resources, commandOutput, failures);
}

async function runProgram(
  pulumi: typeof PulumiModule,
  resources: MotoDeploy["resources"],
  commandOutput: MotoDeploy["commandOutput"],
  failures: unknown[],
): Promise<MotoDeploy> {
  let program: Record<string, unknown> = {};
  let programError: unknown;
  await pulumi.runtime.runInPulumiStack(async () => {
    try {
      program = await import("../../index");
    } catch (error) {
      programError = error;
    }
    return undefined;
  });
  if (programError !== undefined) {
    throw programError;
  }
  const outputs: Record<string, unknown> = {};
  const pending = Object.entries(program).map(async ([key, value]) => {
    if (pulumi.Output.isInstance(value)) {
      outputs[key] = await settled(value, failures);
    } else {
      outputs[key] = value;
    }
  });
  await Promise.all(pending);
  // The post-deploy command depends on every Snapshot; wait until it has run (or something failed).
  const deadline = Date.now() + 120_000;
  while (
    failures.length === 0 &&
    !resources.some((r) => r.type === "command:local:Command") &&
    Date.now() < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (failures.length > 0) {
    throw failures[0];
  }
  return { outputs, resources, commandOutput };
}

/** An Output's value, or the first deploy failure when one makes the value never arrive. */
function settled<T>(output: PulumiModule.Output<T>, failures: unknown[]): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (failures.length > 0) {
        clearInterval(timer);
        reject(failures[0]);
      }
    }, 50);
    output.apply((value) => {
      clearInterval(timer);
      resolve(value);
      return value;
    });
  });
}

/**
 * The bucket and guard rails a PrivateBucket registers, in registration order, with their inputs,
 * from the component itself under Pulumi's mocks (no AWS, no program around it).
 */
export async function recordPrivateBucket(
  name: string,
  args: import("../../components/privateBucket").PrivateBucketArgs,
): Promise<{ type: string; inputs: Inputs }[]> {
  const pulumi: typeof PulumiModule = await freshPulumi();
  const recorded: { type: string; inputs: Inputs }[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (mockArgs) => {
        const inputs = mockArgs.inputs as Inputs;
        if (mockArgs.type.startsWith("aws:s3/")) {
          recorded.push({ type: mockArgs.type, inputs });
        }
        const id = typeof inputs.bucket === "string" ? inputs.bucket : `${mockArgs.name}-id`;
        return {
          id,
          state:
            mockArgs.type === "aws:s3/bucket:Bucket"
              ? { ...inputs, arn: `arn:aws:s3:::${id}` }
              : inputs,
        };
      },
      call: (mockArgs) => mockArgs.inputs,
    },
    "api-s3-load",
    "test",
    false,
  );
  const { PrivateBucket } = await import("../../components/privateBucket");
  const component = new PrivateBucket(name, args);
  await new Promise<void>((resolve) =>
    pulumi.all(component.guardRails.map((r) => r.urn)).apply(() => resolve()),
  );
  return recorded;
}
