import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { PROJECT_ROOT } from "../helpers/programRun";
import { S3RVER_CREDENTIALS, startS3Server, type EmbeddedS3 } from "../helpers/s3Server";

const run = promisify(execFile);
const BUCKET = "verify-after-deploy";

/** Runs the exact command line the program's `snapshots-verify` Command runs, with its environment. */
function checkObject(s3: EmbeddedS3, objects: { key: string; sha256: string }[]) {
  return run(
    "npx",
    ["--no-install", "ts-node", "--transpile-only", "cli/main.ts", "check-object"],
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
        SNAPSHOT_BUCKET: BUCKET,
        SNAPSHOT_OBJECTS: JSON.stringify(objects),
        SNAPSHOT_REGION: "us-east-1",
        SNAPSHOT_S3_ENDPOINT: s3.endpoint,
        SNAPSHOT_S3_PATH_STYLE: "true",
      },
    },
  );
}

describe("check-object (the post-deploy read-back)", () => {
  let s3: EmbeddedS3;
  const body = '[\n  {\n    "id": "bitcoin"\n  }\n]\n';
  const sha256 = createHash("sha256").update(body).digest("hex");

  beforeAll(async () => {
    s3 = await startS3Server([BUCKET]);
    for (const key of ["a.json", "b.json"]) {
      await s3.client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, Metadata: { sha256 } }),
      );
    }
  });
  afterAll(() => s3.stop());

  it("prints the success line for every object whose bytes match the recorded sha256", async () => {
    const { stdout } = await checkObject(s3, [
      { key: "a.json", sha256 },
      { key: "b.json", sha256 },
    ]);
    expect(stdout).toContain(`Data successfully uploaded to s3://${BUCKET}/a.json`);
    expect(stdout).toContain(`Data successfully uploaded to s3://${BUCKET}/b.json`);
  });

  it("fails the deploy when an object no longer matches what the stack recorded", async () => {
    const recorded = "f".repeat(64);
    await expect(checkObject(s3, [{ key: "a.json", sha256: recorded }])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        `FAIL object a.json: s3://${BUCKET}/a.json has sha256 ${sha256} but the stack output says ${recorded}`,
      ),
    });
  });

  it("fails when an object is missing", async () => {
    await expect(checkObject(s3, [{ key: "gone.json", sha256 }])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        `FAIL object gone.json: s3://${BUCKET}/gone.json does not exist`,
      ),
    });
  });
});
