import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { S3Client } from "@aws-sdk/client-s3";
import type { S3Target } from "@api-s3-load/snapshot-engine";
import { startFakeCoingecko, type FakeCoingecko } from "../helpers/fakeCoingecko";
import { startS3Server, type EmbeddedS3 } from "../helpers/s3Server";

/** A fake API key that must never show up anywhere but its header. */
export const CANARY_KEY = "CG-canary-7f3a9c1e5b2d";

/** Retry settings scaled down for tests: same logic, small delays. */
export const FAST_RETRY = {
  maxAttempts: 3,
  baseDelayMs: 1,
  maxDelayMs: 5_000,
  requestTimeoutMs: 2_000,
  deadlineMs: 20_000,
};

/**
 * A sleep that records every wait the engine asks for and then waits at most 5 ms, so tests can
 * assert the computed delays (Retry-After, x-ratelimit-reset) without spending them.
 */
export function recordingSleep(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  const sleeps: number[] = [];
  return {
    sleeps,
    sleep: (ms: number) => {
      sleeps.push(ms);
      return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5)));
    },
  };
}

/** The stored bytes and metadata, read straight from s3rver (not through any proxy). */
export async function readObject(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<
  | { body: Buffer; etag?: string; metadata: Record<string, string>; contentType?: string }
  | undefined
> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = await out.Body!.transformToByteArray();
    return {
      body: Buffer.from(bytes),
      etag: out.ETag,
      metadata: out.Metadata ?? {},
      contentType: out.ContentType,
    };
  } catch (error) {
    if ((error as { name?: string }).name === "NoSuchKey") {
      return undefined;
    }
    throw error;
  }
}

/** Sets the AWS credential chain's environment to s3rver's fixed credentials; returns a restore. */
export function useS3rverCredentials(): () => void {
  const saved = {
    id: process.env.AWS_ACCESS_KEY_ID,
    secret: process.env.AWS_SECRET_ACCESS_KEY,
    session: process.env.AWS_SESSION_TOKEN,
  };
  process.env.AWS_ACCESS_KEY_ID = "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  delete process.env.AWS_SESSION_TOKEN;
  return () => {
    const put = (name: string, value: string | undefined) =>
      value === undefined ? delete process.env[name] : (process.env[name] = value);
    put("AWS_ACCESS_KEY_ID", saved.id);
    put("AWS_SECRET_ACCESS_KEY", saved.secret);
    put("AWS_SESSION_TOKEN", saved.session);
  };
}

/**
 * For the describe block it is called in: a fake CoinGecko of 23 coins (pages of 10 are full, full,
 * short) reset before each test, and s3rver with `bucket`, both stopped after the block. Read the
 * fields inside tests (they are set in beforeAll).
 */
export function useApiAndS3(bucket: string): {
  api: FakeCoingecko;
  s3: EmbeddedS3;
  target: S3Target;
} {
  const env = {} as { api: FakeCoingecko; s3: EmbeddedS3; target: S3Target };
  let restore: () => void;
  beforeAll(async () => {
    restore = useS3rverCredentials();
    [env.api, env.s3] = await Promise.all([
      startFakeCoingecko({ catalogue: 23 }),
      startS3Server([bucket]),
    ]);
    env.target = { bucket, endpoint: env.s3.endpoint, forcePathStyle: true };
  });
  beforeEach(() => env.api.reset());
  afterAll(async () => {
    await env.api.stop();
    await env.s3.stop();
    restore();
  });
  return env;
}
