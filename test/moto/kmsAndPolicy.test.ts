/**
 * SSE-KMS and the TLS-only bucket policy against moto: objects land encrypted with a key made in
 * moto's KMS, the stack's `readPolicyJson` grants `kms:Decrypt` on exactly that key, and the
 * policy the PrivateBucket attaches is in force (over TLS it lets the engine write; its conditions
 * are evaluated with the request's values, see test/helpers/motoServer.py).
 */
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { createSnapshot, type SnapshotInputs } from "@api-s3-load/snapshot-engine";
import { tlsOnlyPolicy } from "../../components/privateBucket/bucketPolicies";
import { FAST_RETRY } from "../engine/engineHarness";
import { startFakeCoingecko, type FakeCoingecko } from "../helpers/fakeCoingecko";
import {
  describeMoto,
  motoSnapshotInputs,
  startMoto,
  useMotoCredentials,
  type Moto,
} from "../helpers/moto";
import { runProgram } from "../helpers/programRun";

const KEY = "coingecko/coins-markets.json";

describeMoto("SSE-KMS and the TLS-only policy (moto)", () => {
  let moto: Moto;
  let fake: FakeCoingecko;
  let kms: KMSClient;
  let restoreEnv: () => void;

  beforeAll(async () => {
    restoreEnv = useMotoCredentials();
    [moto, fake] = await Promise.all([startMoto(), startFakeCoingecko()]);
    kms = new KMSClient(moto.clientConfig);
  });
  afterAll(async () => {
    kms?.destroy();
    await Promise.all([moto?.stop(), fake?.stop()]);
    restoreEnv?.();
  });

  function inputs(bucket: string, overrides: Partial<SnapshotInputs> = {}): SnapshotInputs {
    return motoSnapshotInputs(moto, { bucket, baseUrl: fake.baseUrl, key: KEY }, overrides);
  }

  it("writes objects encrypted with the moto KMS key, and readPolicyJson decrypts with that key only", async () => {
    const key = await kms.send(new CreateKeyCommand({ Description: "api-s3-load test key" }));
    const keyArn = key.KeyMetadata!.Arn!;
    const bucket = await moto.newBucket();
    await moto.client.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: "aws:kms",
                KMSMasterKeyID: keyArn,
              },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    );

    await createSnapshot(
      inputs(bucket, { encryption: { algorithm: "aws:kms", kmsKeyId: keyArn } }),
      {
        s3: moto.client,
        retry: FAST_RETRY,
      },
    );
    const head = await moto.client.send(new HeadObjectCommand({ Bucket: bucket, Key: KEY }));
    expect(head.ServerSideEncryption).toBe("aws:kms");
    expect(head.SSEKMSKeyId).toBe(keyArn);

    // The stack's read policy, from the program itself with the key in its config.
    const run = await runProgram("dev", {
      config: { "api-s3-load:kmsKeyId": keyArn, "api-s3-load:bucketName": bucket },
    });
    const policy = JSON.parse(run.outputs.readPolicyJson as string) as {
      Statement: { Action: string | string[]; Resource: string | string[] }[];
    };
    const decrypt = policy.Statement.filter((s) => [s.Action].flat().includes("kms:Decrypt"));
    expect(decrypt).toHaveLength(1);
    expect(decrypt[0].Resource).toBe(keyArn);
  });

  it("keeps the PrivateBucket TLS-only policy in force: TLS requests pass, its conditions use the request's values", async () => {
    const bucket = await moto.newBucket();
    const arn = `arn:aws:s3:::${bucket}`;
    await moto.client.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify(tlsOnlyPolicy(arn, "1.2")),
      }),
    );
    // Over TLS 1.2+ the deployed policy lets the engine write and read.
    const created = await createSnapshot(inputs(bucket), { s3: moto.client, retry: FAST_RETRY });
    const got = await moto.client.send(new GetObjectCommand({ Bucket: bucket, Key: KEY }));
    expect(got.ETag).toBe(created.outs.etag);

    // Unpatched moto treats Bool and Numeric conditions as always met and would deny the requests
    // above. These two policies show the values really are compared: this connection is TLS
    // (SecureTransport true) of a version below 1.4.
    const denied = async (policy: object) => {
      await moto.client.send(
        new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }),
      );
      return moto.client
        .send(new PutObjectCommand({ Bucket: bucket, Key: "probe.json", Body: "{}" }))
        .then(
          () => false,
          (error: { $metadata?: { httpStatusCode?: number } }) => {
            if (error.$metadata?.httpStatusCode !== 403) {
              throw error;
            }
            return true;
          },
        );
    };
    const statement = (condition: Record<string, Record<string, string>>) => ({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: `${arn}/*`,
          Condition: condition,
        },
      ],
    });
    expect(await denied(statement({ Bool: { "aws:SecureTransport": "true" } }))).toBe(true);
    expect(await denied(statement({ Bool: { "aws:SecureTransport": "false" } }))).toBe(false);
    expect(await denied(statement({ NumericLessThan: { "s3:TlsVersion": "1.4" } }))).toBe(true);
    expect(await denied(statement({ NumericLessThan: { "s3:TlsVersion": "1.2" } }))).toBe(false);
  });
});
