/**
 * An S3-compatible server inside this process (s3rver), on 127.0.0.1, so the snapshot job can run
 * end to end without a cloud account. It is a stand-in, not S3: it ignores conditional writes and
 * has no versioning, which is why the engine double-checks with a HEAD before writing. Its store is
 * replaced by AtomicFilesystemStore, which makes a write visible only when complete, as S3 does.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { createS3Client } from "@api-s3-load/snapshot-engine";
import { AtomicFilesystemStore } from "./atomicStore";

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  store: unknown;
  context: { store: unknown };
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
  /** The folder the objects are kept in. */
  directory: string;
  /** A path-style client with s3rver's credentials. */
  client: S3Client;
  stop(): Promise<void>;
}

export interface EmbeddedS3Options {
  directory: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  buckets?: string[];
}

export async function startEmbeddedS3(options: EmbeddedS3Options): Promise<EmbeddedS3> {
  // s3rver ships no types; its constructor, store, run and close are all we use.
  const S3rver: S3rverConstructor = require("s3rver");
  const server = new S3rver({
    address: "127.0.0.1",
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  // s3rver's constructor makes its in-place store and hands it to every request through its Koa
  // context; both references are swapped before it serves (or creates the buckets) in run().
  // Constructing the store finishes or discards the writes a killed process left staged.
  server.store = server.context.store = new AtomicFilesystemStore(options.directory);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createS3Client(
    { endpoint, forcePathStyle: true, region: "us-east-1" },
    { credentials: S3RVER_CREDENTIALS },
  );
  return {
    endpoint,
    port,
    directory: options.directory,
    client,
    async stop() {
      client.destroy();
      await server.close();
    },
  };
}
