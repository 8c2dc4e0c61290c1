import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedS3, type EmbeddedS3 } from "../../cli/embeddedS3";

export { S3RVER_CREDENTIALS, type EmbeddedS3 } from "../../cli/embeddedS3";

/** Starts s3rver on 127.0.0.1 with a free port and a fresh temp folder that `stop()` removes. */
export async function startS3Server(buckets: string[] = []): Promise<EmbeddedS3> {
  const directory = mkdtempSync(join(tmpdir(), "api-s3-load-s3rver-"));
  const s3 = await startEmbeddedS3({ directory, buckets });
  return {
    ...s3,
    async stop() {
      await s3.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
