import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  createSnapshot,
  deleteSnapshotObject,
  diffSnapshot,
  readSnapshot,
  SNAPSHOT_SCHEMA_VERSION,
  toSpec,
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

describe("readSnapshot drift", () => {
  let s3: EmbeddedS3;
  beforeAll(async () => {
    s3 = await startS3Server([BUCKET]);
  });
  afterAll(() => s3.stop());

  it("marks another object at the key as drift and keeps the mark through later refreshes", async () => {
    const ours = await s3.client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "m.json", Body: "[1]" }),
    );
    const state = stateFor(s3, ours.ETag!);
    const clean = await readSnapshot("id", state, { s3: s3.client });
    expect(clean.props).not.toHaveProperty("drifted");

    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "m.json", Body: "[2]" }));
    const first = await readSnapshot("id", state, { s3: s3.client });
    expect(first.props).toMatchObject({ drifted: true, bytes: 3 });
    expect(first.props?.etag).not.toBe(state.etag);

    // The state now holds the foreign ETag: only the mark says it is not the stack's data.
    const second = await readSnapshot("id", first.props!, { s3: s3.client });
    expect(second.props).toMatchObject({ drifted: true, etag: first.props?.etag });
  });
});

/** Every input a Snapshot takes, each set, so a test can see which of them a step reads. */
const EVERY_INPUT: Required<SnapshotInputs> = {
  name: "m",
  endpoint: "coins/markets",
  params: { vs_currency: "usd" },
  pages: 2,
  key: "m.json",
  maxAge: "PT1H",
  minItems: 1,
  maxBytes: 1_000_000,
  requiredFields: ["id"],
  gzip: false,
  cacheControl: "max-age=60",
  tags: { team: "data" },
  bucket: BUCKET,
  region: "us-east-1",
  s3Endpoint: "http://127.0.0.1:4569",
  s3ForcePathStyle: true,
  encryption: { algorithm: "AES256" },
  plan: "demo",
  baseUrl: "https://api.coingecko.com/api/v3",
  callsPerMinute: 30,
  timeoutSeconds: 30,
  apiKey: "CG-key",
  refresh: "1",
  adopt: false,
  maxAgePeriod: "2026-11-30T10:00:00.000Z",
  schemaVersion: SNAPSHOT_SCHEMA_VERSION,
};

function outputsOf(inputs: SnapshotInputs): SnapshotOutputs {
  const { apiKey: _apiKey, ...echoed } = inputs;
  return {
    ...echoed,
    s3Uri: `s3://${inputs.bucket}/${inputs.key}`,
    etag: '"e"',
    versionId: "v1",
    writeId: "w1",
    sha256: "a".repeat(64),
    bytes: 3,
    itemCount: 1,
    fetchedAt: "2026-11-30T10:00:00.000Z",
    sourceUrl: "https://api.coingecko.com/api/v3/coins/markets?vs_currency=usd",
    unchanged: false,
  };
}

/**
 * The input names `step` reads from the state before its first S3 request: what it uses to reach
 * the bucket and pick the object. Reads after that (read copies the whole state into its answer)
 * are not how it reaches S3.
 */
async function inputsReadBeforeS3(
  step: (props: SnapshotOutputs, s3: S3Client) => Promise<unknown>,
): Promise<string[]> {
  const read = new Set<string>();
  let recording = true;
  const props = new Proxy(outputsOf(EVERY_INPUT), {
    get(target, property, receiver) {
      if (recording && typeof property === "string") {
        read.add(property);
      }
      return Reflect.get(target, property, receiver);
    },
  });
  const s3 = {
    async send(command: { constructor: { name: string } }) {
      recording = false;
      return command.constructor.name === "HeadObjectCommand"
        ? { ETag: '"e"', VersionId: "v1", ContentLength: 3, Metadata: { "write-id": "w1" } }
        : {};
    },
    destroy() {},
  } as unknown as S3Client;
  await step(props, s3);
  return [...read].filter((name) => name in EVERY_INPUT).sort();
}

