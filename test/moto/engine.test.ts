/**
 * The engine on a versioned bucket, against moto: the same lifecycle functions the Snapshot
 * provider calls (create, diff, update, read, delete), asserted through the S3 API's own view of
 * the versions. s3rver has no versioning and ignores conditional writes, so only here do
 * `versionId` outputs, "delete only the version this resource wrote" and the conditional PUT that
 * closes the HEAD→PUT race meet a server that implements them.
 */
import { createHash } from "node:crypto";
import {
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import {
  createSnapshot,
  deleteSnapshotObject,
  diffSnapshot,
  readSnapshot,
  updateSnapshot,
  type SnapshotInputs,
} from "@api-s3-load/snapshot-engine";
import { FAST_RETRY } from "../engine/engineHarness";
import { startFakeCoingecko, type FakeCoingecko } from "../helpers/fakeCoingecko";
import {
  describeMoto,
  motoSnapshotInputs,
  startMoto,
  useMotoCredentials,
  type Moto,
} from "../helpers/moto";

const KEY = "coingecko/coins-markets.json";

interface Version {
  versionId: string;
  isLatest: boolean;
  etag: string;
}

async function versions(client: S3Client, bucket: string, key = KEY): Promise<Version[]> {
  const out = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  return (out.Versions ?? [])
    .filter((v) => v.Key === key)
    .map((v) => ({ versionId: v.VersionId!, isLatest: v.IsLatest === true, etag: v.ETag! }));
}

async function current(
  client: S3Client,
  bucket: string,
): Promise<{ body: Buffer; versionId?: string; metadata: Record<string, string> }> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: KEY }));
  return {
    body: Buffer.from(await out.Body!.transformToByteArray()),
    versionId: out.VersionId,
    metadata: out.Metadata ?? {},
  };
}

/** Counts the PutObject calls a client sends, so "no write" is asserted, not assumed. */
function countPuts(client: S3Client): { puts: () => number } {
  let puts = 0;
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === "PutObjectCommand") {
        puts += 1;
      }
      return next(args);
    },
    { step: "initialize", name: "countPuts" },
  );
  return { puts: () => puts };
}

