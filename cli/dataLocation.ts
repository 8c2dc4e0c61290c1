/**
 * Where `npm start`'s data can be read once the command has ended: the embedded server stops with
 * it, so its `s3://` URIs lead nowhere afterwards. Each object is either exported as a plain JSON
 * file (`--export DIR`) or named by the file the embedded server keeps it in.
 */
import { createHash } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { gunzipSync } from "node:zlib";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { SnapshotResult } from "@api-s3-load/snapshot-engine";
import type { Io } from "./io";

/**
 * The file the embedded server (s3rver's filesystem store) keeps an object's bytes in, as s3rver
 * itself names it: `<data dir>/<bucket>/<key>._S3rver_object`.
 */
export function embeddedObjectFile(directory: string, bucket: string, key: string): string {
  // s3rver ships no types; its store's path function is all we use.
  const Store: new (root: string) => {
    getResourcePath(bucket: string, key: string, resource: string): string;
  } = require("s3rver/lib/stores/filesystem");
  return new Store(directory).getResourcePath(bucket, key, "object");
}

/** The export file of a key: `DIR/<key>`, refused if the key would lead outside DIR. */
export function exportPath(directory: string, key: string): string {
  const path = resolve(directory, key.replace(/^\/+/, ""));
  const inside = relative(directory, path);
  if (inside === "" || inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new Error(`the key "${key}" does not name a file inside ${directory}`);
  }
  return path;
}

/**
 * Reads an object back and writes it to `DIR/<key>` as plain JSON (a gzip-stored object is
 * decompressed), after checking its bytes against the sha256 the run recorded. The file appears
 * whole or not at all: it is written beside its place and renamed into it.
 */
export async function exportObject(
  s3: S3Client,
  bucket: string,
  key: string,
  sha256: string,
  directory: string,
): Promise<string> {
  const path = exportPath(directory, key);
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const stored = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
  const actual = createHash("sha256").update(stored).digest("hex");
  if (actual !== sha256) {
    throw new Error(
      `s3://${bucket}/${key} holds bytes with sha256 ${actual}, not the ${sha256} this run recorded; nothing exported`,
    );
  }
  const json = object.ContentEncoding === "gzip" ? gunzipSync(stored) : stored;
  mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${process.pid}.${Date.now()}.partial`);
  try {
    writeFileSync(temporary, json);
    renameSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
  return path;
}

/** `--export DIR`: each object this run stored, as a plain JSON file at DIR/<key>; the failures. */
export async function exportWritten(
  s3: S3Client,
  bucket: string,
  written: SnapshotResult[],
  directory: string,
  io: Io,
): Promise<number> {
  let failed = 0;
  const lines: string[] = [];
  for (const result of written) {
    try {
      const path = await exportObject(s3, bucket, result.key, result.sha256, directory);
      lines.push(`  ${result.key}: ${path}`);
    } catch (error) {
      failed++;
      io.stderr(`export: ${result.key} was not exported: ${(error as Error).message}.`);
    }
  }
  if (lines.length > 0) {
    io.stdout("Exported as plain JSON, readable after this command:");
    lines.forEach((line) => io.stdout(line));
  }
  return failed;
}

/**
 * Without `--export`: where the objects can be read once the command has ended. The embedded
 * server's files are named one by one; an emulator's bucket by its endpoint.
 */
export function tellWhereDataIs(
  io: Io,
  bucket: string,
  written: SnapshotResult[],
  where: { embeddedDirectory?: string; endpoint?: string; gzip: boolean },
): void {
  if (written.length === 0) {
    return;
  }
  const one = written.length === 1;
  if (where.embeddedDirectory !== undefined) {
    io.stdout(
      `The embedded S3 server stops with this command; ${one ? "the object stays" : "the objects stay"} readable in its data folder${where.gzip ? "" : " as plain JSON"} (or pass --export DIR for JSON files of your own):`,
    );
    for (const { key } of written) {
      io.stdout(`  ${key}: ${embeddedObjectFile(where.embeddedDirectory, bucket, key)}`);
    }
  } else if (where.endpoint !== undefined) {
    io.stdout(
      `The ${one ? "object is" : "objects are"} in bucket "${bucket}" at ${where.endpoint}; read ${one ? "it" : "them"} with any S3 client, e.g. \`aws --endpoint-url ${where.endpoint} s3 cp s3://${bucket}/${written[0].key} -\`, or pass --export DIR for JSON files.`,
    );
  }
}
