/**
 * moto (https://github.com/getmoto/moto), the AWS-faithful stand-in for the tests that need what
 * s3rver lacks: versioning, conditional writes, public access block, ownership controls, encryption,
 * lifecycle, bucket policies, KMS and STS.
 *
 * One server per suite, on 127.0.0.1 with a free port, served over HTTPS with a certificate the
 * suite makes; a fresh bucket per test. The server is test/helpers/motoServer.py, which is moto
 * 5.2.1's `moto_server` with one change: bucket policies are evaluated with the request's TLS
 * context, so the PrivateBucket TLS-only policy stays in force and denies plain HTTP only (see that
 * file for why).
 *
 * Where moto differs from AWS, and what the tests do about it:
 * - It accepts a public ACL on a bucket whose ownership is `BucketOwnerEnforced` (AWS answers
 *   `AccessControlListNotSupported`); no test relies on that refusal.
 * - It does not verify `x-amz-checksum-sha256`; test/helpers/faultProxy.ts verifies it in front of
 *   s3rver, and the moto tests check what was stored with their own SHA-256.
 * - It evaluates bucket policies without request context; motoServer.py fixes that for the
 *   condition operators our policies use.
 * - It stores any bucket policy without checking its grammar (AWS: MalformedPolicy) and, after
 *   DeleteBucketEncryption, keeps no default encryption (AWS falls back to SSE-S3). It does
 *   validate lifecycle rules (MalformedXML), which test/moto/deploy.test.ts relies on.
 *
 * When moto (or openssl, or a Node with `tls.setDefaultCACertificates`) is missing, `describeMoto`
 * is `describe.skip`: the suites count as skipped, and test/helpers/motoGlobalSetup.ts says once why.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tls from "node:tls";
import {
  CreateBucketCommand,
  PutBucketVersioningCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";

import type { SnapshotInputs } from "@api-s3-load/snapshot-engine";
import { motoAvailability } from "./motoAvailability";

export {
  MOTO_INSTALL,
  MOTO_VERSION,
  motoAvailability,
  type MotoAvailability,
} from "./motoAvailability";
export const MOTO_REGION = "us-east-1";
/** moto accepts any credentials; these make the standard AWS chain resolve without a profile. */
export const MOTO_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };
/** The account id moto answers with (STS GetCallerIdentity, ARNs). */
export const MOTO_ACCOUNT_ID = "123456789012";

const SERVER_SCRIPT = join(__dirname, "motoServer.py");

/** `describe` when moto can run, else `describe.skip` (counted as skipped, never as passed). */
export const describeMoto: jest.Describe = motoAvailability().available ? describe : describe.skip;

export interface Moto {
  /** `https://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  /** The PEM file of the suite's certificate (also its own CA). */
  caFile: string;
  /** A path-style S3 client that trusts the certificate. */
  client: S3Client;
  /** Settings for another AWS SDK client of moto (KMS, STS). */
  clientConfig: Pick<S3ClientConfig, "endpoint" | "region" | "credentials">;
  /** Environment for a child process that talks to moto: credentials, region, trusted CA. */
  childEnv: Record<string, string>;
  /** Creates a bucket with a name no other test uses; versioned unless told otherwise. */
  newBucket(options?: { versioned?: boolean }): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, "moto.pem");
  const key = join(dir, "moto-key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdio: "pipe" },
  );
  return { cert, key };
}

/**
 * Trusts the suite's certificate for every TLS connection this process makes, on top of Node's
 * default CAs: the S3 clients made inside `npm run verify` and the engine take no agent from the
 * test. Child processes get the same through NODE_EXTRA_CA_CERTS (`childEnv`).
 */
function trust(pem: string): void {
  const api = tls as typeof tls & {
    getCACertificates(type: "default"): string[];
    setDefaultCACertificates(certs: string[]): void;
  };
  api.setDefaultCACertificates([...api.getCACertificates("default"), pem]);
}

function answers(port: number, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/moto-api/", method: "GET", ca, timeout: 1_000 },
      (res) => {
        res.resume();
        resolve(true);
      },
    );
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()));
}

let bucketCounter = 0;

/** Starts moto for one suite; call `stop()` in `afterAll`. */
export async function startMoto(): Promise<Moto> {
  const availability = motoAvailability();
  if (!availability.available) {
    throw new Error(`moto cannot run here: ${availability.reason}`);
  }
  const dir = mkdtempSync(join(tmpdir(), "api-s3-load-moto-"));
  const { cert, key } = makeCertificate(dir);
  const pem = readFileSync(cert, "utf8");
  trust(pem);
  const port = await freePort();
  const child = spawn(
    availability.python,
    [SERVER_SCRIPT, "-H", "127.0.0.1", "-p", String(port), "-c", cert, "-k", key],
    { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, PYTHONUNBUFFERED: "1" } },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    // Keep the tail only: moto logs every request.
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(child.pid, "SIGTERM");
      const killer = setTimeout(() => child.pid && process.kill(child.pid, "SIGKILL"), 3_000);
      await exited(child);
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  while (!(await answers(port, pem))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`moto did not start on 127.0.0.1:${port}: ${stderr.trim().slice(-1_000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const endpoint = `https://127.0.0.1:${port}`;
  const clientConfig = { endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS };
  const client = new S3Client({
    ...clientConfig,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  return {
    endpoint,
    port,
    caFile: cert,
    client,
    clientConfig,
    childEnv: {
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
      AWS_REGION: MOTO_REGION,
      NODE_EXTRA_CA_CERTS: cert,
    },
    async newBucket(options = {}) {
      bucketCounter += 1;
      const bucket = `moto-${process.pid}-${bucketCounter}-${Math.random().toString(36).slice(2, 8)}`;
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      if (options.versioned ?? true) {
        await client.send(
          new PutBucketVersioningCommand({
            Bucket: bucket,
            VersioningConfiguration: { Status: "Enabled" },
          }),
        );
      }
      return bucket;
    },
    async stop() {
      client.destroy();
      await stop();
    },
  };
}

/**
 * Points the standard AWS credential chain of this process at moto's credentials and region
 * (the engine and `npm run verify` read it); returns a function that restores the previous values.
 */
export function useMotoCredentials(): () => void {
  const names = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_PROFILE",
  ];
  const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
  for (const name of names) {
    delete process.env[name];
  }
  process.env.AWS_ACCESS_KEY_ID = MOTO_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = MOTO_CREDENTIALS.secretAccessKey;
  process.env.AWS_REGION = MOTO_REGION;
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  };
}

/**
 * Inputs of a Snapshot that fetches five markets from the fake CoinGecko at `baseUrl` into `bucket`
 * on this moto, as the provider receives them; `overrides` change single fields.
 */
export function motoSnapshotInputs(
  moto: Moto,
  target: { bucket: string; baseUrl: string; key: string },
  overrides: Partial<SnapshotInputs> = {},
): SnapshotInputs {
  return {
    name: "coins-markets",
    endpoint: "coins/markets",
    params: { vs_currency: "usd", per_page: 5 },
    key: target.key,
    bucket: target.bucket,
    region: MOTO_REGION,
    s3Endpoint: moto.endpoint,
    s3ForcePathStyle: true,
    plan: "public",
    baseUrl: target.baseUrl,
    // The public plan's 5 calls a minute would make later tests wait on the process-wide limiter.
    callsPerMinute: 6000,
    schemaVersion: 1,
    ...overrides,
  };
}
