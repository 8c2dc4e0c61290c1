/**
 * The Snapshot's whole lifecycle through Pulumi's own dynamic-provider host, with the provider string
 * a mocked run of the program serialized, against s3rver (behind the fault proxy, which counts S3
 * calls and verifies checksums) and the fake CoinGecko. The steps share one resource's state, in the
 * order the engine would drive it: preview (check, diff), create, update, refresh, delete.
 */
import { createHash } from "node:crypto";
import { DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import {
  type CreateResult,
  type DynamicProviderHost,
  type HostProps,
  type ResourceState,
  UNKNOWN,
  startDynamicProviderHost,
} from "../helpers/dynamicProviderHost";
import { startFakeCoingecko, type FakeCoingecko } from "../helpers/fakeCoingecko";
import { startFaultProxy, type FaultProxy } from "../helpers/faultProxy";
import { startS3Server, type EmbeddedS3 } from "../helpers/s3Server";
import {
  BUCKET,
  CANARY_ACCESS_KEY_ID,
  CANARY_API_KEY,
  CANARY_SECRET_ACCESS_KEY,
  HOST_AWS_ENV,
  type RecordedSnapshot,
  expectedMarketsBytes,
  getObject,
  localInputs,
  objectExists,
  recordSnapshot,
} from "./snapshotFixture";

const KEY = "coingecko/coins-markets.json";
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

let fake: FakeCoingecko;
let s3: EmbeddedS3;
let proxy: FaultProxy;
let host: DynamicProviderHost;
let recorded: RecordedSnapshot;
/** The inputs as `check` returned them, which is what the engine passes on to diff/create/update. */
let news: HostProps;
/** The state after the last create/update, as the engine stores it. */
let state: CreateResult;

beforeAll(async () => {
  fake = await startFakeCoingecko();
  s3 = await startS3Server([BUCKET]);
  proxy = await startFaultProxy(s3.endpoint);
  recorded = await recordSnapshot(fake.baseUrl);
  host = await startDynamicProviderHost({ env: HOST_AWS_ENV });
});

afterAll(async () => {
  await host?.stop();
  await proxy?.stop();
  await s3?.stop();
  await fake?.stop();
});

/** Runs `action` and asserts it reached neither the API nor S3. */
async function withoutNetwork<T>(action: () => Promise<T>): Promise<T> {
  const api = fake.requests.length;
  const storage = proxy.requests.length;
  const result = await action();
  expect(fake.requests.slice(api).map((r) => r.url)).toEqual([]);
  expect(proxy.requests.slice(storage).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  return result;
}

/** Fails when a canary secret or the host's AWS credentials appear anywhere in `value`. */
function expectNoSecrets(value: unknown): void {
  const text = JSON.stringify(value);
  for (const secret of [CANARY_API_KEY, CANARY_ACCESS_KEY_ID, CANARY_SECRET_ACCESS_KEY, "S3RVER"]) {
    expect(text).not.toContain(secret);
  }
}

describe("check (preview)", () => {
  const check = (changes: HostProps) =>
    withoutNetwork(() =>
      host.check(recorded.urn, {}, { ...localInputs(recorded, proxy.endpoint), ...changes }),
    );

  it("accepts the program's inputs and returns them, key unwrapped for the provider only", async () => {
    const result = await check({});
    expect(result.failures).toEqual([]);
    expect(result.inputs).toMatchObject({
      bucket: BUCKET,
      key: KEY,
      endpoint: "coins/markets",
      apiKey: CANARY_API_KEY,
    });
    news = result.inputs as HostProps;
  });

  it.each<[string, HostProps, string, string]>([
    [
      "a bucket name with capitals",
      { bucket: "My_Bucket" },
      "bucket",
      '`bucket` must be an S3 bucket name (3–63 lowercase letters, digits, dots or dashes, starting and ending with a letter or digit); got "My_Bucket".',
    ],
    [
      "a bucket name with ..",
      { bucket: "a..b" },
      "bucket",
      '`bucket` must be an S3 bucket name (3–63 lowercase letters, digits, dots or dashes, starting and ending with a letter or digit); got "a..b".',
    ],
    [
      "an empty key",
      { key: "" },
      "key",
      '`key` must be a non-empty S3 object key of at most 1024 bytes, such as "coingecko/coins-markets.json"; got "".',
    ],
    [
      "a key with a leading slash",
      { key: "/coingecko/x.json" },
      "key",
      '`key` "/coingecko/x.json" starts with "/": write it as a plain relative path of non-empty names separated by single "/", such as "coingecko/x.json".',
    ],
    [
      "a key that climbs out of its folder",
      { key: "coingecko/../../outside.json" },
      "key",
      '`key` "coingecko/../../outside.json" has a ".." segment, which file-based tools read as the parent folder: write it as a plain relative path of non-empty names separated by single "/", such as "coingecko/outside.json".',
    ],
    [
      "a key with an empty segment",
      { key: "coingecko//x.json" },
      "key",
      '`key` "coingecko//x.json" has an empty segment ("//"): write it as a plain relative path of non-empty names separated by single "/", such as "coingecko/x.json".',
    ],
    [
      "a key with a leading ./",
      { key: "./coingecko/x.json" },
      "key",
      '`key` "./coingecko/x.json" has a "." segment (such as a leading "./"): write it as a plain relative path of non-empty names separated by single "/", such as "coingecko/x.json".',
    ],
    [
      "a key with a trailing slash",
      { key: "coingecko/" },
      "key",
      '`key` "coingecko/" ends with "/", which names a folder rather than an object: write it as a plain relative path of non-empty names separated by single "/", such as "coingecko".',
    ],
    [
      "a key with a control character",
      { key: "coingecko/x\r.json" },
      "key",
      '`key` "coingecko/x\\r.json" contains the control character U+000D: write it as a plain relative path of non-empty names separated by single "/", such as "coingecko/x.json".',
    ],
    [
      "an endpoint with a scheme and host",
      { endpoint: "https://api.coingecko.com/api/v3/coins/markets" },
      "endpoint",
      '`endpoint` "https://api.coingecko.com/api/v3/coins/markets" must be a path relative to the API root, such as "coins/markets": drop the scheme, host and leading slash (set the host with baseUrl).',
    ],
    [
      "an endpoint with a network-path host",
      { endpoint: "//evil.example/coins" },
      "endpoint",
      '`endpoint` "//evil.example/coins" must be a path relative to the API root, such as "coins/markets": drop the scheme, host and leading slash (set the host with baseUrl).',
    ],
    [
      "an endpoint with ..",
      { endpoint: "coins/../key" },
      "endpoint",
      '`endpoint` "coins/../key" must not contain "?", "#", spaces or "."/".." segments: put query parameters in `params`.',
    ],
    [
      "params that are not a map",
      { params: "vs_currency=usd" },
      "params",
      '`params` must be a map of query parameter names to strings, numbers or booleans, such as {vs_currency: "usd"}.',
    ],
    [
      "a param that is an object",
      { params: { vs_currency: { code: "usd" } } },
      "params.vs_currency",
      '`params.vs_currency` must be a string, number or boolean; got an object. Join lists with commas, such as "bitcoin,ethereum".',
    ],
    [
      "the API key as a param",
      { params: { vs_currency: "usd", x_cg_demo_api_key: "k" } },
      "params.x_cg_demo_api_key",
      "`params.x_cg_demo_api_key` would put the API key in the URL, where it ends up in logs: remove it and set `apiKey` (coingeckoApiKey), which is sent in a header.",
    ],
    [
      "zero pages",
      { pages: 0 },
      "pages",
      "`pages` must be a whole number from 1 to 100; got number 0. Use 1 for endpoints that are not lists.",
    ],
    [
      "101 pages",
      { pages: 101 },
      "pages",
      "`pages` must be a whole number from 1 to 100; got number 101. Use 1 for endpoints that are not lists.",
    ],
    [
      "a maxAge that is not ISO-8601",
      { maxAge: "1h" },
      "maxAge",
      '`maxAge`: Duration "1h" is not an ISO-8601 duration: write it like "PT30M", "PT1H", "P1D" or "P1DT12H".',
    ],
    [
      "a maxAge in months",
      { maxAge: "P1M" },
      "maxAge",
      '`maxAge`: Duration "P1M" uses years or months, whose length varies: write it in days or weeks, such as "P30D".',
    ],
  ])(
    "fails %s on that property with a message that says the fix",
    async (_case, changes, property, reason) => {
      const result = await check(changes);
      expect(result.failures).toEqual([{ property, reason }]);
    },
  );

  it("never echoes the API key in a failure", async () => {
    const result = await check({ apiKey: `${CANARY_API_KEY} with spaces` });
    expect(result.failures.map((f) => f.property)).toEqual(["apiKey"]);
    expectNoSecrets(result.failures);
  });

  it("accepts the unknown sentinel in every input and inside params and lists", async () => {
    const everyInputUnknown = Object.fromEntries(
      Object.keys(localInputs(recorded, proxy.endpoint))
        .filter((k) => k !== "__provider")
        .concat([
          "pages",
          "maxAge",
          "minItems",
          "maxBytes",
          "requiredFields",
          "gzip",
          "cacheControl",
          "refresh",
          "adopt",
        ])
        .map((k) => [k, UNKNOWN]),
    );
    expect((await check(everyInputUnknown)).failures).toEqual([]);
    expect(
      (
        await check({
          bucket: UNKNOWN,
          params: { vs_currency: UNKNOWN, per_page: UNKNOWN },
          requiredFields: [UNKNOWN, "id"],
        })
      ).failures,
    ).toEqual([]);
  });
});

describe("create", () => {
  it("writes exactly the served data, pretty-printed, and returns its checksum without payload or secrets", async () => {
    fake.reset();
    proxy.reset();
    state = await host.create(recorded.urn, news);

    const stored = await getObject(s3.client, KEY);
    const expected = expectedMarketsBytes(1);
    expect(stored.body.equals(expected)).toBe(true);
    expect(state.id).toBe(`s3://${BUCKET}/${KEY}`);
    expect(state.properties).toMatchObject({
      bucket: BUCKET,
      key: KEY,
      s3Uri: `s3://${BUCKET}/${KEY}`,
      sha256: sha256(stored.body),
      bytes: expected.length,
      itemCount: 100,
      unchanged: false,
      sourceUrl: `${fake.baseUrl}/coins/markets?order=market_cap_desc&page=1&per_page=100&vs_currency=usd`,
      schemaVersion: 1,
      __provider: recorded.provider,
    });
    expect(stored.metadata.sha256).toBe(sha256(stored.body));
    expect(String(state.properties.etag).replace(/"/g, "")).toBe(stored.etag.replace(/"/g, ""));
    expect(Date.parse(String(state.properties.fetchedAt))).not.toBeNaN();

    // The key went to the API in the Demo header, and nowhere into state.
    expect(fake.requests.map((r) => r.headers["x-cg-demo-api-key"])).toEqual([CANARY_API_KEY]);
    expect(state.properties).not.toHaveProperty("apiKey");
    expectNoSecrets(state.properties);
    expect(JSON.stringify(state.properties)).not.toContain("coin-1");
    expect(JSON.stringify(state.properties).length).toBeLessThan(recorded.provider.length + 1500);

    // One checksummed PUT that the proxy verified, as S3 would.
    const puts = proxy.requests.filter((r) => r.method === "PUT");
    expect(puts.map((r) => r.checksumValid)).toEqual([true]);
  });
});

describe("diff (preview)", () => {
  const diff = (changes: HostProps, olds: HostProps = {}) =>
    withoutNetwork(() =>
      host.diff(
        state.id,
        recorded.urn,
        { ...(state.properties as HostProps), ...olds },
        { ...news, ...changes },
      ),
    );
  const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600_000).toISOString();

  it.each<[string, "DIFF_NONE" | "DIFF_SOME", string[], HostProps, HostProps]>([
    ["identical inputs", "DIFF_NONE", [], {}, {}],
    [
      "params given in another order, numbers as text",
      "DIFF_NONE",
      [],
      { params: { vs_currency: "usd", per_page: "100", page: "1", order: "market_cap_desc" } },
      {},
    ],
    ["a rotated API key alone", "DIFF_NONE", [], { apiKey: "CG-rotatedKey" }, {}],
    ["a changed client rate limit alone", "DIFF_NONE", [], { callsPerMinute: 10 }, {}],
    ["a new maxAge alone", "DIFF_NONE", [], { maxAge: "PT1H" }, {}],
    [
      "a snapshot days old, in the same maxAge period",
      "DIFF_NONE",
      [],
      { maxAge: "PT1H", maxAgePeriod: "2026-11-30T14:00:00.000Z" },
      { fetchedAt: hoursAgo(48), maxAgePeriod: "2026-11-30T14:00:00.000Z" },
    ],
    ["another bucket", "DIFF_SOME", ["bucket"], { bucket: "other-bucket" }, {}],
    ["a bucket not known yet", "DIFF_SOME", ["bucket"], { bucket: UNKNOWN }, {}],
    ["another key", "DIFF_SOME", ["key"], { key: "coingecko/other.json" }, {}],
    ["another endpoint", "DIFF_SOME", [], { endpoint: "coins/list" }, {}],
    [
      "another param value",
      "DIFF_SOME",
      [],
      { params: { vs_currency: "eur", order: "market_cap_desc", per_page: 100, page: 1 } },
      {},
    ],
    ["more pages", "DIFF_SOME", [], { pages: 2 }, {}],
    ["another plan", "DIFF_SOME", [], { plan: "pro" }, {}],
    ["a new refresh trigger", "DIFF_SOME", [], { refresh: "2026-01-02" }, {}],
    ["a new provider schema version", "DIFF_SOME", [], { schemaVersion: 2 }, {}],
    // State written by a provider that predates the input: its resources update once.
    ["state without a schema version", "DIFF_SOME", [], {}, { schemaVersion: undefined }],
    ["gzip storage", "DIFF_SOME", [], { gzip: true }, {}],
    [
      "a later maxAge period",
      "DIFF_SOME",
      [],
      { maxAge: "PT1H", maxAgePeriod: "2026-11-30T15:00:00.000Z" },
      { maxAgePeriod: "2026-11-30T14:00:00.000Z" },
    ],
    // Refresh and destroy reach S3 with the stored value: a change must reach state.
    ["another S3 addressing style", "DIFF_SOME", [], { s3ForcePathStyle: false }, {}],
    ["drift a refresh found", "DIFF_SOME", [], {}, { drifted: true }],
  ])(
    "for %s answers %s with replaces %j and no network",
    async (_case, changesKind, replaces, changes, olds) => {
      const result = await diff(changes, olds);
      expect(result.changes).toBe(changesKind);
      expect(result.replaces).toEqual(replaces);
      expect(result.deleteBeforeReplace).toBe(false);
    },
  );
});

describe("update", () => {
  it("writes nothing when the refetched data is unchanged and says so", async () => {
    proxy.reset();
    fake.reset();
    const olds = state.properties as HostProps;
    const outs = await host.update(state.id, recorded.urn, olds, { ...news, refresh: "1" });

    expect(fake.count("/coins/markets")).toBe(1);
    expect(proxy.count("PUT")).toBe(0);
    expect(outs).toMatchObject({
      unchanged: true,
      sha256: olds.sha256,
      etag: olds.etag,
      bytes: olds.bytes,
      refresh: "1",
    });
    expectNoSecrets(outs);
    state = { id: state.id, properties: outs };
  });

  it("writes a new object with a new checksum when the served data changed", async () => {
    proxy.reset();
    const before = state.properties;
    // The API now answers the next request for page 1 with other coins (served via a same-host redirect).
    fake.setFault({
      kind: "redirect",
      location: `${fake.baseUrl}/coins/markets?vs_currency=usd&order=market_cap_desc&per_page=100&page=2`,
      match: "/coins/markets",
      times: 1,
    });
    const outs = await host.update(state.id, recorded.urn, before as HostProps, {
      ...news,
      refresh: "2",
    });

    const stored = await getObject(s3.client, KEY);
    expect(stored.body.equals(expectedMarketsBytes(2))).toBe(true);
    expect(outs).toMatchObject({
      unchanged: false,
      sha256: sha256(stored.body),
      bytes: stored.body.length,
      itemCount: 100,
    });
    expect(outs.sha256).not.toBe(before.sha256);
    expect(outs.etag).not.toBe(before.etag);
    expect(proxy.requests.filter((r) => r.method === "PUT").map((r) => r.checksumValid)).toEqual([
      true,
    ]);
    state = { id: state.id, properties: outs };
  });
});

describe("read (refresh)", () => {
  it("returns the same state while nobody touched the object", async () => {
    const result = await host.read(state.id, recorded.urn, state.properties as HostProps);
    expect(result.id).toBe(state.id);
    expect(result.properties).toMatchObject({
      sha256: state.properties.sha256,
      etag: state.properties.etag,
      bytes: state.properties.bytes,
    });
  });

  it("shows an object overwritten outside the stack as drift", async () => {
    const body = Buffer.from('{"overwritten": true}\n');
    await s3.client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: KEY,
        Body: body,
        ContentType: "application/json",
      }),
    );

    const result = await host.read(state.id, recorded.urn, state.properties as HostProps);
    expect(result.id).toBe(state.id);
    expect(result.properties.sha256).not.toBe(state.properties.sha256);
    expect(result.properties.etag).not.toBe(state.properties.etag);
    expect(result.properties.bytes).toBe(body.length);
  });

  it("refuses to overwrite that object on the next update without refresh, and says to set adopt", async () => {
    proxy.reset();
    await expect(
      host.update(state.id, recorded.urn, state.properties as HostProps, { ...news, refresh: "3" }),
    ).rejects.toThrow(
      `Snapshot "coins-markets": s3://${BUCKET}/${KEY} was changed outside the stack since the last deploy (its ETag is no longer the one this stack wrote); nothing was written. Run \`pulumi refresh\` (or \`pulumi up --refresh\`) to record the change, and the next deploy writes the stack's data back; or set adopt: true to take the object over as it is now`,
    );
    expect(proxy.count("PUT")).toBe(0);
  });

  it("takes the object back when the retried update sets adopt", async () => {
    const outs = await host.update(state.id, recorded.urn, state.properties as HostProps, {
      ...news,
      refresh: "3",
      adopt: true,
    });
    const stored = await getObject(s3.client, KEY);
    expect(stored.body.equals(expectedMarketsBytes(1))).toBe(true);
    expect(outs).toMatchObject({ unchanged: false, sha256: sha256(stored.body) });
    state = { id: state.id, properties: outs };
  });
});

