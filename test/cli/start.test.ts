import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { startEmbeddedS3 } from "../../cli/embeddedS3";
import { startFakeCoingecko, type FakeCoingecko } from "../helpers/fakeCoingecko";
import { PROJECT_ROOT } from "../helpers/programRun";

const run = promisify(execFile);

/** The stored object's bytes, read by opening the job's data folder again. */
async function storedObject(dataDir: string): Promise<{ body: Buffer; contentType?: string }> {
  const s3 = await startEmbeddedS3({ directory: dataDir });
  try {
    const object = await s3.client.send(
      new GetObjectCommand({ Bucket: "api-s3-load-local", Key: "coingecko/coins-markets.json" }),
    );
    return {
      body: Buffer.from(await object.Body!.transformToByteArray()),
      contentType: object.ContentType,
    };
  } finally {
    await s3.stop();
  }
}

/** Runs `npm start` as a user would, against the fake API, with its data in `dataDir`. */
function npmStart(fake: FakeCoingecko, dataDir: string, env: NodeJS.ProcessEnv = {}) {
  return run(
    "npm",
    ["start", "--silent", "--", "--base-url", fake.baseUrl, "--data-dir", dataDir],
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
    },
  );
}

describe("npm start", () => {
  let fake: FakeCoingecko;
  let dataDir: string;
  beforeAll(async () => {
    fake = await startFakeCoingecko();
    dataDir = mkdtempSync(join(tmpdir(), "api-s3-load-start-"));
  });
  afterAll(async () => {
    await fake.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("lands the default snapshot in the embedded S3 as pretty JSON whose sha256 it prints", async () => {
    const { stdout } = await npmStart(fake, dataDir);
    const line = stdout.split("\n").find((l) => l.startsWith("coins-markets: "));
    expect(line).toBeDefined();
    const [, uri, bytes, items, sha256] =
      /^coins-markets: (s3:\/\/\S+)\s+(\d+) bytes\s+(\d+) items\s+sha256 ([0-9a-f]{64})$/.exec(
        line!,
      ) ?? [];
    expect(uri).toBe("s3://api-s3-load-local/coingecko/coins-markets.json");
    expect(Number(items)).toBe(100);
    expect(stdout).toContain(
      "Data successfully uploaded to s3://api-s3-load-local/coingecko/coins-markets.json",
    );
    expect(fake.count("/coins/markets")).toBe(1);

    // The object outlives the job, byte for byte.
    const { body, contentType } = await storedObject(dataDir);
    expect(body.length).toBe(Number(bytes));
    expect(createHash("sha256").update(body).digest("hex")).toBe(sha256);
    const parsed = JSON.parse(body.toString("utf8"));
    expect(body.toString("utf8")).toBe(`${JSON.stringify(parsed, null, 2)}\n`);
    expect(parsed).toHaveLength(100);
    expect(contentType).toBe("application/json");
  });

  it("writes nothing on a second run when the data did not change", async () => {
    const ownDir = mkdtempSync(join(tmpdir(), "api-s3-load-start-"));
    try {
      await npmStart(fake, ownDir);
      const { stdout } = await npmStart(fake, ownDir);
      expect(stdout).toContain(
        "Data unchanged at s3://api-s3-load-local/coingecko/coins-markets.json: nothing written.",
      );
    } finally {
      rmSync(ownDir, { recursive: true, force: true });
    }
  });

  it("fails with the API's reason and keeps the stored object when the API answers an error", async () => {
    const ownDir = mkdtempSync(join(tmpdir(), "api-s3-load-start-"));
    await npmStart(fake, ownDir);
    const before = await storedObject(ownDir);
    fake.setFault({ kind: "error-body", status: 401, shape: "status", code: 10002 });
    await expect(npmStart(fake, ownDir)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /coins-markets: failed:[^]*COINGECKO_PLAN=demo COINGECKO_API_KEY=<key> npm start/,
      ),
    });
    fake.setFault();
    expect((await storedObject(ownDir)).body.equals(before.body)).toBe(true);
    rmSync(ownDir, { recursive: true, force: true });
  });
});
