/**
 * `npm start` against an S3 emulator (issue 18 §4): the stack's `aws:endpoints` s3 entry and
 * `aws:s3UsePathStyle` are honoured as `pulumi up` honours them for the Snapshots, and what goes
 * wrong at the endpoint (no bucket, a TLS-only bucket over plain http, https meeting plain http,
 * nothing listening) is a sentence with its fix. Through the real `npm start` process, against
 * moto over plain http (test/helpers/motoServer.py, the tests' moto with bucket policies
 * evaluated against the connection, as AWS does).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketPolicyCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { tlsOnlyPolicy } from "../../components/privateBucket";
import { startFakeCoingecko, type FakeCoingecko } from "../helpers/fakeCoingecko";
import { describeMoto, motoAvailability, MOTO_CREDENTIALS } from "../helpers/moto";
import { PROJECT_ROOT } from "../helpers/programRun";
import { npmStart, projectCopy, removeProject, writeStack } from "./npmStart";

const KEY = "coingecko/coins-markets.json";
const MOTO_ENV = {
  AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
  AWS_REGION: "",
  AWS_PROFILE: "",
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** test/helpers/motoServer.py over plain http on 127.0.0.1, as `moto_server -p PORT` serves. */
async function startPlainMoto(): Promise<{ endpoint: string; child: ChildProcess }> {
  const availability = motoAvailability();
  if (!availability.available) {
    throw new Error(availability.reason);
  }
  const port = await freePort();
  const child = spawn(
    availability.python,
    [join(__dirname, "../helpers/motoServer.py"), "-H", "127.0.0.1", "-p", String(port)],
    { stdio: "ignore" },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i += 1) {
    try {
      await fetch(`${endpoint}/moto-api/`);
      return { endpoint, child };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  process.kill(child.pid!, "SIGKILL");
  throw new Error("moto did not start");
}

let fake: FakeCoingecko;
let root: string;
let moto: { endpoint: string; child: ChildProcess };
let s3: S3Client;
let counter = 0;

/** A bucket name no other test uses. */
function bucketName(): string {
  counter += 1;
  return `npm-start-${process.pid}-${counter}`;
}

describeMoto("npm start against an S3 emulator", () => {
  beforeAll(async () => {
    fake = await startFakeCoingecko();
    moto = await startPlainMoto();
    s3 = new S3Client({
      endpoint: moto.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: MOTO_CREDENTIALS,
    });
    root = projectCopy({ dev: {} });
  }, 60_000);
  beforeEach(() => fake.reset());
  afterAll(async () => {
    s3?.destroy();
    if (moto?.child.pid !== undefined && moto.child.exitCode === null) {
      process.kill(moto.child.pid, "SIGTERM");
    }
    await fake?.stop();
    removeProject(root);
  });

  /** A stack like Pulumi.local.yaml, pointed at this suite's moto. */
  function localStack(stack: string, bucket: string): void {
    writeStack(root, stack, {
      "aws:region": "us-east-1",
      "aws:s3UsePathStyle": true,
      "aws:endpoints": [{ s3: moto.endpoint, sts: moto.endpoint }],
      bucketName: bucket,
      coingeckoBaseUrl: fake.baseUrl,
    });
  }

  it("writes where the stack's aws:endpoints points, not to the embedded server", async () => {
    const bucket = bucketName();
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    localStack("emu", bucket);
    const { code, stdout, stderr } = await npmStart(root, ["--stack", "emu"], MOTO_ENV);
    expect(code).toBe(0);
    expect(stderr).toContain(
      `S3 endpoint ${moto.endpoint} (from \`aws:endpoints\` in Pulumi.emu.yaml, path-style), bucket "${bucket}".`,
    );
    expect(stderr).not.toContain("Embedded S3");
    expect(existsSync(join(root, ".data"))).toBe(false);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: KEY }));
    const body = Buffer.from(await object.Body!.transformToByteArray());
    expect(stdout).toContain(
      `coins-markets: data successfully uploaded to s3://${bucket}/${KEY} (`,
    );
    expect(stdout).toContain(`sha256 ${createHash("sha256").update(body).digest("hex")})`);
    expect(stdout).toContain(
      `read it with any S3 client, e.g. \`aws --endpoint-url ${moto.endpoint} s3 cp s3://${bucket}/${KEY} -\``,
    );
  });

  it("says how to create a missing bucket without the Pulumi CLI, and that way works", async () => {
    const bucket = bucketName();
    localStack("nobucket", bucket);
    const args = ["--stack", "nobucket"];
    const first = await npmStart(root, args, MOTO_ENV);
    expect(first.code).toBe(1);
    expect(fake.count()).toBe(0);
    expect(first.stderr.trim()).toBe(
      `error: Bucket "${bucket}" does not exist at ${moto.endpoint}. Create it with \`pulumi up --stack nobucket\`, which also sets its guard rails, and pass the name it got: \`--bucket "$(pulumi stack output bucketName --stack nobucket)"\`. Without the Pulumi CLI, create an empty one: \`curl -X PUT ${moto.endpoint}/${bucket}\` (moto accepts it unsigned), or \`aws --endpoint-url ${moto.endpoint} s3 mb s3://${bucket}\` where the emulator checks signatures. Or pass an existing bucket with \`--bucket <name>\`.`,
    );
    // Do what the message says.
    const curl = /`(curl -X PUT \S+)`/.exec(first.stderr)![1].split(" ");
    await promisify(execFile)(curl[0], [...curl.slice(1), "--fail", "--silent"]);
    const second = await npmStart(root, args, MOTO_ENV);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`coins-markets: data successfully uploaded to s3://${bucket}/`);
  });

  it("says a 403 over plain http comes from the bucket's TLS-only policy, not from IAM", async () => {
    const bucket = bucketName();
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // The policy the PrivateBucket component sets.
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify(tlsOnlyPolicy(`arn:aws:s3:::${bucket}`, "1.2")),
      }),
    );
    localStack("tls", bucket);
    const { code, stderr } = await npmStart(root, ["--stack", "tls"], MOTO_ENV);
    expect(code).toBe(1);
    expect(fake.count()).toBe(0);
    expect(stderr.trim()).toBe(
      `error: S3 denied HeadObject on bucket "${bucket}" (HTTP 403): the bucket's policy denies every request made without TLS (aws:SecureTransport false), and ${moto.endpoint} is plain http. Serve the emulator over https and name it with https:// (\`aws:endpoints\` in Pulumi.tls.yaml): for moto, \`python test/helpers/motoServer.py -p ${new URL(moto.endpoint).port} -c cert.pem -k key.pem\` with \`NODE_EXTRA_CA_CERTS=cert.pem\` (see docs/operations.md, "The local stack"); or use a bucket without that policy (\`--bucket\`).`,
    );
    expect(stderr).not.toContain("arn:aws:s3:::");
  });

  it("says an https endpoint meets a plain-http server, without a raw EPROTO", async () => {
    const https = moto.endpoint.replace("http://", "https://");
    const { code, stderr } = await npmStart(
      root,
      ["--s3-endpoint", https, "--bucket", "any-bucket", "--base-url", fake.baseUrl],
      MOTO_ENV,
    );
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      `error: The TLS handshake with ${https} failed: the S3 server there does not speak https. If it is a plain-HTTP server, use ${moto.endpoint} as the S3 endpoint (\`--s3-endpoint\`) instead of https://.`,
    );
  });

  it("refuses --data-dir when the stack's emulator, not the embedded server, takes the data", async () => {
    localStack("datadir", bucketName());
    const { code, stderr } = await npmStart(
      root,
      ["--stack", "datadir", "--data-dir", join(root, "data-datadir")],
      MOTO_ENV,
    );
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      `error: \`--data-dir\` applies only to the embedded S3 server, and this run writes to ${moto.endpoint} (from \`aws:endpoints\` in Pulumi.datadir.yaml). Drop it, or pass \`--s3-endpoint\` to write elsewhere.`,
    );
    expect(existsSync(join(root, "data-datadir"))).toBe(false);
  });

  it("says nothing listens at an endpoint that refuses the connection", async () => {
    const port = await freePort();
    const { code, stderr } = await npmStart(
      root,
      [
        "--s3-endpoint",
        `http://127.0.0.1:${port}`,
        "--bucket",
        "any-bucket",
        "--base-url",
        fake.baseUrl,
      ],
      MOTO_ENV,
    );
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      `error: Nothing accepted the connection to the S3 endpoint http://127.0.0.1:${port} (ECONNREFUSED), named by \`--s3-endpoint\`. Start the emulator there (moto: \`moto_server -p ${port}\`; LocalStack: \`docker run --rm -p ${port}:4566 localstack/localstack\`), or fix the endpoint's host and port.`,
    );
  });
});

