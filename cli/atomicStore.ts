/**
 * s3rver's filesystem store, made to write the way S3 does: an object becomes visible only when it
 * is complete, together with its metadata, and a process killed at any moment (kill -9 included)
 * leaves the previous object or the new one, whole, never a mix (issue 18).
 *
 * s3rver 3.7.1 keeps an object as three files beside each other (`<key>._S3rver_object`, its
 * `.md5` and `<key>._S3rver_metadata.json`) and writes each in place, so an interrupted PUT left a
 * fragment of the new bytes under the old metadata. Here a write goes to a staging folder first:
 *
 * 1. the body is streamed to `._S3rver_staging/put-<pid>-<random>/object`, hashed on the way, and
 *    refused unless it is as long as `Content-Length` says and matches the checksums the client
 *    sent (`x-amz-checksum-sha256`, `x-amz-content-sha256`, `Content-MD5`), as S3 refuses it;
 * 2. the md5, the metadata and a manifest naming the three destinations are written beside it, and
 *    all four are flushed to disk;
 * 3. one rename of the folder to `….commit` is the commit point: before it, the write never
 *    happened; after it, it has;
 * 4. the three files are moved into place (metadata, md5, then the object itself, so a key written
 *    for the first time appears only once its metadata is there) and the folder is removed.
 *
 * Steps 3 and 4 run synchronously, so no request of this process sees them half done. A process
 * killed during step 4 leaves a `.commit` folder, which the next start finishes before it serves;
 * one killed before step 3 leaves a folder without the suffix, which the next start deletes.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  createReadStream,
  createWriteStream,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { IncomingMessage } from "node:http";
import { dirname, join, relative } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Where writes are staged, beside the bucket folders: no bucket name can hold `_` or capitals. */
export const STAGING_DIR = "._S3rver_staging";
const COMMITTED = ".commit";
const STAGE_PREFIX = "put-";

/** The files of one object, named as s3rver names them in a staging folder's manifest. */
const PARTS = ["metadata", "md5", "object"] as const;
type Part = (typeof PARTS)[number];
type Manifest = Record<Part, string>;

/** What s3rver hands its store for a PUT (lib/models/object.js). */
interface S3rverObject {
  bucket: string;
  key: string;
  content: Readable | Buffer;
  metadata: Record<string, string>;
}

/** The part of s3rver's FilesystemStore (lib/stores/filesystem.js) this file builds on. */
interface FilesystemStore {
  rootDirectory: string;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getMetadata(bucket: string, key: string): Promise<Record<string, unknown>>;
  getObject(
    bucket: string,
    key: string,
    options?: { start?: number; end?: number },
  ): Promise<{ content: Readable | null } | null>;
  listBuckets(): Promise<{ name: string }[]>;
  deleteObject(bucket: string, key: string): Promise<void>;
}
type FilesystemStoreConstructor = new (rootDirectory: string) => FilesystemStore;
type S3ErrorConstructor = new (code: string, message: string) => Error;

// s3rver ships no types; these are the classes its own store and controllers use.
const BaseStore: FilesystemStoreConstructor = require("s3rver/lib/stores/filesystem");
const S3Error: S3ErrorConstructor = require("s3rver/lib/models/error");
const { ALLOWED_METADATA }: { ALLOWED_METADATA: string[] } = require("s3rver/lib/models/object");

/** The metadata s3rver keeps for an object: the standard headers it serves back and x-amz-meta-*. */
function storedMetadata(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(
      ([name]) => ALLOWED_METADATA.includes(name) || name.startsWith("x-amz-meta-"),
    ),
  );
}

interface Written {
  size: number;
  md5: string;
  sha256: Buffer;
}

/** Streams `content` to `path`, counting and hashing it; rejects if the sender stops half-way. */
async function writeHashed(path: string, content: Readable | Buffer): Promise<Written> {
  const md5 = createHash("md5");
  const sha256 = createHash("sha256");
  let size = 0;
  await pipeline(
    Buffer.isBuffer(content) ? Readable.from([content]) : content,
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5.update(chunk);
        sha256.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    }),
    createWriteStream(path),
  );
  return { size, md5: md5.digest("hex"), sha256: sha256.digest() };
}

/**
 * The headers a PUT came with. s3rver keeps only the ones it stores in `metadata`; the checksums
 * are on the request itself, which is the object's content for a plain PUT.
 */
