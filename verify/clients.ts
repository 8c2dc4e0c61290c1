import type { S3Client } from "@aws-sdk/client-s3";
import { createS3Client as engineS3Client } from "@api-s3-load/snapshot-engine";
import type { STSClient } from "@aws-sdk/client-sts";

/** Where to send requests. Credentials are not here: they come from the AWS credential chain. */
export interface ClientOptions {
  region?: string;
  /** An S3-compatible endpoint (LocalStack, s3rver). Also used for STS, as LocalStack serves both. */
  endpoint?: string;
  forcePathStyle?: boolean;
}

function regionFor(options: ClientOptions): string | undefined {
  // Emulators accept any region; AWS's own default chain (AWS_REGION, profile) applies otherwise.
  return options.region ?? (options.endpoint ? "us-east-1" : undefined);
}

/**
 * Loaded on first use: the SDKs take a while to load, and a broken install gets a sentence instead
 * of a stack trace.
 */
export async function createStsClient(options: ClientOptions): Promise<STSClient> {
  let sts: typeof import("@aws-sdk/client-sts");
  try {
    sts = await import("@aws-sdk/client-sts");
  } catch {
    throw new Error(
      "`@aws-sdk/client-sts` is not installed, so the caller identity cannot be shown. Fix: run `npm ci`.",
    );
  }
  return new sts.STSClient({ region: regionFor(options), endpoint: options.endpoint });
}

export async function createS3Client(options: ClientOptions): Promise<S3Client> {
  // A bucket in another region than the client's still answers instead of a 301.
  return engineS3Client(options, { followRegionRedirects: true });
}
