import { maxAgePeriod } from "@api-s3-load/snapshot-engine";
import {
  MOCK_ACCOUNT_ID,
  runProgram,
  STACKS,
  type ProgramRun,
  type RecordedResource,
  type StackName,
} from "../helpers/programRun";

const COMPONENT = "api-s3-load:storage:PrivateBucket";
const SNAPSHOT = "pulumi-nodejs:dynamic/coingecko:Snapshot";
const GUARD_RAILS = [
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketPolicy:BucketPolicy",
];

function only(run: ProgramRun, type: string): RecordedResource {
  const matches = run.resources.filter((r) => r.type === type);
  expect(matches).toHaveLength(1);
  return matches[0];
}

describe.each(STACKS)("the %s stack under mocks", (stack: StackName) => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(stack);
  });

  it("creates one PrivateBucket whose bucket and guard rails are its children", () => {
    const component = only(run, COMPONENT);
    expect(component.name).toBe(`api-s3-load-${stack}`);
    const bucket = only(run, "aws:s3/bucket:Bucket");
    expect(bucket.parent).toBe(component.urn);
    for (const type of GUARD_RAILS) {
      const rail = only(run, type);
      expect(rail.parent).toBe(component.urn);
      expect(rail.inputs.bucket).toBe(bucket.id);
    }
  });

  it("blocks every form of public access and disables ACLs", () => {
    expect(only(run, GUARD_RAILS[0]).inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(only(run, GUARD_RAILS[1]).inputs.rule).toEqual({
      objectOwnership: "BucketOwnerEnforced",
    });
    expect(run.resources.filter((r) => r.type === "aws:s3/bucketAcl:BucketAcl")).toHaveLength(0);
    expect(only(run, "aws:s3/bucket:Bucket").inputs.acl).toBeUndefined();
  });

  it("encrypts by default with SSE-S3 and a bucket key, and versions every write", () => {
    expect(only(run, GUARD_RAILS[2]).inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true },
    ]);
    expect(only(run, GUARD_RAILS[3]).inputs.versioningConfiguration).toEqual({ status: "Enabled" });
  });

  it("denies every request that is not TLS 1.2 or newer", () => {
    const bucket = only(run, "aws:s3/bucket:Bucket");
    const policy = JSON.parse(only(run, GUARD_RAILS[5]).inputs.policy as string);
    const arn = `arn:aws:s3:::${bucket.id}`;
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
      expect.objectContaining({
        Effect: "Deny",
        Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
      }),
    ]);
  });

  it("applies the guard rails one at a time and writes snapshots only after all of them", () => {
    const rails = GUARD_RAILS.map((type) => only(run, type));
    for (let i = 1; i < rails.length; i++) {
      expect(rails[i].dependsOn).toEqual([rails[i - 1].urn]);
    }
    const snapshots = run.resources.filter((r) => r.type === SNAPSHOT);
    expect(snapshots.length).toBeGreaterThan(0);
    for (const snapshot of snapshots) {
      expect(snapshot.dependsOn).toEqual(expect.arrayContaining(rails.map((r) => r.urn)));
      expect(snapshot.inputs.bucket).toBe(only(run, "aws:s3/bucket:Bucket").id);
    }
  });

  it("exports the stable outputs other stacks read", () => {
    const bucket = only(run, "aws:s3/bucket:Bucket");
    expect(run.outputs.bucketName).toBe(bucket.id);
    expect(run.outputs.bucketArn).toBe(`arn:aws:s3:::${bucket.id}`);
    expect(run.outputs.region).toBe("us-east-1");
    expect(run.outputs.accountId).toBe(MOCK_ACCOUNT_ID);
    const snapshots = run.outputs.snapshots as Record<string, Record<string, unknown>>;
    const names = run.resources.filter((r) => r.type === SNAPSHOT).map((r) => r.name);
    expect(Object.keys(snapshots).sort()).toEqual([...names].sort());
    for (const entry of Object.values(snapshots)) {
      expect(Object.keys(entry).sort()).toEqual(
        ["bytes", "fetchedAt", "itemCount", "key", "s3Uri", "sha256", "versionId"].sort(),
      );
      expect(entry.s3Uri).toBe(`s3://${bucket.id}/${String(entry.key)}`);
    }
  });

  it("exports a read policy that grants reading exactly the snapshot objects", () => {
    const bucket = only(run, "aws:s3/bucket:Bucket");
    const arn = `arn:aws:s3:::${bucket.id}`;
    const keys = run.resources
      .filter((r) => r.type === SNAPSHOT)
      .map((r) => r.inputs.key as string);
    const policy = JSON.parse(run.outputs.readPolicyJson as string);
    // Registration order is not program order; compare the key lists as sets.
    policy.Statement[0].Resource.sort();
    policy.Statement[1].Condition.StringEquals["s3:prefix"].sort();
    keys.sort();
    expect(policy.Statement).toEqual([
      {
        Sid: "ReadSnapshotObjects",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:GetObjectVersion"],
        Resource: keys.map((k) => `${arn}/${k}`),
      },
      {
        Sid: "ListSnapshotKeys",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: arn,
        Condition: { StringEquals: { "s3:prefix": keys } },
      },
    ]);
  });

  it("reads every snapshot back after deploy with one command whose inputs travel in its environment", () => {
    const bucket = only(run, "aws:s3/bucket:Bucket");
    const snapshots = run.resources.filter((r) => r.type === SNAPSHOT);
    const command = only(run, "command:local:Command");
    expect(command.name).toBe("snapshots-verify");
    expect(command.inputs.create).toBe(
      "npx --no-install ts-node --transpile-only cli/main.ts check-object",
    );
    const environment = command.inputs.environment as Record<string, string>;
    expect(environment.SNAPSHOT_BUCKET).toBe(bucket.id);
    const objects = JSON.parse(environment.SNAPSHOT_OBJECTS) as { key: string; sha256: string }[];
    expect(objects.map((o) => o.key).sort()).toEqual(
      snapshots.map((s) => s.inputs.key as string).sort(),
    );
    expect(objects.every((o) => o.sha256 === "0".repeat(64))).toBe(true);
    expect(command.inputs.triggers).toHaveLength(snapshots.length);
  });
});