describe("npm start -- --stack local", () => {
  it("goes to the shipped local stack's emulator endpoint, and says when nothing listens there", async () => {
    const port = await freePort();
    const project = projectCopy({});
    try {
      // Pulumi.local.yaml as shipped, with its port moved to one this test knows is closed.
      const shipped = readFileSync(join(PROJECT_ROOT, "Pulumi.local.yaml"), "utf8");
      expect(shipped).toContain("s3: https://localhost:4566");
      writeFileSync(
        join(project, "Pulumi.local.yaml"),
        shipped.replaceAll("localhost:4566", `localhost:${port}`),
      );
      const { code, stderr } = await npmStart(project, ["--stack", "local"], MOTO_ENV);
      expect(code).toBe(1);
      expect(existsSync(join(project, ".data"))).toBe(false);
      expect(stderr.trim()).toBe(
        `error: Nothing accepted the connection to the S3 endpoint https://localhost:${port} (ECONNREFUSED), named by \`aws:endpoints\` in Pulumi.local.yaml. Start the emulator there (moto: \`moto_server -p ${port} --ssl-cert cert.pem --ssl-key key.pem\`, with the certificate from docs/operations.md, "The local stack"; LocalStack: \`docker run --rm -p ${port}:4566 localstack/localstack\`), or fix the endpoint's host and port.`,
      );
    } finally {
      removeProject(project);
    }
  });
});
