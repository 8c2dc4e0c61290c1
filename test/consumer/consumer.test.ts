import type * as pulumiType from "@pulumi/pulumi";
import { producerStackOutputs, snapshotOutput } from "./fixtures";
import { freshPulumi } from "../helpers/freshPulumi";

/**
 * The consumer program under Pulumi mocks. Each case loads a fresh module registry so the program
 * runs once per set of producer outputs, as `pulumi up` would.
 */

const PRODUCER = "acme/api-s3-load/dev";
const BUCKET = "api-s3-load-dev-bucket";
const KEY = "coingecko/coins-markets.json";
const SHA = "a".repeat(64);

const READ_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "ReadSnapshots",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: [`arn:aws:s3:::${BUCKET}/${KEY}`],
    },
    {
      Sid: "ListSnapshotKeys",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: `arn:aws:s3:::${BUCKET}`,
      Condition: { StringEquals: { "s3:prefix": [KEY] } },
    },
  ],
});

const producerOutputs = () =>
  producerStackOutputs(
    BUCKET,
    snapshotOutput(BUCKET, KEY, {
      versionId: "v1",
      sha256: SHA,
      bytes: 1234,
      itemCount: 100,
      fetchedAt: "2025-01-01T00:00:00.000Z",
    }),
    READ_POLICY,
  );

interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

interface ConsumerOutputs {
  readerRoleArn: pulumiType.Output<string>;
  readerRoleName: pulumiType.Output<string>;
  s3Uri: pulumiType.Output<string>;
  sha256: pulumiType.Output<string>;
  bucketName: pulumiType.Output<string>;
}

// `Output.promise()` is internal to the SDK; it is the one way to see a rejected Output.
function promiseOf<T>(output: pulumiType.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}

interface Run {
  /** Resolves to the stack outputs, or rejects with the program's error. */
  outputs: Promise<ConsumerOutputs>;
  resources: Recorded[];
  stackRefNames: string[];
}

async function runConsumer(
  producer: Record<string, unknown>,
  config: Record<string, string> = {},
  { secret = false }: { secret?: boolean } = {},
): Promise<Run> {
  const resources: Recorded[] = [];
  const stackRefNames: string[] = [];
  const pulumi = await freshPulumi();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        if (args.type === "pulumi:pulumi:StackReference") {
          stackRefNames.push(String(args.inputs.name));
          // StackReference reads its `outputs` property from the state the engine returns.
          const outputs = secret ? pulumi.secret(producer) : producer;
          return { id: String(args.inputs.name), state: { ...args.inputs, outputs } };
        }
        resources.push({ type: args.type, name: args.name, inputs: args.inputs });
        return {
          id: `${args.name}-id`,
          state: {
            ...args.inputs,
            arn: `arn:aws:iam::123456789012:role/${args.name}`,
            name: args.name,
          },
        };
      },
      call(args) {
        return args.inputs;
      },
    },
    "api-s3-load-consumer",
    "dev",
  );
  pulumi.runtime.setAllConfig({
    "api-s3-load-consumer:producerStack": PRODUCER,
    ...Object.fromEntries(Object.entries(config).map(([k, v]) => [`api-s3-load-consumer:${k}`, v])),
  });
  // The program is an async entry point (`export =`), as Pulumi's Node.js host calls it.
  const program = (await import("../../examples/consumer")) as unknown as {
    default: () => Promise<ConsumerOutputs>;
  };
  return { outputs: program.default(), resources, stackRefNames };
}

/** Lets the mock monitor finish every registration the program started. */
async function settle(run: Run): Promise<ConsumerOutputs> {
  const outputs = await run.outputs;
  const pulumi = await import("@pulumi/pulumi");
  // Drains the SDK's RPC queue, so resources the program does not return are recorded too.
  await pulumi.runtime.disconnect();
  return outputs;
}

