import { PutObjectCommand } from "@aws-sdk/client-s3";
import {
  diffSnapshot,
  isStale,
  readSnapshot,
  type SnapshotOutputs,
} from "@api-s3-load/snapshot-engine";
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
