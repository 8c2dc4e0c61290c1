/**
 * Step 3 of `npm start`: the S3 store the run writes to. Either an S3 endpoint (checked for
 * credentials and reachability first) or an S3 server embedded in this process, on 127.0.0.1.
 */
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import type { S3Client } from "@aws-sdk/client-s3";
import { createS3Client, type S3Target } from "@api-s3-load/snapshot-engine";
import { startEmbeddedS3, type EmbeddedS3 } from "./embeddedS3";
import type { RunPlan } from "./runPlan";
import type { ExternalEndpoint } from "./runTarget";
import { announceS3Retries } from "./s3Retries";
import { checkS3Endpoint, type EndpointSource } from "./s3Check";

export interface Store {
  client: S3Client;
  target: S3Target;
  /** The embedded server, when the run writes to it. */
  embedded?: EmbeddedS3;
  stop(): Promise<void>;
}

/** Opens the store of `plan`; `progress` gets one line saying which, and each S3 retry. */
export async function openStore(plan: RunPlan, progress: (line: string) => void): Promise<Store> {
  const store = plan.external
    ? await openEndpoint(plan, plan.external, progress)
    : await openEmbedded(plan, progress);
  announceS3Retries(store.client, progress);
  return store;
}

async function openEndpoint(
  plan: RunPlan,
  external: ExternalEndpoint,
  progress: (line: string) => void,
): Promise<Store> {
  const target: S3Target = { bucket: plan.bucket, ...external.target };
  const client = createS3Client(target);
  try {
    await requireCredentials(client, external);
    const source: EndpointSource = {
      endpoint: external.endpoint,
      origin: external.origin,
      bucket: plan.bucket,
      stack: external.fromStack ? plan.stack : undefined,
      forcePathStyle: target.forcePathStyle ?? false,
    };
    await checkS3Endpoint(client, source, plan.settings.snapshots[0].key);
  } catch (error) {
    client.destroy();
    throw error;
  }
  progress(
    `S3 endpoint ${external.endpoint} (from ${external.origin}${target.forcePathStyle ? ", path-style" : ""}), bucket "${plan.bucket}".`,
  );
  return { client, target, stop: async () => client.destroy() };
}

async function openEmbedded(plan: RunPlan, progress: (line: string) => void): Promise<Store> {
  // s3rver makes its bucket folders before it listens, and reports a busy port as an uncaught
  // error: the port is tried first, so a refusal leaves nothing behind.
  await requireFreePort(plan.port);
  const directory = prepareDataDir(plan.dataDir);
  const embedded = await startServer(directory, plan.port, plan.bucket);
  progress(
    `Embedded S3 on ${embedded.endpoint}, data in ${directory}, private bucket "${plan.bucket}".`,
  );
  return {
    client: embedded.client,
    target: {
      bucket: plan.bucket,
      endpoint: embedded.endpoint,
      forcePathStyle: true,
      region: "us-east-1",
    },
    embedded,
    stop: () => embedded.stop(),
  };
}

function prepareDataDir(directory: string): string {
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `\`--data-dir ${directory}\` cannot be created (${code ?? (error as Error).message}): pass a folder you can write to.`,
    );
  }
  return directory;
}

async function startServer(directory: string, port: number, bucket: string): Promise<EmbeddedS3> {
  try {
    return await startEmbeddedS3({ directory, port, buckets: [bucket] });
  } catch (error) {
    throw portError(error, port) ?? error;
  }
}

function portError(error: unknown, port: number): Error | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") {
    return new Error(
      `Port ${port} on 127.0.0.1 is already in use: pass another \`--port\`, or leave it out to pick a free port.`,
    );
  }
  if (code === "EACCES") {
    return new Error(
      `Port ${port} on 127.0.0.1 needs privileges to listen on: pass a port above 1023, or leave \`--port\` out.`,
    );
  }
  return undefined;
}

async function requireFreePort(port: number): Promise<void> {
  if (port === 0) {
    return;
  }
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", (error) => reject(portError(error, port) ?? error));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

/** Resolves the AWS credential chain once, so a missing credential is one sentence, not a stack. */
async function requireCredentials(
  client: S3Client,
  { endpoint, origin }: ExternalEndpoint,
): Promise<void> {
  try {
    await client.config.credentials();
  } catch {
    throw new Error(
      `No AWS credentials were found for the S3 endpoint ${endpoint} (from ${origin}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) to the server's key pair: S3RVER / S3RVER for the embedded server of \`npm start\`, test / test for LocalStack and moto.`,
    );
  }
}
