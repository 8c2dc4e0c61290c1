/**
 * The embedded server's store commits a whole object, with its metadata, or nothing (issue 18):
 * a process that dies at any step of a write, or a body that arrives cut or altered, leaves the
 * previous object, byte for byte, with the metadata that describes it.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { AtomicFilesystemStore, STAGING_DIR } from "../../cli/atomicStore";
import { startEmbeddedS3 } from "../../cli/embeddedS3";

// The module object itself, whose renameSync the store calls: an `import * as` copy cannot be spied on.
const fs: typeof import("node:fs") = require("node:fs");

const BUCKET = "b";
const KEY = "coingecko/list.json";
const OLD = Buffer.from(`${JSON.stringify({ v: "old" })}\n`);
const NEW = Buffer.from(`${JSON.stringify({ v: "new", more: "x".repeat(1000) })}\n`);

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const md5 = (bytes: Buffer) => createHash("md5").update(bytes).digest("hex");

/** The headers s3rver hands its store for a PUT of `body`, with our sha256 as user metadata. */
function put(body: Buffer) {
  return {
    bucket: BUCKET,
    key: KEY,
    content: body,
    metadata: {
      "content-type": "application/json",
      "content-length": String(body.length),
      "x-amz-meta-sha256": sha256(body),
    },
  };
}

async function read(store: AtomicFilesystemStore): Promise<{ body: Buffer; meta: object }> {
  const object = (await store.getObject(BUCKET, KEY)) as {
    content: Readable;
    metadata: Record<string, string>;
  };
  const chunks: Buffer[] = [];
  for await (const chunk of object.content) {
    chunks.push(chunk as Buffer);
  }
  return { body: Buffer.concat(chunks), meta: object.metadata };
}

/** The object as stored, checked against itself: its sha256 metadata and ETag are its bytes'. */
async function whole(store: AtomicFilesystemStore): Promise<Buffer> {
  const { body, meta } = await read(store);
  expect(meta).toMatchObject({
    "x-amz-meta-sha256": sha256(body),
    etag: JSON.stringify(md5(body)),
    "content-length": body.length,
    "content-type": "application/json",
  });
  return body;
}

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "api-s3-load-store-"));
  dirs.push(dir);
  mkdirSync(join(dir, BUCKET));
  return dir;
}
afterEach(() => jest.restoreAllMocks());
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("a process that dies during a write", () => {
  // The commit is four renames: the staging folder to `.commit` (the commit point), then the
  // metadata, the md5 and the object into place. Death is a throw from the next rename: nothing
  // after it runs, as nothing runs after a kill -9.
  it.each([
    [1, "before the commit point", "previous"],
    [2, "after the commit point, nothing moved", "new"],
    [3, "after the metadata moved", "new"],
    [4, "after the md5 moved, before the object", "new"],
  ])(
    "at rename %i (%s) leaves, once started again, the %s object with metadata agreeing",
    async (step, _when, version) => {
      const expected = version === "new" ? NEW : OLD;
      const root = dataDir();
      const store = new AtomicFilesystemStore(root);
      await store.putObject(put(OLD));

      const rename = fs.renameSync;
      let renames = 0;
      jest.spyOn(fs, "renameSync").mockImplementation((from, to) => {
        if (++renames === step) {
          throw new Error("killed");
        }
        rename(from, to);
      });
      await expect(store.putObject(put(NEW))).rejects.toThrow("killed");
      jest.restoreAllMocks();

      // Even before a restart, the object file itself is one version, whole.
      const onDisk = readFileSync(join(root, BUCKET, `${KEY}._S3rver_object`));
      expect([OLD.toString(), NEW.toString()]).toContain(onDisk.toString());

      const restarted = new AtomicFilesystemStore(root);
      expect((await whole(restarted)).equals(expected)).toBe(true);
      expect(readdirSync(join(root, STAGING_DIR))).toEqual([]);
    },
  );

  it("deletes a write it had not committed when started again", async () => {
    const root = dataDir();
    const store = new AtomicFilesystemStore(root);
    await store.putObject(put(OLD));
    // What a kill mid-body leaves: a staging folder of a dead process, holding part of the body.
    const staged = join(root, STAGING_DIR, "put-999999999-abc123");
    mkdirSync(staged);
    fs.writeFileSync(join(staged, "object"), NEW.subarray(0, 10));

    const restarted = new AtomicFilesystemStore(root);
    expect((await whole(restarted)).equals(OLD)).toBe(true);
    expect(readdirSync(join(root, STAGING_DIR))).toEqual([]);
  });

  it("leaves alone a write another server on the same data is still staging", async () => {
    const root = dataDir();
    const store = new AtomicFilesystemStore(root);
    await store.putObject(put(OLD));
    const staged = join(root, STAGING_DIR, `put-${process.pid}-abc123`);
    mkdirSync(staged);

    new AtomicFilesystemStore(root);
    expect(readdirSync(join(root, STAGING_DIR))).toEqual([`put-${process.pid}-abc123`]);
  });

  it("makes a key written for the first time appear only with its metadata", async () => {
    const root = dataDir();
    const store = new AtomicFilesystemStore(root);
    const rename = fs.renameSync;
    jest.spyOn(fs, "renameSync").mockImplementation((from, to) => {
      rename(from, to);
      // After each step, the object is either absent or there with its metadata.
      const base = join(root, BUCKET, KEY);
      if (fs.existsSync(`${base}._S3rver_object`)) {
        expect(fs.existsSync(`${base}._S3rver_metadata.json`)).toBe(true);
        expect(fs.existsSync(`${base}._S3rver_object.md5`)).toBe(true);
      }
    });
    await store.putObject(put(NEW));
    expect(fs.renameSync).toHaveBeenCalledTimes(4);
    jest.restoreAllMocks();
    expect((await whole(store)).equals(NEW)).toBe(true);
  });
});

describe("a body that is not the one the client meant", () => {
  async function server() {
    const s3 = await startEmbeddedS3({ directory: dataDir(), buckets: [BUCKET] });
    await s3.client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: OLD, Metadata: { v: "old" } }),
    );
    return s3;
  }
  async function stored(s3: Awaited<ReturnType<typeof server>>) {
    const out = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }));
    return { body: Buffer.from(await out.Body!.transformToByteArray()), meta: out.Metadata };
  }

  it("cut off before Content-Length bytes is not stored", async () => {
    const s3 = await server();
    try {
      await new Promise<void>((resolve) => {
        const req = request(`${s3.endpoint}/${BUCKET}/${KEY}`, {
          method: "PUT",
          headers: { "content-length": NEW.length, "x-amz-meta-v": "new" },
        });
        req.on("error", () => resolve());
        req.write(NEW.subarray(0, 100), () => setTimeout(() => req.destroy(), 50));
      });
      // The server notices the cut connection in its own time.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await stored(s3)).toEqual({ body: OLD, meta: { v: "old" } });
      expect(readdirSync(join(s3.directory, STAGING_DIR))).toEqual([]);
    } finally {
      await s3.stop();
    }
  });

  it.each([
    [
      "x-amz-checksum-sha256",
      { ChecksumSHA256: createHash("sha256").update("x").digest("base64") },
    ],
    ["Content-MD5", { ContentMD5: createHash("md5").update("x").digest("base64") }],
  ])("whose %s does not match is refused with BadDigest", async (_header, checksum) => {
    const s3 = await server();
    try {
      await expect(
        s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: NEW, ...checksum })),
      ).rejects.toMatchObject({ name: "BadDigest" });
      expect(await stored(s3)).toEqual({ body: OLD, meta: { v: "old" } });
    } finally {
      await s3.stop();
    }
  });
});
