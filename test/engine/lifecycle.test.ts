import { PutObjectCommand } from "@aws-sdk/client-s3";
import {
  createSnapshot,
  deleteSnapshotObject,
  diffSnapshot,
  isStale,
  readSnapshot,
  type SnapshotInputs,
  type SnapshotOutputs,
} from "@api-s3-load/snapshot-engine";
import { startFakeCoingecko, type FakeCoingecko } from "../helpers/fakeCoingecko";
import { FAST_RETRY, readObject } from "./engineHarness";
import { startS3Server, type EmbeddedS3 } from "../helpers/s3Server";

const BUCKET = "lifecycle-bucket";

function stateFor(s3: EmbeddedS3, etag: string): SnapshotOutputs {
  return {
    name: "m",
    endpoint: "coins/markets",
    params: { vs_currency: "usd" },
    key: "m.json",
    bucket: BUCKET,
    s3Endpoint: s3.endpoint,
    s3ForcePathStyle: true,
    region: "us-east-1",
    plan: "public",
    schemaVersion: 1,
    s3Uri: `s3://${BUCKET}/m.json`,
    etag,
    sha256: "a".repeat(64),
    bytes: 3,
    itemCount: 1,
    fetchedAt: "2026-11-30T10:00:00.000Z",
    sourceUrl: "https://api.coingecko.com/api/v3/coins/markets?vs_currency=usd",
    unchanged: true,
  };
}

describe("readSnapshot (pulumi refresh)", () => {
  let s3: EmbeddedS3;
  beforeAll(async () => {
    s3 = await startS3Server([BUCKET]);
  });
  afterAll(() => s3.stop());

  async function put(body: string, metadata: Record<string, string>): Promise<string> {
    const out = await s3.client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "m.json", Body: body, Metadata: metadata }),
    );
    return out.ETag!;
  }

  it("keeps the fetch time in state when the object is still the one the stack wrote", async () => {
    // The object's metadata holds its write time; an unchanged update later re-confirmed the data.
    const etag = await put("[1]", {
      sha256: "a".repeat(64),
      "fetched-at": "2026-11-30T08:00:00.000Z",
    });
    const read = await readSnapshot("id", stateFor(s3, etag), { s3: s3.client });
    expect(read.props?.fetchedAt).toBe("2026-11-30T10:00:00.000Z");
  });

  it("takes the object's own fetch time and checksum when it was rewritten outside the stack", async () => {
    await put("[2]", { sha256: "b".repeat(64), "fetched-at": "2026-11-30T09:00:00.000Z" });
    const read = await readSnapshot("id", stateFor(s3, '"stale"'), { s3: s3.client });
    expect(read.props).toMatchObject({
      fetchedAt: "2026-11-30T09:00:00.000Z",
      sha256: "b".repeat(64),
    });
  });
});

describe("diffSnapshot and maxAge", () => {
  const now = Date.parse("2026-11-30T12:00:00.000Z");
  it.each<[string, string | undefined, boolean]>([
    ["2026-11-30T10:59:59.000Z", "PT1H", true],
    ["2026-11-30T11:30:00.000Z", "PT1H", false],
    ["2026-11-29T12:00:00.000Z", undefined, false],
  ])("a snapshot fetched at %s with maxAge %s is stale: %s", (fetchedAt, maxAge, stale) => {
    expect(isStale(fetchedAt, maxAge, now)).toBe(stale);
  });

  it("refetches a stale snapshot as an update, not a replacement", () => {
    const inputs = {
      name: "g",
      bucket: "b",
      key: "k",
      endpoint: "global",
      params: {},
      plan: "public" as const,
      schemaVersion: 1,
      maxAge: "PT1H",
    };
    const diff = diffSnapshot({ ...inputs, fetchedAt: "2026-11-30T10:00:00.000Z" }, inputs, now);
    expect(diff).toMatchObject({ changes: true, replaces: [], detailedDiff: { maxAge: "update" } });
    const fresh = diffSnapshot({ ...inputs, fetchedAt: "2026-11-30T11:30:00.000Z" }, inputs, now);
    expect(fresh.changes).toBe(false);
  });
});

describe("a replacement at the same bucket and key (a renamed resource)", () => {
  let s3: EmbeddedS3;
  let fake: FakeCoingecko;
  beforeAll(async () => {
    s3 = await startS3Server([BUCKET]);
    fake = await startFakeCoingecko();
  });
  afterAll(async () => {
    await fake.stop();
    await s3.stop();
  });

  function inputs(name: string, adopt = false): SnapshotInputs {
    return {
      name,
      endpoint: "coins/markets",
      params: { vs_currency: "usd", per_page: 5 },
      key: "renamed.json",
      bucket: BUCKET,
      s3Endpoint: s3.endpoint,
      s3ForcePathStyle: true,
      plan: "public",
      baseUrl: fake.baseUrl,
      schemaVersion: 1,
      adopt,
    };
  }

  it("refuses to take the old resource's object silently, and with adopt writes a version of its own", async () => {
    const old = await createSnapshot(inputs("before"), { s3: s3.client, retry: FAST_RETRY });
    await expect(
      createSnapshot(inputs("after"), { s3: s3.client, retry: FAST_RETRY }),
    ).rejects.toMatchObject({ kind: "conflict" });
    const replacement = await createSnapshot(inputs("after", true), {
      s3: s3.client,
      retry: FAST_RETRY,
    });
    expect(replacement.outs.unchanged).toBe(false);

    // Pulumi deletes the old resource after creating its replacement: the object must survive.
    expect(await deleteSnapshotObject(old.outs, { s3: s3.client })).toBe("kept");
    const stored = await readObject(s3.client, BUCKET, "renamed.json");
    expect(stored?.metadata["fetched-at"]).toBe(replacement.outs.fetchedAt);

    // The replacement's own delete removes it.
    expect(await deleteSnapshotObject(replacement.outs, { s3: s3.client })).toBe("deleted");
    expect(await readObject(s3.client, BUCKET, "renamed.json")).toBeUndefined();
  });

  it("treats a new region or S3 endpoint as an update of the same object, never a replacement", () => {
    const before = { ...inputs("x"), fetchedAt: "2026-11-30T10:00:00.000Z" };
    for (const change of [{ region: "eu-west-1" }, { s3Endpoint: "http://127.0.0.1:1" }]) {
      const diff = diffSnapshot(before, { ...inputs("x"), ...change }, Date.now());
      expect(diff).toMatchObject({ changes: true, replaces: [] });
    }
  });
});
