/**
 * `check-object`: reads a snapshot object back from S3 and checks its bytes against the sha256 the
 * deploy recorded. The Pulumi program runs it after each write through @pulumi/command, with its
 * inputs in environment variables so no value is ever spliced into a shell line.
 */
import { createHash } from "node:crypto";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { createS3Client } from "@api-s3-load/snapshot-engine";
import type { Io } from "./main";

export async function checkObjectCommand(env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const bucket = required(env, "SNAPSHOT_BUCKET");
  const key = required(env, "SNAPSHOT_KEY");
  const expected = required(env, "SNAPSHOT_SHA256");
  const s3 = createS3Client({
    bucket,
    region: env.SNAPSHOT_REGION || undefined,
    endpoint: env.SNAPSHOT_S3_ENDPOINT || undefined,
    forcePathStyle: env.SNAPSHOT_S3_PATH_STYLE === "true",
  });
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = Buffer.from(await object.Body!.transformToByteArray());
    const actual = createHash("sha256").update(body).digest("hex");
    if (actual !== expected) {
      io.stderr(
        `s3://${bucket}/${key} does not match the deployed snapshot: its sha256 is ${actual}, the stack recorded ${expected}. ` +
          "The object was changed outside the stack; run `pulumi refresh`, then `pulumi up` to write it again.",
      );
      return 1;
    }
    io.stdout(
      `Data successfully uploaded to s3://${bucket}/${key} (${body.length} bytes, sha256 ${actual}).`,
    );
    return 0;
  } finally {
    s3.destroy();
  }
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) {
    throw new Error(
      `The environment variable ${name} is not set; check-object is meant to be run by the Pulumi program, which sets it.`,
    );
  }
  return value;
}