function requestHeaders(object: S3rverObject): Record<string, string> {
  const raw = object.content instanceof IncomingMessage ? object.content.headers : {};
  const headers: Record<string, string> = { ...object.metadata };
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === "string") {
      headers[name] = value;
    }
  }
  return headers;
}

/** S3's refusals of a body that is not the one the client meant to send. */
function refuseIncomplete(headers: Record<string, string>, body: Written): void {
  const length = headers["content-length"];
  // aws-chunked bodies carry their own framing (x-amz-decoded-content-length); s3rver does not
  // decode them, so their Content-Length says nothing about the stored bytes.
  if (length !== undefined && headers["x-amz-decoded-content-length"] === undefined) {
    if (Number(length) !== body.size) {
      throw new S3Error(
        "IncompleteBody",
        `You did not provide the number of bytes specified by the Content-Length HTTP header (${length}; ${body.size} received).`,
      );
    }
  }
  const checksum = headers["x-amz-checksum-sha256"];
  if (checksum !== undefined && checksum !== body.sha256.toString("base64")) {
    throw new S3Error(
      "BadDigest",
      "The SHA256 you specified did not match the calculated checksum.",
    );
  }
  const contentSha = headers["x-amz-content-sha256"];
  if (
    contentSha &&
    /^[0-9a-f]{64}$/i.test(contentSha) &&
    contentSha.toLowerCase() !== body.sha256.toString("hex")
  ) {
    throw new S3Error(
      "XAmzContentSHA256Mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  const contentMd5 = headers["content-md5"];
  if (contentMd5 !== undefined && contentMd5 !== Buffer.from(body.md5, "hex").toString("base64")) {
    throw new S3Error("BadDigest", "The Content-MD5 you specified did not match what we received.");
  }
}

/** Writes `text` to `path` and flushes it to disk. */
async function writeDurably(path: string, text: string): Promise<void> {
  await writeFile(path, text);
  flush(path);
}

function flush(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Whether `pid` is a running process: not gone, and not a zombie no parent has reaped yet. */
export function isAlive(pid: number): boolean {
  if (!(pid > 0)) {
    return false;
  }
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // /proc/<pid>/stat is "pid (name) STATE ...", and the name may hold spaces or parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === "ENOENT";
}

/**
 * Moves the files of a committed staging folder into place and removes it. Safe to run again on a
 * folder a killed process left half moved, and beside another server finishing the same folder:
 * each file is moved once, by whichever gets to it first.
 */
function finishCommit(root: string, folder: string): void {
  let manifest: Manifest | undefined;
  try {
    manifest = JSON.parse(readFileSync(join(folder, "manifest.json"), "utf8")) as Manifest;
  } catch (error) {
    if (!isMissing(error)) {
      throw error;
    }
  }
  for (const part of manifest ? PARTS : []) {
    const target = join(root, manifest![part]);
    // The key's folder exists unless something deleted it since; the write still lands.
    mkdirSync(dirname(target), { recursive: true });
    try {
      renameSync(join(folder, part), target);
    } catch (error) {
      if (!isMissing(error)) {
        throw error;
      }
    }
  }
  rmSync(folder, { recursive: true, force: true });
}

/**
 * Finishes the writes a killed process committed and deletes those it had not, in the data folder
 * `root`. A committed write is finished whoever wrote it; an uncommitted one of a process still
 * running (a server on the same data, this one included) is left to it.
 */
export function recoverStagedWrites(root: string): { finished: number; discarded: number } {
  const staging = join(root, STAGING_DIR);
  let entries: string[];
  try {
    entries = readdirSync(staging);
  } catch (error) {
    if (isMissing(error)) {
      return { finished: 0, discarded: 0 };
    }
    throw error;
  }
  let finished = 0;
  let discarded = 0;
  for (const name of entries) {
    const folder = join(staging, name);
    if (name.endsWith(COMMITTED)) {
      finishCommit(root, folder);
      finished++;
    } else if (!isAlive(stagingPid(name))) {
      rmSync(folder, { recursive: true, force: true });
      discarded++;
    }
  }
  return { finished, discarded };
}

/** The process that staged a write, from its folder's name (`put-<pid>-<random>`). */
export function stagingPid(name: string): number {
  return Number(/^put-(\d+)-/.exec(name)?.[1] ?? 0);
}

/** s3rver's FilesystemStore with all-or-nothing writes; see the top of this file. */
export class AtomicFilesystemStore extends BaseStore {
  /** Bumped by every commit and delete, so a read that spans one can tell and read again. */
  private generation = 0;

  constructor(rootDirectory: string) {
    super(rootDirectory);
    recoverStagedWrites(rootDirectory);
  }

  async putObject(object: S3rverObject): Promise<{ size: number; md5: string }> {
    const folder = await this.stage();
    try {
      const body = await writeHashed(join(folder, "object"), object.content);
      refuseIncomplete(requestHeaders(object), body);
      await this.commit(folder, object.bucket, object.key, storedMetadata(object.metadata), body);
      return { size: body.size, md5: body.md5 };
    } catch (error) {
      await rm(folder, { recursive: true, force: true });
      throw error;
    }
  }

  async copyObject(
    srcBucket: string,
    srcKey: string,
    destBucket: string,
    destKey: string,
    replacementMetadata?: Record<string, string>,
  ): Promise<Record<string, unknown>> {
    const folder = await this.stage();
    try {
      let body: Written;
      let metadata: Record<string, string>;
      let generation: number;
      // The source's bytes and metadata are read again if a write to it lands between the two.
      do {
        generation = this.generation;
        const source = createReadStream(this.getResourcePath(srcBucket, srcKey, "object"));
        body = await writeHashed(join(folder, "object"), source);
        metadata = replacementMetadata
          ? storedMetadata(replacementMetadata)
          : await readFile(this.getResourcePath(srcBucket, srcKey, "metadata.json"), "utf8").then(
              (text) => JSON.parse(text) as Record<string, string>,
              (error: unknown) => {
                if (isMissing(error)) {
                  return {};
                }
                throw error;
              },
            );
      } while (generation !== this.generation);
      await this.commit(folder, destBucket, destKey, metadata, body);
    } catch (error) {
      await rm(folder, { recursive: true, force: true });
      throw error;
    }
    return this.getMetadata(destBucket, destKey);
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    // The object file is what makes an object visible: it goes first, in one step.
    try {
      await unlink(this.getResourcePath(bucket, key, "object"));
    } catch (error) {
      if (!isMissing(error)) {
        throw error;
      }
    }
    this.generation++;
    await super.deleteObject(bucket, key);
  }

  async getMetadata(bucket: string, key: string): Promise<Record<string, unknown>> {
    for (;;) {
      const generation = this.generation;
      const metadata = await super.getMetadata(bucket, key);
      if (generation === this.generation) {
        return metadata;
      }
    }
  }

  async getObject(
    bucket: string,
    key: string,
    options?: { start?: number; end?: number },
  ): Promise<{ content: Readable | null } | null> {
    for (;;) {
      const generation = this.generation;
      const object = await super.getObject(bucket, key, options);
      if (generation === this.generation) {
        return object;
      }
      object?.content?.destroy();
    }
  }

  async listBuckets(): Promise<{ name: string }[]> {
    return (await super.listBuckets()).filter((bucket) => bucket.name !== STAGING_DIR);
  }

  private async stage(): Promise<string> {
    const staging = join(this.rootDirectory, STAGING_DIR);
    await mkdir(staging, { recursive: true });
    return mkdtemp(
      join(staging, `${STAGE_PREFIX}${process.pid}-${randomBytes(3).toString("hex")}`),
    );
  }

  /** Steps 2–4 of the top comment: sidecars and manifest, the commit rename, the moves. */
  private async commit(
    folder: string,
    bucket: string,
    key: string,
    metadata: Record<string, string>,
    body: Written,
  ): Promise<void> {
    const root = this.rootDirectory;
    const manifest: Manifest = {
      metadata: relative(root, this.getResourcePath(bucket, key, "metadata.json")),
      md5: relative(root, this.getResourcePath(bucket, key, "object.md5")),
      object: relative(root, this.getResourcePath(bucket, key, "object")),
    };
    flush(join(folder, "object"));
    await writeDurably(join(folder, "md5"), body.md5);
    await writeDurably(join(folder, "metadata"), JSON.stringify(metadata, null, 2));
    await writeDurably(join(folder, "manifest.json"), JSON.stringify(manifest));
    const committed = `${folder}${COMMITTED}`;
    renameSync(folder, committed);
    try {
      finishCommit(root, committed);
    } finally {
      this.generation++;
    }
  }
}