describe("per-stack settings", () => {
  it("lets dev and local force-destroy the bucket but protects prod", async () => {
    const runs: Record<string, ProgramRun> = {};
    for (const stack of STACKS) {
      runs[stack] = await runProgram(stack);
    }
    expect(only(runs.dev, "aws:s3/bucket:Bucket").inputs.forceDestroy).toBe(true);
    expect(only(runs.local, "aws:s3/bucket:Bucket").inputs.forceDestroy).toBe(true);
    expect(only(runs.prod, "aws:s3/bucket:Bucket").inputs.forceDestroy).toBe(false);
    expect(only(runs.prod, COMPONENT).protect).toBe(true);
    expect(only(runs.dev, COMPONENT).protect).toBeFalsy();
    for (const snapshot of runs.prod.resources.filter((r) => r.type === SNAPSHOT)) {
      expect(snapshot.protect).toBe(true);
    }
  });

  it("points the snapshots of the local stack at the emulator with path-style addressing", async () => {
    const run = await runProgram("local");
    for (const snapshot of run.resources.filter((r) => r.type === SNAPSHOT)) {
      expect(snapshot.inputs).toMatchObject({
        s3Endpoint: "https://localhost:4566",
        s3ForcePathStyle: true,
      });
    }
    const dev = await runProgram("dev");
    for (const snapshot of dev.resources.filter((r) => r.type === SNAPSHOT)) {
      expect(snapshot.inputs.s3Endpoint).toBeUndefined();
      expect(snapshot.inputs.s3ForcePathStyle).toBe(false);
    }
  });

  it("gives each snapshot with a maxAge the current maxAge period as an input, so diff reads no clock", async () => {
    const before = Date.now();
    const prod = await runProgram("prod");
    const after = Date.now();
    const snapshots = prod.resources.filter((r) => r.type === SNAPSHOT);
    expect(snapshots.length).toBeGreaterThan(0);
    for (const snapshot of snapshots) {
      expect(snapshot.inputs.maxAge).toBe("PT1H");
      // The run may straddle a period boundary; either side's period is right.
      expect([maxAgePeriod("PT1H", before), maxAgePeriod("PT1H", after)]).toContain(
        snapshot.inputs.maxAgePeriod,
      );
    }
    const dev = await runProgram("dev");
    for (const snapshot of dev.resources.filter((r) => r.type === SNAPSHOT)) {
      expect(snapshot.inputs).not.toHaveProperty("maxAgePeriod");
    }
  });

  it("stores the default coins-markets snapshot when `snapshots` is unset", async () => {
    const run = await runProgram("dev");
    const snapshots = run.resources.filter((r) => r.type === SNAPSHOT);
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0].inputs).toMatchObject({
      name: "coins-markets",
      endpoint: "coins/markets",
      key: "coingecko/coins-markets.json",
      params: { vs_currency: "usd", order: "market_cap_desc", per_page: 100, page: 1 },
      plan: "public",
      baseUrl: "https://api.coingecko.com/api/v3",
    });
  });

  it("uses SSE-KMS with the configured key and a private ACL when asked", async () => {
    const run = await runProgram("dev", {
      config: { "api-s3-load:kmsKeyId": "alias/snapshots", "api-s3-load:aclMode": "private" },
    });
    expect(only(run, GUARD_RAILS[2]).inputs.rules).toEqual([
      {
        applyServerSideEncryptionByDefault: {
          sseAlgorithm: "aws:kms",
          kmsMasterKeyId: "alias/snapshots",
        },
        bucketKeyEnabled: true,
      },
    ]);
    expect(only(run, GUARD_RAILS[1]).inputs.rule).toEqual({
      objectOwnership: "BucketOwnerPreferred",
    });
    expect(only(run, "aws:s3/bucketAcl:BucketAcl").inputs.acl).toBe("private");
    for (const snapshot of run.resources.filter((r) => r.type === SNAPSHOT)) {
      expect(snapshot.inputs.encryption).toEqual({
        algorithm: "aws:kms",
        kmsKeyId: "alias/snapshots",
      });
    }
    // Readers of an SSE-KMS bucket need to decrypt, but only through S3 and for this bucket.
    const bucketArn = `arn:aws:s3:::${only(run, "aws:s3/bucket:Bucket").id}`;
    const policy = JSON.parse(run.outputs.readPolicyJson as string);
    expect(policy.Statement[2]).toEqual({
      Sid: "DecryptSnapshotObjects",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: {
        StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
        StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucketArn, `${bucketArn}/*`] },
      },
    });
  });
});

