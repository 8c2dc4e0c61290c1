import { createHash } from "node:crypto";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import { verifyCommand } from "../../cli/verify";
import { startS3Server, type EmbeddedS3 } from "../helpers/s3Server";
import { awsError, BUCKET, KEY } from "./fixtures";

/**
 * `npm run verify` against `npm start`'s s3rver, which implements none of the guard-rail calls
 * (public access block, ownership controls, encryption, versioning and bucket policy answer
 * NotImplemented; see its lib/routes.js): what a user sees there, the usage errors, and the
 * redaction of credentials from SDK messages. STS comes from the AWS SDK's client mock (s3rver has
 * none); `callThrough` lets every S3 command reach s3rver. Every check passing, each guard rail
 * failing, and `--stack-outputs` are proven against moto, with no mocks, in test/moto/verify.test.ts.
 */
let s3: EmbeddedS3;
let s3Mock: AwsClientStub<S3Client>;
let stsMock: AwsClientStub<STSClient>;
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
});

const baseArgs = () => ["--bucket", BUCKET, "--endpoint", s3.endpoint, "--path-style"];

describe("verify command", () => {
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
      "Unknown option `--bukket`. Did you mean `--bucket`? Fix: see `npm run verify -- --help` for the options.",
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