describe("toSpec: what create and update hand the engine", () => {
  it("carries every fetch setting of the resource, timeoutSeconds included, and nothing else", () => {
    // The engine's SnapshotSpec fields; a field missing here would be dropped under `pulumi up`.
    const fetchSettings = [
      ...["name", "endpoint", "params", "pages", "key", "maxAge", "minItems", "maxBytes"],
      ...["requiredFields", "gzip", "cacheControl", "tags", "timeoutSeconds"],
    ] as const;
    const inputs = { ...EVERY_INPUT, timeoutSeconds: 120 };
    expect(toSpec(inputs)).toEqual(
      Object.fromEntries(fetchSettings.map((field) => [field, inputs[field]])),
    );
  });
});

describe("inputs that read and delete use to reach the object", () => {
  // Refresh and destroy run on the stored state alone, so each such input must make a deploy
  // update the state when it changes (issue 11, item 4: s3ForcePathStyle was not tracked).
  const consumed = Promise.all([
    inputsReadBeforeS3((props, s3) => readSnapshot("id", props, { s3 })),
    inputsReadBeforeS3((props, s3) => deleteSnapshotObject(props, { s3 })),
  ]);

  it("are the bucket, key and how S3 is reached", async () => {
    const [read, del] = await consumed;
    const where = ["bucket", "encryption", "key", "region", "s3Endpoint", "s3ForcePathStyle"];
    expect(read).toEqual(where);
    expect(del).toEqual(where);
  });

  it("each make a deploy update the state when they change", async () => {
    const [read, del] = await consumed;
    const olds = outputsOf(EVERY_INPUT);
    for (const name of new Set([...read, ...del])) {
      const news = { ...EVERY_INPUT, [name]: changed(EVERY_INPUT[name as keyof SnapshotInputs]) };
      expect([name, diffSnapshot(olds, news).changes]).toEqual([name, true]);
    }
    // The baseline itself is clean, so each change above is what made the difference.
    expect(diffSnapshot(olds, EVERY_INPUT).changes).toBe(false);
  });
});

function changed(value: unknown): unknown {
  if (typeof value === "boolean") {
    return !value;
  }
  if (typeof value === "number") {
    return value + 1;
  }
  if (typeof value === "string") {
    return `${value}-changed`;
  }
  if (Array.isArray(value)) {
    return [...value, "changed"];
  }
  return { ...(value as object), kmsKeyId: "changed" };
}

describe("diffSnapshot", () => {
  const inputs: SnapshotInputs = {
    name: "g",
    bucket: "b",
    key: "k",
    endpoint: "global",
    params: {},
    plan: "public",
    schemaVersion: 1,
    maxAge: "PT1H",
    maxAgePeriod: "2026-11-30T10:00:00.000Z",
  };
  const state = { ...inputs, fetchedAt: "2026-11-30T10:00:00.000Z" };

  it("refetches in a later maxAge period as an update, not a replacement", () => {
    const later = { ...inputs, maxAgePeriod: "2026-11-30T11:00:00.000Z" };
    expect(diffSnapshot(state, later)).toMatchObject({
      changes: true,
      replaces: [],
      detailedDiff: { maxAgePeriod: "update" },
    });
  });

  it("reports no change in the same period, whatever the stored data's age", () => {
    expect(diffSnapshot({ ...state, fetchedAt: "2020-01-01T00:00:00.000Z" }, inputs).changes).toBe(
      false,
    );
  });

  it("reports drift found by a refresh as an update", () => {
    expect(diffSnapshot({ ...state, drifted: true }, inputs)).toMatchObject({
      changes: true,
      replaces: [],
      detailedDiff: { drifted: "update" },
    });
  });

  it("updates state written before maxAgePeriod existed once", () => {
    const { maxAgePeriod: _period, ...before } = state;
    expect(diffSnapshot(before, inputs).changes).toBe(true);
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
      const diff = diffSnapshot(before, { ...inputs("x"), ...change });
      expect(diff).toMatchObject({ changes: true, replaces: [] });
    }
  });
});