describe("consumer stack", () => {
  it("reads the producer stack named in `producerStack`", async () => {
    const run = await runConsumer(producerOutputs());
    await settle(run);
    expect(run.stackRefNames).toEqual([PRODUCER]);
  });

  it("creates a reader role only Lambda can assume", async () => {
    const run = await runConsumer(producerOutputs());
    await settle(run);
    const roles = run.resources.filter((r) => r.type === "aws:iam/role:Role");
    expect(roles).toHaveLength(1);
    expect(roles[0].name).toBe("snapshot-reader");
    expect(JSON.parse(String(roles[0].inputs.assumeRolePolicy))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "LambdaAssumesSnapshotReader",
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
        },
      ],
    });
  });

  it("attaches exactly the producer's readPolicyJson to the reader role", async () => {
    const run = await runConsumer(producerOutputs());
    await settle(run);
    const policies = run.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy");
    expect(policies).toHaveLength(1);
    expect(policies[0].name).toBe("snapshot-reader-read");
    expect(policies[0].inputs.role).toBe("snapshot-reader-id");
    expect(policies[0].inputs.policy).toBe(READ_POLICY);
    // Nothing else is granted: no managed-policy attachments, no extra inline policies.
    expect(run.resources.map((r) => r.type).sort()).toEqual([
      "aws:iam/role:Role",
      "aws:iam/rolePolicy:RolePolicy",
    ]);
  });

  it("exports the default snapshot's s3Uri and sha256", async () => {
    const outputs = await settle(await runConsumer(producerOutputs()));
    expect(await promiseOf(outputs.s3Uri)).toBe(`s3://${BUCKET}/${KEY}`);
    expect(await promiseOf(outputs.sha256)).toBe(SHA);
    expect(await promiseOf(outputs.bucketName)).toBe(BUCKET);
    expect(await promiseOf(outputs.readerRoleArn)).toBe(
      "arn:aws:iam::123456789012:role/snapshot-reader",
    );
  });

  it("exports the snapshot named by `snapshotName`", async () => {
    const producer = producerOutputs();
    const otherKey = "coingecko/trending.json";
    (producer.snapshots as Record<string, unknown>).trending = snapshotOutput(BUCKET, otherKey, {
      sha256: "b".repeat(64),
      bytes: 10,
      itemCount: 1,
      fetchedAt: "2025-01-01T00:00:00.000Z",
    });
    const policy = JSON.parse(READ_POLICY);
    policy.Statement[0].Resource.push(`arn:aws:s3:::${BUCKET}/${otherKey}`);
    producer.readPolicyJson = JSON.stringify(policy);
    const outputs = await settle(await runConsumer(producer, { snapshotName: "trending" }));
    expect(await promiseOf(outputs.s3Uri)).toBe(`s3://${BUCKET}/${otherKey}`);
    expect(await promiseOf(outputs.sha256)).toBe("b".repeat(64));
  });

  it("fails naming `readPolicyJson` and the producer stack when the output is missing", async () => {
    const producer = producerOutputs();
    delete producer.readPolicyJson;
    const run = await runConsumer(producer);
    await expect(run.outputs).rejects.toThrow(
      "Producer stack `acme/api-s3-load/dev` does not have the outputs this consumer needs: " +
        "`readPolicyJson` is missing, expected a non-empty string. Fix: run `pulumi up` on " +
        "`acme/api-s3-load/dev`",
    );
    // Nothing is declared with an undefined document: the check runs before any resource.
    expect(run.resources).toEqual([]);
  });

  it("fails naming the snapshot and the producer stack when the snapshot is missing", async () => {
    const run = await runConsumer(producerOutputs(), { snapshotName: "coins-list" });
    await expect(run.outputs).rejects.toThrow(
      "Producer stack `acme/api-s3-load/dev` has no snapshot `coins-list` in its `snapshots` " +
        "output (it has: coins-markets). Fix: set `snapshotName`",
    );
    expect(run.resources).toEqual([]);
  });

  it("fails when readPolicyJson does not grant reading the selected snapshot", async () => {
    const producer = producerOutputs();
    producer.readPolicyJson = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/other.json` },
      ],
    });
    const run = await runConsumer(producer);
    await expect(run.outputs).rejects.toThrow(
      "Producer stack `acme/api-s3-load/dev` exports a `readPolicyJson` that does not allow " +
        `s3:GetObject on arn:aws:s3:::${BUCKET}/${KEY} (snapshot \`coins-markets\`).`,
    );
    expect(run.resources).toEqual([]);
  });

  it.each([
    [false, false],
    [true, true],
  ])(
    "exports s3Uri and sha256 as secret only when the producer's outputs are (%s)",
    async (secret, expected) => {
      const run = await runConsumer(producerOutputs(), {}, { secret });
      const outputs = await settle(run);
      const pulumi = await import("@pulumi/pulumi");
      expect(await pulumi.isSecret(outputs.s3Uri)).toBe(expected);
      expect(await pulumi.isSecret(outputs.sha256)).toBe(expected);
      expect(await promiseOf(outputs.sha256)).toBe(SHA);
    },
  );

  it("rejects a `producerStack` that is not fully qualified before creating anything", async () => {
    const run = await runConsumer(producerOutputs(), { producerStack: "dev" });
    await expect(run.outputs).rejects.toThrow(
      '`producerStack` must be `<org>/<project>/<stack>` (got "dev").',
    );
    expect(run.stackRefNames).toEqual([]);
    expect(run.resources).toEqual([]);
  });
});