describeMoto("the engine on a versioned bucket (moto)", () => {
  let moto: Moto;
  let fake: FakeCoingecko;
  let restoreEnv: () => void;
  let bucket: string;

  beforeAll(async () => {
    restoreEnv = useMotoCredentials();
    [moto, fake] = await Promise.all([startMoto(), startFakeCoingecko()]);
  });
  afterAll(async () => {
    await Promise.all([moto?.stop(), fake?.stop()]);
    restoreEnv?.();
  });
  beforeEach(async () => {
    bucket = await moto.newBucket();
  });

  function inputs(overrides: Partial<SnapshotInputs> = {}): SnapshotInputs {
    return motoSnapshotInputs(moto, { bucket, baseUrl: fake.baseUrl, key: KEY }, overrides);
  }

  /**
   * Makes another writer put `body` at the key just before the engine's first PUT through
   * moto.client, that is after its HEAD: the race the conditional write closes.
   */
  function anotherWriterBeforePut(target: string, body: Buffer) {
    let version: string | undefined;
    let raced = false;
    moto.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "PutObjectCommand" && !raced) {
          raced = true;
          const out = await moto.client.send(
            new PutObjectCommand({ Bucket: target, Key: KEY, Body: body }),
          );
          version = out.VersionId;
        }
        return next(args);
      },
      { step: "initialize", name: "anotherWriter" },
    );
    return {
      /** The other writer's version, once it has written. */
      version: () => version,
      remove: () => moto.client.middlewareStack.remove("anotherWriter"),
    };
  }

  it("create, unchanged update, changed update, refresh and delete keep versionId and history exact", async () => {
    const { puts } = countPuts(moto.client);
    const options = { s3: moto.client, retry: FAST_RETRY };

    const created = await createSnapshot(inputs(), options);
    let history = await versions(moto.client, bucket);
    expect(history).toHaveLength(1);
    expect(created.outs.versionId).toBe(history[0].versionId);
    const stored = await current(moto.client, bucket);
    expect(createHash("sha256").update(stored.body).digest("hex")).toBe(created.outs.sha256);
    expect(stored.metadata.sha256).toBe(created.outs.sha256);
    expect(puts()).toBe(1);

    // An unchanged deploy: diff finds nothing, and even a forced update writes nothing.
    expect(diffSnapshot(created.outs, inputs()).changes).toBe(false);
    const same = await updateSnapshot(created.outs, inputs(), options);
    expect(same.outs).toMatchObject({ unchanged: true, versionId: created.outs.versionId });
    expect(puts()).toBe(1);
    expect(await versions(moto.client, bucket)).toHaveLength(1);

    // A changed input adds exactly one version, which becomes current.
    const changedInputs = inputs({ params: { vs_currency: "usd", per_page: 6 } });
    expect(diffSnapshot(created.outs, changedInputs)).toMatchObject({
      changes: true,
      replaces: [],
    });
    const changed = await updateSnapshot(same.outs, changedInputs, options);
    expect(puts()).toBe(2);
    history = await versions(moto.client, bucket);
    expect(history).toHaveLength(2);
    expect(changed.outs.versionId).not.toBe(created.outs.versionId);
    expect(history.find((v) => v.isLatest)?.versionId).toBe(changed.outs.versionId);
    expect((await current(moto.client, bucket)).versionId).toBe(changed.outs.versionId);

    // Refresh reports the stored object as state has it: no drift.
    const read = await readSnapshot(created.id, changed.outs, { s3: moto.client });
    expect(read.props).toMatchObject({
      versionId: changed.outs.versionId,
      etag: changed.outs.etag,
      sha256: changed.outs.sha256,
      bytes: changed.outs.bytes,
    });

    // Delete removes only what this resource wrote; the older version stays as history.
    expect(await deleteSnapshotObject(changed.outs, { s3: moto.client })).toBe("deleted");
    history = await versions(moto.client, bucket);
    expect(history.map((v) => v.versionId).sort()).toEqual(
      [created.outs.versionId, changed.outs.versionId].sort(),
    );
    expect(history.some((v) => v.isLatest)).toBe(false);
    expect((await readSnapshot(created.id, changed.outs, { s3: moto.client })).id).toBe("");
  });

  it("a replacement at the same key never deletes the live object", async () => {
    const options = { s3: moto.client, retry: FAST_RETRY };
    const old = await createSnapshot(inputs({ name: "before" }), options);
    // Without adopt, the new resource refuses the old one's object; with it, it writes its own version.
    await expect(createSnapshot(inputs({ name: "after" }), options)).rejects.toMatchObject({
      kind: "conflict",
    });
    const replacement = await createSnapshot(inputs({ name: "after", adopt: true }), options);
    expect(replacement.outs.versionId).not.toBe(old.outs.versionId);

    // Pulumi deletes the replaced resource last: its delete must keep the live object.
    expect(await deleteSnapshotObject(old.outs, { s3: moto.client })).toBe("kept");
    const live = await current(moto.client, bucket);
    expect(live.versionId).toBe(replacement.outs.versionId);
    expect(await versions(moto.client, bucket)).toHaveLength(2);
  });

  it("fails with 'another writer' when the object changes between the HEAD and the PUT, losing nothing", async () => {
    const options = { s3: moto.client, retry: FAST_RETRY };
    const created = await createSnapshot(inputs(), options);

    // Another writer's PUT lands after the engine's HEAD, right before its conditional PUT.
    const other = Buffer.from('{"written":"by someone else"}\n');
    const writer = anotherWriterBeforePut(bucket, other);
    try {
      const update = updateSnapshot(
        created.outs,
        inputs({ params: { vs_currency: "usd", per_page: 7 } }),
        options,
      );
      await expect(update).rejects.toMatchObject({ kind: "conflict" });
      await expect(update).rejects.toThrow(
        `Snapshot "coins-markets": another writer changed s3://${bucket}/${KEY} between this run's read and its write (S3 answered PreconditionFailed); nothing was overwritten. Run again to compare with the new object`,
      );
    } finally {
      writer.remove();
    }
    expect(writer.version()).toBeDefined();
    const history = await versions(moto.client, bucket);
    expect(history.map((v) => v.versionId).sort()).toEqual(
      [created.outs.versionId, writer.version()].sort(),
    );
    const live = await current(moto.client, bucket);
    expect(live.versionId).toBe(writer.version());
    expect(live.body).toEqual(other);
  });

  it("answers PreconditionFailed itself: a create never overwrites an object that appeared after its HEAD", async () => {
    const writer = anotherWriterBeforePut(bucket, Buffer.from("[]\n"));
    try {
      await expect(
        createSnapshot(inputs(), { s3: moto.client, retry: FAST_RETRY }),
      ).rejects.toThrow(/another writer changed .* \(S3 answered PreconditionFailed\)/);
    } finally {
      writer.remove();
    }
    const history = await versions(moto.client, bucket);
    expect(history.map((v) => v.versionId)).toEqual([writer.version()]);
  });
});
