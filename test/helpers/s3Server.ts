import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
// s3rver ships no types; its constructor and run/close are all we use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver: S3rverConstructor = require("s3rver");

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets?: { name: string }[];
}) => S3rverInstance;

/** The fixed credentials s3rver accepts; never real ones. */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export interface EmbeddedS3 {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  /** The folder s3rver keeps objects in. */
  directory: string;
  /** A path-style client with s3rver's credentials. */
  client: S3Client;
  stop(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 with a free port and a fresh temp folder, optionally with buckets. */
export async function startS3Server(buckets: string[] = []): Promise<EmbeddedS3> {
  const directory = mkdtempSync(join(tmpdir(), "api-s3-load-s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: "us-east-1",
    credentials: S3RVER_CREDENTIALS,
  });
  return {
    endpoint,
    port,
    directory,
    client,
    async stop() {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