describe("the CoinGecko key", () => {
  const KEY = "CG-canary-key-0123456789";

  it("reaches the Snapshot only as a secret and nowhere else", async () => {
    const run = await runProgram("dev", {
      config: { "api-s3-load:coingeckoPlan": "demo", "api-s3-load:coingeckoApiKey": KEY },
      secretKeys: ["api-s3-load:coingeckoApiKey"],
    });
    const snapshot = only(run, SNAPSHOT);
    expect(snapshot.inputs.apiKey).toEqual(expect.objectContaining({ value: KEY }));
    expect(JSON.stringify(snapshot.inputs.apiKey)).toContain("1b47061264138c4ac30d75fd1eb44270"); // Pulumi's secret signature
    const elsewhere = run.resources.filter((r) => r !== snapshot);
    expect(JSON.stringify(elsewhere)).not.toContain(KEY);
    expect(JSON.stringify(run.outputs)).not.toContain(KEY);
    expect(Object.values(run.providers).join("\n")).not.toContain(KEY);
  });

  it("is refused when the stack file holds it in plaintext", async () => {
    await expect(
      runProgram("dev", {
        config: { "api-s3-load:coingeckoPlan": "demo", "api-s3-load:coingeckoApiKey": KEY },
      }),
    ).rejects.toThrow(
      "Config `api-s3-load:coingeckoApiKey` is stored in plaintext in the stack's config file. Set it again with `pulumi config set --secret api-s3-load:coingeckoApiKey <key>`",
    );
  });

  it("is required by the demo and pro plans, with a message that says how to set it", async () => {
    await expect(
      runProgram("dev", { config: { "api-s3-load:coingeckoPlan": "pro" } }),
    ).rejects.toThrow(
      'Config `api-s3-load:coingeckoApiKey` is required when `coingeckoPlan` is "pro". Set it with `pulumi config set --secret api-s3-load:coingeckoApiKey <key>`',
    );
  });
});
