import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { checkSnapshotObject, formatResult } from "../../verify";
import { startS3Server, type EmbeddedS3 } from "../helpers/s3Server";
import { awsError, BUCKET, KEY } from "./fixtures";

// Objects are read back from a real S3 server (s3rver implements HEAD/GET object and metadata).
let s3: EmbeddedS3;
const body = `${JSON.stringify([{ id: "bitcoin" }, { id: "ethereum" }], null, 2)}\n`;
const sha = createHash("sha256").update(body).digest("hex");

async function put(
  key: string,
  content: string | Buffer,
  metadata: Record<string, string>,
  extra = {},
) {
  await s3.client.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: key,
      Body: content,
      ContentType: "application/json",
      Metadata: metadata,
      ...extra,
    }),
  );
}

beforeAll(async () => {
  s3 = await startS3Server([BUCKET]);
  await put(KEY, body, { sha256: sha, "fetched-at": "2025-01-01T00:00:00.000Z" });
  await put("coingecko/tampered.json", body.replace("bitcoin", "bitcoim"), { sha256: sha });
  await put("coingecko/foreign.json", body, {});
  await put("coingecko/gzip.json", gzipSync(body), { sha256: sha }, { ContentEncoding: "gzip" });
});

afterAll(async () => {
  await s3.stop();
});

describe("snapshot object check against s3rver", () => {
  it("holds when the body's sha256 equals its metadata", async () => {
    expect(formatResult(await checkSnapshotObject(s3.client, BUCKET, { key: KEY }))).toBe(
      `ok object ${KEY}: s3://${BUCKET}/${KEY} ${Buffer.byteLength(body)} bytes, sha256 ${sha} matches its metadata`,
    );
  });

  it("fails for a body changed after it was written", async () => {
    const tamperedSha = createHash("sha256")
      .update(body.replace("bitcoin", "bitcoim"))
      .digest("hex");
    const result = await checkSnapshotObject(s3.client, BUCKET, { key: "coingecko/tampered.json" });
    expect(result.ok).toBe(false);
    expect(result.detail).toBe(
      `s3://${BUCKET}/coingecko/tampered.json body has sha256 ${tamperedSha} but its metadata says ${sha}: ` +
        "the object was changed after it was written",
    );
    expect(result.fix).toContain(
      `aws s3api list-object-versions --bucket ${BUCKET} --prefix coingecko/tampered.json`,
    );
  });

  it("fails for an object without sha256 metadata", async () => {
    const result = await checkSnapshotObject(s3.client, BUCKET, { key: "coingecko/foreign.json" });
    expect(result).toMatchObject({
      ok: false,
      detail: `s3://${BUCKET}/coingecko/foreign.json has no sha256 metadata, so it was not written by api-s3-load`,
    });
  });

  it("fails for a missing object, naming its URI", async () => {
    const result = await checkSnapshotObject(s3.client, BUCKET, { key: "coingecko/absent.json" });
    expect(formatResult(result)).toBe(
      `FAIL object coingecko/absent.json: s3://${BUCKET}/coingecko/absent.json does not exist. ` +
        "Fix: run `pulumi up` on the stack (or `npm start` locally) to write the snapshot again; " +
        "check `--key` if the key was customised.",
    );
  });

  it("fails when the stack output's sha256 differs from the object's", async () => {
    const result = await checkSnapshotObject(s3.client, BUCKET, {
      key: KEY,
      sha256: "0".repeat(64),
    });
    expect(result.ok).toBe(false);
    expect(result.detail).toBe(
      `s3://${BUCKET}/${KEY} has sha256 ${sha} but the stack output says ${"0".repeat(64)}: it was rewritten outside this stack`,
    );
  });

  it("accepts a gzip object whose metadata describes the uncompressed JSON", async () => {
    const result = await checkSnapshotObject(s3.client, BUCKET, { key: "coingecko/gzip.json" });
    expect(result.ok).toBe(true);
  });
});

describe("snapshot object check: a refused read", () => {
  it("names the object's ARN, where s3:GetObject is granted, not the bucket's", async () => {
    const mock = mockClient(S3Client);
    try {
      mock.on(HeadObjectCommand).rejects(awsError("AccessDenied", 403, "Access Denied"));
      const result = await checkSnapshotObject(new S3Client({}), BUCKET, { key: KEY });
      expect(result.fix).toBe(
        `allow \`s3:GetObject\` on arn:aws:s3:::${BUCKET}/${KEY} for the identity shown by caller-identity, or run with credentials that have it`,
      );
    } finally {
      mock.restore();
    }
  });
});
