import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import type { S3Client } from "@aws-sdk/client-s3";
import { awsErrorInfo, commonFix, errorDetail } from "./awsError";
import { fail, pass, type CheckResult } from "./result";
import { checksumAsHex } from "./storedBytes";

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** What the stack says about the object, when known (from `--stack-outputs`). */
export interface ExpectedObject {
  key: string;
  sha256?: string;
}

async function readBody(body: unknown): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function sha256Hex(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * The snapshot object is there and intact: the SHA-256 of its body equals its `sha256` metadata
 * (and S3's own checksum and the stack output, when those are known).
 */
export async function checkSnapshotObject(
  s3: S3Client,
  bucket: string,
  expected: ExpectedObject,
): Promise<CheckResult> {
  const { HeadObjectCommand, GetObjectCommand } = await import("@aws-sdk/client-s3");
  const check = `object ${expected.key}`;
  const uri = `s3://${bucket}/${expected.key}`;
  const rewriteFix =
    "run `pulumi up` on the stack (or `npm start` locally) to write the snapshot again";
  let head;
  try {
    head = await s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: expected.key, ChecksumMode: "ENABLED" }),
    );
  } catch (err) {
    const info = awsErrorInfo(err);
    if (info.code === "NotFound" || info.code === "NoSuchKey") {
      return fail(
        check,
        `${uri} does not exist`,
        `${rewriteFix}; check \`--key\` if the key was customised`,
      );
    }
    return fail(
      check,
      errorDetail(info, "HeadObject"),
      commonFix(info, "s3:GetObject", `${bucket}/${expected.key}`) ?? rewriteFix,
    );
  }
  const metadataSha = head.Metadata?.sha256?.toLowerCase();
  if (!metadataSha || !HEX_SHA256.test(metadataSha)) {
    return fail(
      check,
      `${uri} has ${metadataSha ? "a malformed" : "no"} sha256 metadata, so it was not written by api-s3-load`,
      rewriteFix,
    );
  }
  let body: Buffer;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: expected.key }));
    body = await readBody(object.Body);
  } catch (err) {
    const info = awsErrorInfo(err);
    return fail(
      check,
      errorDetail(info, "GetObject"),
      commonFix(info, "s3:GetObject", `${bucket}/${expected.key}`) ?? rewriteFix,
    );
  }
  let actual = sha256Hex(body);
  if (actual !== metadataSha && head.ContentEncoding === "gzip") {
    // A gzip snapshot's metadata may describe the JSON before compression.
    try {
      const decoded = sha256Hex(gunzipSync(body));
      if (decoded === metadataSha) {
        actual = decoded;
      }
    } catch {
      // Not valid gzip: the mismatch below reports it.
    }
  }
  if (actual !== metadataSha) {
    return fail(
      check,
      `${uri} body has sha256 ${actual} but its metadata says ${metadataSha}: the object was changed after it was written`,
      `${rewriteFix}, or restore the last good version (\`aws s3api list-object-versions --bucket ${bucket} --prefix ${expected.key}\`)`,
    );
  }
  const s3Checksum = checksumAsHex(head.ChecksumSHA256);
  if (s3Checksum && s3Checksum !== actual && head.ContentEncoding !== "gzip") {
    return fail(
      check,
      `${uri} S3 checksum ${s3Checksum} differs from the body's sha256 ${actual}`,
      rewriteFix,
    );
  }
  if (expected.sha256 && expected.sha256 !== metadataSha) {
    return fail(
      check,
      `${uri} has sha256 ${metadataSha} but the stack output says ${expected.sha256}: it was rewritten outside this stack`,
      "run `pulumi refresh` then `pulumi up` on the stack so state and object agree",
    );
  }
  const checksumNote = s3Checksum ? ", S3 checksum agrees" : "";
  return pass(
    check,
    `${uri} ${body.length} bytes, sha256 ${actual} matches its metadata${checksumNote}`,
  );
}
