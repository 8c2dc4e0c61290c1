/**
 * A whole deploy, end to end, against moto: the program for `dev` and `prod` under Pulumi's mocks,
 * each `aws.s3` resource applied to moto through the S3 API with the inputs the program gave it,
 * each Snapshot created through Pulumi's dynamic-provider host, the post-deploy `check-object`
 * command run as the program declares it, then `npm run verify` with the stack's outputs.
 *
 * It is the closest the tests get to S3 validating what the program declares: moto refuses a
 * malformed lifecycle rule (MalformedXML), and such a refusal fails the deploy. Moto does not
 * validate bucket policy grammar (AWS answers MalformedPolicy), so the policy's statements are
 * pinned by test/program/program.test.ts and proven in force here by the object writes over TLS.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  HeadObjectCommand,
} from "@aws-sdk/client-s3";
import { verifyCommand } from "../../cli/verify";
import { startDynamicProviderHost, type DynamicProviderHost } from "../helpers/dynamicProviderHost";
import { startFakeCoingecko, type FakeCoingecko } from "../helpers/fakeCoingecko";
import { describeMoto, startMoto, useMotoCredentials, type Moto } from "../helpers/moto";
import { deployToMoto } from "../helpers/motoDeploy";

interface SnapshotOutput {
  key: string;
  versionId: string;
  sha256: string;
}

describeMoto("a whole deploy against moto", () => {
  let moto: Moto;
  let fake: FakeCoingecko;
  let host: DynamicProviderHost;
  let restoreEnv: () => void;
  let dir: string;
  let counter = 0;

  beforeAll(async () => {
    restoreEnv = useMotoCredentials();
    dir = mkdtempSync(join(tmpdir(), "moto-deploy-"));
    [moto, fake] = await Promise.all([startMoto(), startFakeCoingecko()]);
    host = await startDynamicProviderHost({ env: moto.childEnv });
  });
  afterAll(async () => {
    await host?.stop();
    await Promise.all([moto?.stop(), fake?.stop()]);
    restoreEnv?.();
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (bucketName: string) => ({
    "api-s3-load:bucketName": bucketName,
    "api-s3-load:coingeckoBaseUrl": fake.baseUrl,
    // The public plan's 5 calls a minute would make the second stack wait on the limiter.
    "api-s3-load:coingeckoCallsPerMinute": 6000,
  });

  async function verify(outputs: Record<string, unknown>) {
    const file = join(dir, `outputs-${(counter += 1)}.json`);
    writeFileSync(file, JSON.stringify(outputs));
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await verifyCommand(
      ["--stack-outputs", file, "--endpoint", moto.endpoint, "--path-style"],
      { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) },
    );
    return { code, stdout, stderr };
  }

  it.each(["dev", "prod"] as const)(
    "deploys the %s stack to moto, and check-object and verify find everything in order",
    async (stack) => {
      const bucketName = `api-s3-load-${stack}-${process.pid}`;
      const deployed = await deployToMoto(stack, { moto, host, config: config(bucketName) });

      expect(deployed.outputs.bucketName).toBe(bucketName);
      expect(deployed.resources.map((r) => r.type)).toEqual(
        expect.arrayContaining([
          "aws:s3/bucket:Bucket",
          "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
          "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
          "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
          "aws:s3/bucketVersioning:BucketVersioning",
          "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
          "aws:s3/bucketPolicy:BucketPolicy",
          "command:local:Command",
        ]),
      );

      // What moto stored is what the program declared.
      const lifecycle = await moto.client.send(
        new GetBucketLifecycleConfigurationCommand({ Bucket: bucketName }),
      );
      expect(lifecycle.Rules?.map((r) => r.ID).sort()).toEqual([
        "abort-incomplete-multipart-uploads",
        "expire-noncurrent-versions",
      ]);
      expect(
        lifecycle.Rules?.find((r) => r.ID === "expire-noncurrent-versions")
          ?.NoncurrentVersionExpiration?.NoncurrentDays,
      ).toBe(stack === "prod" ? 365 : 90);
      const policy = await moto.client.send(new GetBucketPolicyCommand({ Bucket: bucketName }));
      expect(JSON.parse(policy.Policy!).Statement[0].Sid).toBe("DenyInsecureTransport");

      // Each snapshot output is the object moto holds, through the TLS-only policy.
      const snapshots = deployed.outputs.snapshots as Record<string, SnapshotOutput>;
      expect(Object.keys(snapshots).length).toBeGreaterThan(0);
      for (const snapshot of Object.values(snapshots)) {
        const head = await moto.client.send(
          new HeadObjectCommand({ Bucket: bucketName, Key: snapshot.key }),
        );
        expect(head.VersionId).toBe(snapshot.versionId);
        expect(head.Metadata?.sha256).toBe(snapshot.sha256);
        expect(head.ServerSideEncryption).toBe("AES256");
      }

      // The post-deploy command ran as the program declares it and read every object back.
      expect(deployed.commandOutput).toHaveLength(1);
      for (const snapshot of Object.values(snapshots)) {
        expect(deployed.commandOutput[0].stdout).toContain(
          `Data successfully uploaded to s3://${bucketName}/${snapshot.key}`,
        );
      }

      const result = await verify(deployed.outputs);
      expect(result.stderr).toEqual([]);
      expect(result.stdout.filter((l) => !l.startsWith("ok "))).toEqual([
        `verify: all ${result.stdout.length - 1} checks hold`,
      ]);
      expect(result.stdout).toHaveLength(7 + Object.keys(snapshots).length + 1);
      expect(result.code).toBe(0);
    },
  );

  it("fails the deploy when moto refuses an input (a lifecycle rule without a filter)", async () => {
    const bucketName = `api-s3-load-malformed-${process.pid}`;
    await expect(
      deployToMoto("dev", {
        moto,
        host,
        config: config(bucketName),
        // As if the component forgot `filter: {}`, which S3 requires of every rule.
        transform: (type, inputs) =>
          type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
            ? {
                ...inputs,
                rules: (inputs.rules as Record<string, unknown>[]).map(
                  ({ filter: _filter, ...rule }) => rule,
                ),
              }
            : inputs,
      }),
    ).rejects.toMatchObject({ name: "MalformedXML" });
  });
});
