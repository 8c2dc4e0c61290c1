import { PutObjectCommand } from "@aws-sdk/client-s3";
import { gunzipSync } from "node:zlib";
import {
  createS3Client,
  deleteSnapshot,
  headSnapshot,
  runSnapshot,
  SnapshotError,
  USER_AGENT,
} from "@api-s3-load/snapshot-engine";
import type { S3Target, SnapshotSpec, SourceConfig } from "@api-s3-load/snapshot-engine";
import { marketsItem, startFakeCoingecko } from "../helpers/fakeCoingecko";
import type { FakeCoingecko } from "../helpers/fakeCoingecko";
import { startFaultProxy } from "../helpers/faultProxy";
import type { FaultProxy } from "../helpers/faultProxy";
import { startS3Server } from "../helpers/s3Server";
import type { EmbeddedS3 } from "../helpers/s3Server";
import { CANARY_KEY, FAST_RETRY, readObject, useS3rverCredentials } from "./engineHarness";

const BUCKET = "snapshots";

describe("runSnapshot writes exactly what it fetched, once, and never clobbers", () => {
  let api: FakeCoingecko;
  let s3: EmbeddedS3;
  let proxy: FaultProxy;
  let target: S3Target;
  let source: SourceConfig;
  let restoreCredentials: () => void;
  let keyCounter = 0;

  const spec = (overrides: Partial<SnapshotSpec> = {}): SnapshotSpec => ({
    name: "coins-markets",
    endpoint: "coins/markets",
    params: { vs_currency: "usd", per_page: 5 },
    key: `coingecko/run-${(keyCounter += 1)}.json`,
    ...overrides,
  });
  const options = () => ({
    s3: createS3Client(target, { maxAttempts: 2 }),
    retry: FAST_RETRY,
    rateWindowMs: 1000,
  });

  beforeAll(async () => {
    restoreCredentials = useS3rverCredentials();
    [api, s3] = await Promise.all([startFakeCoingecko(), startS3Server([BUCKET])]);
    proxy = await startFaultProxy(s3.endpoint);
    target = { bucket: BUCKET, endpoint: proxy.endpoint, forcePathStyle: true };
    source = { plan: "demo", apiKey: CANARY_KEY, baseUrl: api.baseUrl };
  });
  beforeEach(() => {
    api.reset();
    proxy.reset();
  });
  afterAll(async () => {
    await Promise.all([api.stop(), proxy.stop()]);
    await s3.stop();
    restoreCredentials();
  });

  it("stores 2-space pretty JSON with a trailing newline and the sha256 of those exact bytes", async () => {
    const s = spec();
    const result = await runSnapshot(s, source, target, options());
    const stored = await readObject(s3.client, BUCKET, s.key);
    const expected = `${JSON.stringify(
      Array.from({ length: 5 }, (_, i) => marketsItem(i)),
      null,
      2,
    )}\n`;
    expect(stored?.body.toString("utf8")).toBe(expected);
    expect(result).toMatchObject({
      bucket: BUCKET,
      key: s.key,
      s3Uri: `s3://${BUCKET}/${s.key}`,
      bytes: Buffer.byteLength(expected),
      itemCount: 5,
      unchanged: false,
      requests: 1,
      sourceUrl: `${api.baseUrl}/coins/markets?per_page=5&vs_currency=usd`,
    });
    expect(result.sha256).toBe(
      require("node:crypto").createHash("sha256").update(expected).digest("hex"),
    );
    expect(stored?.contentType).toBe("application/json");
    expect(stored?.metadata).toEqual({
      sha256: result.sha256,
      "fetched-at": result.fetchedAt,
      source: result.sourceUrl,
      "item-count": "5",
      "write-id": result.writeId,
    });
    expect(result.writeId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("stores a list of over 1 MB byte for byte as JSON.stringify, gzip-encoded on the wire or not", async () => {
    // Large enough for several parse and format batches (issue 11: the list stays bytes).
    const big = await startFakeCoingecko({ catalogue: 20_000 });
    try {
      const expected = `${JSON.stringify(
        Array.from({ length: 20_000 }, (_, i) => ({
          id: `coin-${i + 1}`,
          symbol: `c${i + 1}`,
          name: `Coin ${i + 1}`,
        })),
        null,
        2,
      )}\n`;
      const sha256 = require("node:crypto").createHash("sha256").update(expected).digest("hex");
      for (const gzip of [false, true]) {
        big.setOptions({ gzip });
        const s = spec({ endpoint: "coins/list", params: {} });
        const result = await runSnapshot(s, { ...source, baseUrl: big.baseUrl }, target, options());
        const stored = await readObject(s3.client, BUCKET, s.key);
        expect(stored?.body.toString("utf8")).toBe(expected);
        expect(result).toMatchObject({ sha256, itemCount: 20_000, bytes: expected.length });
      }
    } finally {
      await big.stop();
    }
  });

  it("sends a verified SHA-256 checksum, If-None-Match on create, SSE and Cache-Control", async () => {
    const s = spec({
      cacheControl: "max-age=60",
      tags: { team: "data", "data-source": "coingecko" },
    });
    const result = await runSnapshot(
      s,
      source,
      { ...target, encryption: { algorithm: "AES256" } },
      options(),
    );
    const put = proxy.requests.find((r) => r.method === "PUT");
    expect(put?.checksumValid).toBe(true);
    expect(put?.headers["x-amz-checksum-sha256"]).toBe(
      Buffer.from(result.sha256, "hex").toString("base64"),
    );
    expect(put?.headers).toMatchObject({
      "if-none-match": "*",
      "content-type": "application/json",
      "cache-control": "max-age=60",
      "x-amz-server-side-encryption": "AES256",
      "x-amz-tagging": "team=data&data-source=coingecko",
    });
  });

  it("signs the PUT with the SHA-256 of the bytes it sends, gzip or not (S3 checks x-amz-content-sha256)", async () => {
    for (const gzip of [false, true]) {
      proxy.reset();
      const result = await runSnapshot(spec({ gzip }), source, target, options());
      const put = proxy.requests.find((r) => r.method === "PUT");
      // The proxy, like S3, answers XAmzContentSHA256Mismatch when the hash is not the body's.
      expect(put?.payloadHashValid).toBe(true);
      expect(put?.headers["x-amz-content-sha256"]).toBe(result.sha256);
    }
  });

  it("sends the KMS key id with aws:kms encryption", async () => {
    const kms = {
      algorithm: "aws:kms" as const,
      kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/abc",
    };
    await runSnapshot(spec(), source, { ...target, encryption: kms }, options());
    expect(proxy.requests.find((r) => r.method === "PUT")?.headers).toMatchObject({
      "x-amz-server-side-encryption": "aws:kms",
      "x-amz-server-side-encryption-aws-kms-key-id": kms.kmsKeyId,
    });
  });

  it("stores a gzip-encoded object whose sha256 covers the compressed bytes", async () => {
    const s = spec({ gzip: true });
    const result = await runSnapshot(s, source, target, options());
    const stored = await readObject(s3.client, BUCKET, s.key);
    expect(proxy.requests.find((r) => r.method === "PUT")?.headers["content-encoding"]).toBe(
      "gzip",
    );
    expect(stored?.metadata.encoding).toBe("gzip");
    expect(require("node:crypto").createHash("sha256").update(stored!.body).digest("hex")).toBe(
      result.sha256,
    );
    expect(JSON.parse(gunzipSync(stored!.body).toString("utf8"))).toHaveLength(5);
  });

  it("writes nothing when the payload is unchanged and returns the stored ETag", async () => {
    const s = spec();
    const first = await runSnapshot(s, source, target, options());
    proxy.reset();
    const second = await runSnapshot(s, source, target, {
      ...options(),
      previous: { etag: first.etag, sha256: first.sha256 },
    });
    expect(second).toMatchObject({ unchanged: true, etag: first.etag, sha256: first.sha256 });
    expect(proxy.count("PUT")).toBe(0);
  });

  it("updates with If-Match on the previous ETag when the payload changed", async () => {
    const s = spec();
    const first = await runSnapshot(s, source, target, options());
    proxy.reset();
    const second = await runSnapshot(
      { ...s, params: { vs_currency: "usd", per_page: 6 } },
      source,
      target,
      {
        ...options(),
        previous: { etag: first.etag, sha256: first.sha256 },
      },
    );
    expect(second).toMatchObject({ unchanged: false, itemCount: 6 });
    expect(proxy.requests.find((r) => r.method === "PUT")?.headers["if-match"]).toBe(first.etag);
    expect((await headSnapshot(target, s.key, { s3: s3.client }))?.sha256).toBe(second.sha256);
  });

  it("refuses to overwrite an object it did not write, unless adopt is set", async () => {
    const s = spec();
    await s3.client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: s.key, Body: "someone else's\n" }),
    );
    const attempt = runSnapshot(s, source, target, options());
    await expect(attempt).rejects.toMatchObject({
      kind: "conflict",
      message: expect.stringContaining("an object this stack did not write already exists"),
    });
    expect((await readObject(s3.client, BUCKET, s.key))?.body.toString()).toBe("someone else's\n");

    const foreign = await headSnapshot(target, s.key, { s3: s3.client });
    proxy.reset();
    const adopted = await runSnapshot(s, source, target, { ...options(), adopt: true });
    expect(adopted.unchanged).toBe(false);
    expect(proxy.requests.find((r) => r.method === "PUT")?.headers["if-match"]).toBe(foreign?.etag);
  });

  it("refuses an update when the object was changed outside the stack", async () => {
    const s = spec();
    const first = await runSnapshot(s, source, target, options());
    await s3.client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: s.key, Body: "edited by hand\n" }),
    );
    await expect(
      runSnapshot({ ...s, params: { vs_currency: "usd", per_page: 7 } }, source, target, {
        ...options(),
        previous: { etag: first.etag, sha256: first.sha256 },
      }),
    ).rejects.toMatchObject({
      kind: "conflict",
      message: expect.stringContaining("was changed outside the stack"),
    });
    expect((await readObject(s3.client, BUCKET, s.key))?.body.toString()).toBe("edited by hand\n");
  });

  it("refuses an update when the object was deleted outside the stack", async () => {
    const s = spec();
    const first = await runSnapshot(s, source, target, options());
    await deleteSnapshot(target, s.key, { s3: s3.client });
    await expect(
      runSnapshot(s, source, target, {
        ...options(),
        previous: { etag: first.etag, sha256: first.sha256 },
      }),
    ).rejects.toMatchObject({
      kind: "conflict",
      message: expect.stringContaining("was deleted outside the stack"),
    });
    expect(await headSnapshot(target, s.key, { s3: s3.client })).toBeUndefined();
  });

  it("sends the key only in the plan's header, with the project's User-Agent", async () => {
    await runSnapshot(spec(), source, target, options());
    await runSnapshot(
      spec(),
      { plan: "pro", apiKey: CANARY_KEY, baseUrl: api.baseUrl },
      target,
      options(),
    );
    await runSnapshot(spec(), { plan: "public", baseUrl: api.baseUrl }, target, options());
    const [demo, pro, keyless] = api.requests;
    expect(demo.headers).toMatchObject({
      "x-cg-demo-api-key": CANARY_KEY,
      "user-agent": USER_AGENT,
    });
    expect(demo.headers["x-cg-pro-api-key"]).toBeUndefined();
    expect(pro.headers).toMatchObject({ "x-cg-pro-api-key": CANARY_KEY });
    expect(pro.headers["x-cg-demo-api-key"]).toBeUndefined();
    expect(Object.values(keyless.headers)).not.toContain(CANARY_KEY);
    expect(api.requests.map((r) => r.url).join(" ")).not.toContain(CANARY_KEY);
  });

  it("follows a redirect on the API host, still with the key", async () => {
    api.pushFault({
      kind: "redirect",
      location: "/api/v3/coins/markets?per_page=5&vs_currency=usd&moved=1",
      times: 1,
    });
    const result = await runSnapshot(spec(), source, target, options());
    expect(result.itemCount).toBe(5);
    expect(api.requests.map((r) => r.headers["x-cg-demo-api-key"])).toEqual([
      CANARY_KEY,
      CANARY_KEY,
    ]);
  });

  it("rejects items missing requiredFields and names them", async () => {
    const s = spec({ requiredFields: ["id", "roi.times"] });
    await expect(runSnapshot(s, source, target, options())).rejects.toMatchObject({
      kind: "invalid-payload",
      message: expect.stringContaining("item 0 lacks roi.times"),
    });
    expect(await headSnapshot(target, s.key, { s3: s3.client })).toBeUndefined();
  });

  it("fails fast on invalid inputs with every reason, naming the fix", async () => {
    const attempt = runSnapshot(
      { name: "Bad Name", endpoint: "/coins/markets", params: {}, key: "k" },
      { plan: "demo", baseUrl: api.baseUrl },
      target,
      options(),
    );
    await expect(attempt).rejects.toThrow(SnapshotError);
    await expect(attempt).rejects.toMatchObject({
      kind: "misconfigured",
      message: expect.stringMatching(
        /`name` must be.*`endpoint` "\/coins\/markets" must be.*`apiKey` is required/,
      ),
    });
    expect(api.requests).toHaveLength(0);
  });

  it("headSnapshot reads our metadata and deleteSnapshot removes the object (idempotently)", async () => {
    const s = spec();
    const result = await runSnapshot(s, source, target, options());
    expect(await headSnapshot(target, s.key, { s3: s3.client })).toMatchObject({
      etag: result.etag,
      sha256: result.sha256,
      bytes: result.bytes,
      fetchedAt: result.fetchedAt,
      source: result.sourceUrl,
      contentType: "application/json",
    });
    await deleteSnapshot(target, s.key, { s3: s3.client });
    await deleteSnapshot(target, s.key, { s3: s3.client });
    expect(await headSnapshot(target, s.key, { s3: s3.client })).toBeUndefined();
  });
});
