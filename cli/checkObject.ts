/**
 * `check-object`: reads each snapshot object of a deploy back from S3 and checks its bytes against
 * the sha256 the stack recorded (the original script's closing "successfully uploaded" step, done
 * by reading back rather than trusting the write). The Pulumi program runs it once after the
 * snapshots through @pulumi/command; its inputs travel in environment variables, so no value is
 * ever spliced into a shell line. It shares its check with `npm run verify`.
 */
import { checkSnapshotObject, createS3Client, formatResult, type ExpectedObject } from "../verify";
import type { Io } from "./io";

/** The environment the program passes; `SNAPSHOT_OBJECTS` is a JSON list of `{key, sha256}`. */
export async function checkObjectCommand(env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const bucket = required(env, "SNAPSHOT_BUCKET");
  const objects = parseObjects(required(env, "SNAPSHOT_OBJECTS"));
  const s3 = await createS3Client({
    region: env.SNAPSHOT_REGION || undefined,
    endpoint: env.SNAPSHOT_S3_ENDPOINT || undefined,
    forcePathStyle: env.SNAPSHOT_S3_PATH_STYLE === "true",
  });
  let failures = 0;
  try {
    for (const expected of objects) {
      const result = await checkSnapshotObject(s3, bucket, expected);
      if (result.ok) {
        io.stdout(
          `Data successfully uploaded to s3://${bucket}/${expected.key} (${result.detail}).`,
        );
      } else {
        failures++;
        io.stderr(formatResult(result));
      }
    }
  } finally {
    s3.destroy();
  }
  return failures === 0 ? 0 : 1;
}

function parseObjects(text: string): ExpectedObject[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const valid =
    Array.isArray(value) &&
    value.every(
      (o) =>
        typeof o === "object" &&
        o !== null &&
        typeof o.key === "string" &&
        typeof o.sha256 === "string",
    );
  if (!valid) {
    throw new Error(
      "SNAPSHOT_OBJECTS must be a JSON list of {key, sha256}; check-object is meant to be run by the Pulumi program, which sets it.",
    );
  }
  return value as ExpectedObject[];
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