describe("pulumi refresh as the engine runs it (read, then diff), and the next up", () => {
  const PERIOD = "2026-11-30T14:00:00.000Z";
  /** The inputs a program run registers inside one `maxAge` period, as `check` returns them. */
  const program = (period = PERIOD): HostProps => ({
    ...news,
    maxAge: "PT1H",
    maxAgePeriod: period,
  });
  let current: ResourceState;

  beforeAll(async () => {
    const outputs = await host.update(
      state.id,
      recorded.urn,
      state.properties as HostProps,
      program(),
    );
    current = { inputs: program(), outputs: outputs as HostProps };
  });

  it("reports an untouched object as unchanged, however old its data", async () => {
    // Fetched two days ago, with maxAge PT1H: age alone is not drift.
    const aged = {
      ...current.outputs,
      fetchedAt: new Date(Date.now() - 48 * 3600_000).toISOString(),
    };
    const result = await host.refresh(state.id, recorded.urn, { ...current, outputs: aged });
    expect(result.read.id).toBe(state.id);
    expect(result.diff).toMatchObject({ changes: "DIFF_NONE", replaces: [] });
  });

  it("still refetches on the next up once the maxAge period has passed", async () => {
    fake.reset();
    const later = program("2026-11-30T15:00:00.000Z");
    const diff = await host.diff(state.id, recorded.urn, current.outputs, later);
    expect(diff).toMatchObject({ changes: "DIFF_SOME", replaces: [] });
    const outputs = await host.update(state.id, recorded.urn, current.outputs, later);
    expect(fake.count("/coins/markets")).toBe(1);
    expect(outputs).toMatchObject({ unchanged: true, maxAgePeriod: "2026-11-30T15:00:00.000Z" });
    // Back to the period the other tests deploy in.
    current = {
      inputs: program(),
      outputs: (await host.update(
        state.id,
        recorded.urn,
        outputs as HostProps,
        program(),
      )) as HostProps,
    };
  });

  it("shows an object changed outside the stack as drift until the next up restores the stack's data", async () => {
    const foreign = Buffer.from('{"overwritten": true}\n');
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: foreign }));

    const first = await host.refresh(state.id, recorded.urn, current);
    expect(first.diff).toMatchObject({ changes: "DIFF_SOME", replaces: [] });
    expect(first.read.properties).toMatchObject({ drifted: true, bytes: foreign.length });
    // A second refresh still sees it: the state now holds the foreign ETag, not the stack's data.
    const second = await host.refresh(state.id, recorded.urn, first.state!);
    expect(second.diff).toMatchObject({ changes: "DIFF_SOME", replaces: [] });

    // The next up: the preview says update, and the update writes the stack's data back.
    proxy.reset();
    const refreshed = second.state!;
    const checked = await host.check(recorded.urn, refreshed.inputs, program());
    const diff = await host.diff(
      state.id,
      recorded.urn,
      refreshed.outputs,
      checked.inputs as HostProps,
    );
    expect(diff).toMatchObject({ changes: "DIFF_SOME", replaces: [] });
    const outputs = await host.update(
      state.id,
      recorded.urn,
      refreshed.outputs,
      checked.inputs as HostProps,
    );
    const stored = await getObject(s3.client, KEY);
    expect(stored.body.equals(expectedMarketsBytes(1))).toBe(true);
    expect(outputs).toMatchObject({ unchanged: false, sha256: sha256(stored.body) });
    expect(outputs).not.toHaveProperty("drifted");
    expect(proxy.count("PUT")).toBe(1);

    // Restored: refresh is clean again, and so is the following preview.
    const restored: ResourceState = {
      inputs: checked.inputs as HostProps,
      outputs: outputs as HostProps,
    };
    const after = await host.refresh(state.id, recorded.urn, restored);
    expect(after.diff).toMatchObject({ changes: "DIFF_NONE" });
    expect((await host.diff(state.id, recorded.urn, after.state!.outputs, program())).changes).toBe(
      "DIFF_NONE",
    );
    state = { id: state.id, properties: outputs };
  });

  it("drops an object deleted outside the stack without a diff", async () => {
    const created = await host.create(recorded.urn, { ...news, key: "coingecko/gone.json" });
    await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "coingecko/gone.json" }));
    const result = await host.refresh(created.id, recorded.urn, {
      inputs: { ...news, key: "coingecko/gone.json" },
      outputs: created.properties as HostProps,
    });
    expect(result).toEqual({ read: expect.objectContaining({ id: "" }) });
  });
});

describe("delete", () => {
  it("deletes the object", async () => {
    expect(await objectExists(s3.client, KEY)).toBe(true);
    await host.delete(state.id, recorded.urn, state.properties as HostProps);
    expect(await objectExists(s3.client, KEY)).toBe(false);
  });

  it("after an out-of-band delete, read reports the resource gone and delete still succeeds", async () => {
    const created = await host.create(recorded.urn, news);
    await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY }));

    const result = await host.read(created.id, recorded.urn, created.properties as HostProps);
    expect(result.id).toBe("");
    await expect(
      host.delete(created.id, recorded.urn, created.properties as HostProps),
    ).resolves.toBeUndefined();
  });
});
