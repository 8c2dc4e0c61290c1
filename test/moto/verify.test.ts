/**
 * `npm run verify` against moto, with no client mocks: every S3 and STS call reaches moto over
 * HTTPS. Each test configures a fresh bucket exactly as the PrivateBucket component does (the
 * inputs the component gives its children under Pulumi's mocks, applied through the S3 API), writes a
 * snapshot object as the engine does, then removes or weakens one guard rail and expects exactly
 * the matching check to fail, with its fix line.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DeleteBucketEncryptionCommand,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  DeletePublicAccessBlockCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
} from "@aws-sdk/client-s3";
import { verifyCommand } from "../../cli/verify";
import {
  describeMoto,
  MOTO_ACCOUNT_ID,
  startMoto,
  useMotoCredentials,
  type Moto,
} from "../helpers/moto";
import { applyS3Resource, recordPrivateBucket } from "../helpers/motoDeploy";

const KEY = "coingecko/coins-markets.json";
const body = `${JSON.stringify([{ id: "bitcoin" }], null, 2)}\n`;
const sha = createHash("sha256").update(body).digest("hex");
const redeploy = (child: string) =>
  `Fix: run \`pulumi up\` on the stack that owns the bucket; its PrivateBucket child \`<name>-${child}\` sets this.`;

describeMoto("npm run verify against moto", () => {
  let moto: Moto;
  let restoreEnv: () => void;
  /** The PrivateBucket's bucket and guard rails as the component registers them, in order. */
  let declared: { type: string; inputs: Record<string, unknown> }[];
  const declaredBucket = "declared-bucket-name";
  let bucket: string;

  beforeAll(async () => {
    restoreEnv = useMotoCredentials();
    // The component with the dev stack's settings (its defaults: ACLs disabled, SSE-S3).
    [moto, declared] = await Promise.all([
      startMoto(),
      recordPrivateBucket("api-s3-load-dev", { bucketName: declaredBucket, forceDestroy: true }),
    ]);
  });
  afterAll(async () => {
    await moto?.stop();
    restoreEnv?.();
  });

  let counter = 0;
  beforeEach(async () => {
    counter += 1;
    bucket = `verify-${process.pid}-${counter}`;
    // The program's own inputs, with its bucket name swapped for this test's (the policy names it).
    for (const resource of declared) {
      const inputs = JSON.parse(
        JSON.stringify(resource.inputs).split(declaredBucket).join(bucket),
      ) as Record<string, unknown>;
      await applyS3Resource(moto.client, resource.type, inputs);
    }
    await moto.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: body, Metadata: { sha256: sha } }),
    );
  });

  async function verify() {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await verifyCommand(
      ["--bucket", bucket, "--key", KEY, "--endpoint", moto.endpoint, "--path-style"],
      { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) },
    );
    expect(stderr).toEqual([]);
    return { code, stdout, failed: stdout.filter((l) => l.startsWith("FAIL")) };
  }

  it("passes every check on a bucket configured as PrivateBucket configures it, and exits 0", async () => {
    const { code, stdout } = await verify();
    expect(stdout).toEqual([
      expect.stringMatching(/^ok caller-identity: account 123456789012, arn arn:aws:/),
      expect.stringMatching(
        new RegExp(`^ok list-buckets: \\d+ bucket\\(s\\) visible: .*${bucket}`),
      ),
      `ok public-access-block: ${bucket} blocks public ACLs and policies (all four flags true)`,
      `ok ownership-controls: ${bucket} has ACLs disabled (BucketOwnerEnforced)`,
      `ok default-encryption: ${bucket} encrypts with AES256, bucket key on`,
      `ok versioning: ${bucket} keeps every version`,
      `ok tls-only-policy: ${bucket} denies requests without TLS`,
      `ok object ${KEY}: s3://${bucket}/${KEY} ${Buffer.byteLength(body)} bytes, sha256 ${sha} matches its metadata`,
      "verify: all 8 checks hold",
    ]);
    expect(code).toBe(0);
  });

  it.each<[string, (m: Moto, b: string) => Promise<unknown>, (b: string) => string]>([
    [
      "the public access block removed",
      (m, b) => m.client.send(new DeletePublicAccessBlockCommand({ Bucket: b })),
      (b) =>
        `FAIL public-access-block: ${b} has no public access block. ${redeploy("public-access-block")}`,
    ],
    [
      "one public access block flag false",
      (m, b) =>
        m.client.send(
          new PutPublicAccessBlockCommand({
            Bucket: b,
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: true,
              IgnorePublicAcls: true,
              BlockPublicPolicy: false,
              RestrictPublicBuckets: true,
            },
          }),
        ),
      (b) =>
        `FAIL public-access-block: ${b} has BlockPublicPolicy not true. ${redeploy("public-access-block")}`,
    ],
    [
      "the ownership controls removed",
      (m, b) => m.client.send(new DeleteBucketOwnershipControlsCommand({ Bucket: b })),
      (b) =>
        `FAIL ownership-controls: ${b} has no ownership controls, so ACLs are in force and objects can be owned by their writers. ${redeploy("ownership")}`,
    ],
    [
      // On AWS a bucket without its configuration falls back to SSE-S3 (which the check accepts);
      // moto keeps none, which stands in for a configuration that lost its rule.
      "the default encryption removed",
      (m, b) => m.client.send(new DeleteBucketEncryptionCommand({ Bucket: b })),
      (b) => `FAIL default-encryption: ${b} has no default encryption. ${redeploy("encryption")}`,
    ],
    [
      "versioning suspended",
      (m, b) =>
        m.client.send(
          new PutBucketVersioningCommand({
            Bucket: b,
            VersioningConfiguration: { Status: "Suspended" },
          }),
        ),
      (b) => `FAIL versioning: ${b} versioning is Suspended. ${redeploy("versioning")}`,
    ],
    [
      "the TLS-only policy removed",
      (m, b) => m.client.send(new DeleteBucketPolicyCommand({ Bucket: b })),
      (b) =>
        `FAIL tls-only-policy: ${b} has no bucket policy, so plain-HTTP requests are allowed. ${redeploy("policy")}`,
    ],
    [
      "the object rewritten out of band",
      (m, b) =>
        m.client.send(
          new PutObjectCommand({
            Bucket: b,
            Key: KEY,
            Body: body.replace("bitcoin", "bitcoim"),
            Metadata: { sha256: sha },
          }),
        ),
      (b) =>
        `FAIL object ${KEY}: s3://${b}/${KEY} body has sha256 ${createHash("sha256")
          .update(body.replace("bitcoin", "bitcoim"))
          .digest(
            "hex",
          )} but its metadata says ${sha}: the object was changed after it was written. ` +
        `Fix: run \`pulumi up\` on the stack (or \`npm start\` locally) to write the snapshot again, or restore the last good version (\`aws s3api list-object-versions --bucket ${b} --prefix ${KEY}\`).`,
    ],
  ])("with %s, fails exactly that check with its fix and exits 1", async (_label, weaken, line) => {
    await weaken(moto, bucket);
    const { code, stdout, failed } = await verify();
    expect(failed).toEqual([line(bucket)]);
    expect(stdout[stdout.length - 1]).toBe("verify: 1 of 8 checks failed");
    expect(code).toBe(1);
  });

  describe("with --stack-outputs and no --endpoint (as against AWS)", () => {
    let dir: string;
    const saved = { s3: process.env.AWS_ENDPOINT_URL_S3, sts: process.env.AWS_ENDPOINT_URL_STS };
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "moto-verify-"));
      // Without --endpoint the stack's account is compared; the SDK's own endpoint variables
      // still send S3 and STS to moto.
      process.env.AWS_ENDPOINT_URL_S3 = moto.endpoint;
      process.env.AWS_ENDPOINT_URL_STS = moto.endpoint;
    });
    afterAll(() => {
      for (const [name, value] of [
        ["AWS_ENDPOINT_URL_S3", saved.s3],
        ["AWS_ENDPOINT_URL_STS", saved.sts],
      ] as const) {
        if (value === undefined) {
          delete process.env[name];
        } else {
          process.env[name] = value;
        }
      }
      rmSync(dir, { recursive: true, force: true });
    });

    async function verifyOutputs(outputs: { accountId: string; sha256: string }) {
      const file = join(dir, `${bucket}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          bucketName: bucket,
          region: "us-east-1",
          accountId: outputs.accountId,
          snapshots: { "coins-markets": { key: KEY, sha256: outputs.sha256 } },
        }),
      );
      const stdout: string[] = [];
      const code = await verifyCommand(["--stack-outputs", file, "--path-style"], {
        stdout: (l) => stdout.push(l),
        stderr: (l) => stdout.push(l),
      });
      return { code, stdout, failed: stdout.filter((l) => l.startsWith("FAIL")) };
    }

    it("takes bucket, key, account and sha256 from the outputs and passes", async () => {
      const { code, stdout, failed } = await verifyOutputs({
        accountId: MOTO_ACCOUNT_ID,
        sha256: sha,
      });
      expect(failed).toEqual([]);
      expect(stdout).toContain(
        `ok object ${KEY}: s3://${bucket}/${KEY} ${Buffer.byteLength(body)} bytes, sha256 ${sha} matches its metadata`,
      );
      expect(code).toBe(0);
    });

    it("fails an object whose sha256 differs from the stack output", async () => {
      const { code, failed } = await verifyOutputs({
        accountId: MOTO_ACCOUNT_ID,
        sha256: "0".repeat(64),
      });
      expect(failed).toEqual([
        `FAIL object ${KEY}: s3://${bucket}/${KEY} has sha256 ${sha} but the stack output says ${"0".repeat(64)}: ` +
          "it was rewritten outside this stack. Fix: run `pulumi refresh` then `pulumi up` on the stack so state and object agree.",
      ]);
      expect(code).toBe(1);
    });

    it("fails caller-identity when the credentials are for another account than the stack's", async () => {
      const { code, failed } = await verifyOutputs({ accountId: "999999999999", sha256: sha });
      expect(failed).toEqual([
        expect.stringMatching(
          new RegExp(
            `^FAIL caller-identity: account ${MOTO_ACCOUNT_ID}, arn \\S+, but the stack's bucket is in account 999999999999\\. ` +
              "Fix: use credentials for account 999999999999 \\(for example `export AWS_PROFILE=<profile of that account>`\\)\\.$",
          ),
        ),
      ]);
      expect(code).toBe(1);
    });
  });

  // Where moto differs from AWS (docs/operations.md lists them). Pinned so a moto upgrade that
  // closes a gap shows up here, and so no other test leans on the difference by accident.
  describe("where moto differs from AWS", () => {
    it("accepts a public ACL on a BucketOwnerEnforced bucket (AWS: AccessControlListNotSupported); verify still passes, as ACLs have no effect there", async () => {
      await moto.client.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "public-read" }));
      const { code, failed } = await verify();
      expect(failed).toEqual([]);
      expect(code).toBe(0);
    });

    it("stores an object whose x-amz-checksum-sha256 does not match its body (AWS: BadDigest)", async () => {
      const wrong = createHash("sha256").update("other bytes").digest("base64");
      await expect(
        moto.client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: "bad.json",
            Body: body,
            ChecksumSHA256: wrong,
          }),
        ),
      ).resolves.toBeDefined();
    });

    it("stores a bucket policy that is not a policy at all (AWS: MalformedPolicy)", async () => {
      await expect(
        moto.client.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: "{}" })),
      ).resolves.toBeDefined();
    });
  });
});
