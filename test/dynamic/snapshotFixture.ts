/**
 * What the dynamic-provider tests share: the Snapshot exactly as the program registers it (its
 * serialized `__provider` and its inputs, from a mocked run of index.ts), re-pointed at local servers.
 */
import { HeadObjectCommand, GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { HostProps } from "../helpers/dynamicProviderHost";
import { marketsItem } from "../helpers/fakeCoingecko";
import { runProgram, type RecordedResource } from "../helpers/programRun";

export const SNAPSHOT_TYPE = "pulumi-nodejs:dynamic/coingecko:Snapshot";
/** Bucket the tests create in s3rver; the program's own name comes from the mocks. */
export const BUCKET = "snapshot-lifecycle";

/** Canaries: if any of these shows up in a provider string, an output or an error, a secret leaked. */
export const CANARY_API_KEY = "CG-canaryApiKey0123456789";
// Built at run time so secret scanners do not flag a canary as a leaked credential.
export const CANARY_ACCESS_KEY_ID = ["AKIA", "CANARYACCESSKEY1"].join("");
export const CANARY_SECRET_ACCESS_KEY = "canarySecretAccessKey/0123456789abcdefGHIJ";

/** s3rver's fixed credentials, given to the host process only (the standard AWS env chain). */
export const HOST_AWS_ENV: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: "S3RVER",
  AWS_SECRET_ACCESS_KEY: "S3RVER",
  AWS_REGION: "us-east-1",
};

export interface RecordedSnapshot {
  urn: string;
  /** The serialized provider as Pulumi stores it in state. */
  provider: string;
  /** The inputs as registered, `__provider` and the secret-wrapped `apiKey` included. */
  inputs: Record<string, unknown>;
}

/**
 * Runs the dev stack under mocks against the fake CoinGecko (demo plan with the canary key, as a
 * user with a Demo key would) while the jest process holds canary AWS credentials, and returns the
 * one Snapshot it registers.
 */
export async function recordSnapshot(
  baseUrl: string,
  options: { preview?: boolean; config?: Record<string, unknown> } = {},
): Promise<RecordedSnapshot> {
  const restore = setEnv({
    AWS_ACCESS_KEY_ID: CANARY_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: CANARY_SECRET_ACCESS_KEY,
  });
  try {
    const run = await runProgram("dev", {
      preview: options.preview,
      config: {
        "api-s3-load:coingeckoBaseUrl": baseUrl,
        "api-s3-load:coingeckoPlan": "demo",
        "api-s3-load:coingeckoApiKey": CANARY_API_KEY,
        // The demo plan's 30/min would make the later fetches of a test wait on the limiter.
        "api-s3-load:coingeckoCallsPerMinute": 6000,
        ...options.config,
      },
      secretKeys: ["api-s3-load:coingeckoApiKey"],
    });
    const snapshots = run.resources.filter((r: RecordedResource) => r.type === SNAPSHOT_TYPE);
    if (snapshots.length !== 1) {
      throw new Error(
        `The dev stack registered ${snapshots.length} Snapshots; these tests expect its single default one.`,
      );
    }
    const [snapshot] = snapshots;
    return {
      urn: snapshot.urn,
      provider: String(snapshot.inputs.__provider),
      inputs: snapshot.inputs,
    };
  } finally {
    restore();
  }
}

/** The recorded inputs with the S3 settings swapped for the local server, as a stack with `aws:endpoints` would have. */
export function localInputs(recorded: RecordedSnapshot, s3Endpoint: string): HostProps {
  return {
    ...(recorded.inputs as HostProps),
    bucket: BUCKET,
    s3Endpoint,
    s3ForcePathStyle: true,
  };
}

/** The bytes the engine must store for `coins/markets?per_page=100&page=<page>`: the served items, pretty-printed. */
export function expectedMarketsBytes(page = 1, perPage = 100): Buffer {
  const items = Array.from({ length: perPage }, (_, i) => marketsItem((page - 1) * perPage + i));
  return Buffer.from(`${JSON.stringify(items, null, 2)}\n`, "utf8");
}

export async function getObject(
  client: S3Client,
  key: string,
): Promise<{ body: Buffer; metadata: Record<string, string>; etag: string }> {
  const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return {
    body: Buffer.from(await out.Body!.transformToByteArray()),
    metadata: out.Metadata ?? {},
    etag: out.ETag ?? "",
  };
}

export async function objectExists(client: S3Client, key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
      return false;
    }
    throw error;
  }
}

/** Sets environment variables and returns a function that puts the previous values back. */
export function setEnv(values: Record<string, string>): () => void {
  const previous = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  Object.assign(process.env, values);
  return () => {
    for (const [k, v] of Object.entries(previous)) {
      if (v === undefined) {
        delete process.env[k];
      } else {
        process.env[k] = v;
      }
    }
  };
}
