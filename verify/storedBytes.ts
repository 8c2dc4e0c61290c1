import { createHash } from "node:crypto";
import type { S3Client } from "@aws-sdk/client-s3";

/** How the stored bytes were compared with the expected sha256. */
export type BytesEvidence = "s3-checksum" | "rehash";

export interface StoredBytes {
  /** True when the object's body hashes to the expected sha256. */
  intact: boolean;
  /** The body's sha256, hex. */
  sha256: string;
  evidence: BytesEvidence;
}

/** S3's full-object SHA-256 checksum is base64; composite (multipart) ones end in `-<parts>`. */
export function checksumAsHex(checksum: string | undefined): string | undefined {
  if (!checksum || checksum.includes("-")) {
    return undefined;
  }
  const hex = Buffer.from(checksum, "base64").toString("hex");
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

/**
 * Whether the object at `key` holds exactly the bytes whose sha256 is `expected`. S3's own stored
 * checksum, read with checksum mode, is computed by the server from the body and cannot be edited
 * apart from it, so where the server keeps one it answers without a download; elsewhere (s3rver,
 * objects written without a checksum) the body is read and hashed. Metadata alone proves nothing:
 * it can say one thing while the body says another.
 */
export async function storedBytes(
  s3: S3Client,
  bucket: string,
  key: string,
  expected: string,
): Promise<StoredBytes> {
  const { GetObjectCommand, HeadObjectCommand } = await import("@aws-sdk/client-s3");
  const head = await s3.send(
    new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: "ENABLED" }),
  );
  const checksum = checksumAsHex(head.ChecksumSHA256);
  if (checksum) {
    return { intact: checksum === expected, sha256: checksum, evidence: "s3-checksum" };
  }
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash("sha256");
  for await (const chunk of object.Body as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
  }
  const sha256 = hash.digest("hex");
  return { intact: sha256 === expected, sha256, evidence: "rehash" };
}
