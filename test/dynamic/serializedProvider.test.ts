/**
 * The provider Pulumi stores in every Snapshot's state: `refresh` and `destroy` run this stored text,
 * not the current code, so it must stay small, hold no secret and reach code by package name only.
 * And a preview of the whole program must not touch the API or S3.
 */
import { startFakeCoingecko, type FakeCoingecko } from "../helpers/fakeCoingecko";
import { startFaultProxy, type FaultProxy } from "../helpers/faultProxy";
import { PROJECT_ROOT } from "../helpers/pulumiHost";
import {
  CANARY_ACCESS_KEY_ID,
  CANARY_API_KEY,
  CANARY_SECRET_ACCESS_KEY,
  type RecordedSnapshot,
  recordSnapshot,
} from "./snapshotFixture";

/** The budget docs/lifecycle.md states; the provider measured 2,428 bytes when it was set. */
const PROVIDER_BUDGET_BYTES = 4096;

let fake: FakeCoingecko;
let proxy: FaultProxy;
let recorded: RecordedSnapshot;

beforeAll(async () => {
  fake = await startFakeCoingecko();
  // Nothing listens behind it: any S3 call during a preview would show up here (and fail).
  proxy = await startFaultProxy("http://127.0.0.1:9");
  recorded = await recordSnapshot(fake.baseUrl);
});

afterAll(async () => {
  await proxy?.stop();
  await fake?.stop();
});

describe("the serialized Snapshot provider", () => {
  it(`fits in ${PROVIDER_BUDGET_BYTES} bytes`, () => {
    expect(Buffer.byteLength(recorded.provider)).toBeLessThan(PROVIDER_BUDGET_BYTES);
  });

  it("holds neither the canary API key nor the canary AWS credentials of the process that serialized it", () => {
    for (const secret of [CANARY_API_KEY, CANARY_ACCESS_KEY_ID, CANARY_SECRET_ACCESS_KEY]) {
      expect(recorded.provider).not.toContain(secret);
    }
  });

  it("holds no absolute path of the checkout and requires code by package name only", () => {
    expect(recorded.provider).not.toContain(PROJECT_ROOT);
    expect(recorded.provider).not.toContain("/work/main");
    expect(recorded.provider).not.toContain("node_modules");
    const required = new Set(
      [...recorded.provider.matchAll(/require\(\s*(["'`])(.*?)\1\s*\)/g)].map((m) => m[2]),
    );
    expect([...required]).toEqual(["@api-s3-load/snapshot-engine"]);
  });

  it("captures nothing but its six methods: no clients, config or module objects", () => {
    const captured = [...recorded.provider.matchAll(/with\(\{([^}]*)\}\)/g)].map((m) =>
      m[1].trim(),
    );
    expect(new Set(captured)).toEqual(
      new Set([
        "this: undefined, arguments: undefined",
        "provider: __provider, this: undefined, arguments: undefined",
      ]),
    );
    expect(recorded.provider).toContain(
      "var __provider = {check: __f1, diff: __f2, create: __f3, update: __f4, read: __f5, delete: __f6};",
    );
  });

  it("keeps the API key a secret input, out of the provider", () => {
    expect(recorded.inputs.apiKey).toEqual({
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      value: CANARY_API_KEY,
    });
  });
});

describe("a preview of the whole program under mocks", () => {
  it("makes zero HTTP requests to the API and to S3", async () => {
    fake.reset();
    proxy.reset();
    const preview = await recordSnapshot(fake.baseUrl, {
      preview: true,
      config: { "aws:endpoints": [{ s3: proxy.endpoint }], "aws:s3UsePathStyle": true },
    });
    // The Snapshot really was pointed at both servers, so silence from them means something.
    expect(preview.inputs).toMatchObject({
      baseUrl: fake.baseUrl,
      s3Endpoint: proxy.endpoint,
      s3ForcePathStyle: true,
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.requests).toEqual([]);
    expect(proxy.requests).toEqual([]);
  });
});
