/**
 * The package's Snapshot through the plugin as the CLI runs it (run-plugin, gRPC), driven the way
 * the engine drives a provider that accepts secrets, against the fake CoinGecko and moto. The
 * steps share one resource's state in the engine's order: preview, create, unchanged deploy,
 * failed fetch, refresh, delete. Inputs are what a Python or YAML program sends: the args only.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand } from "@aws-sdk/client-s3";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { startFakeCoingecko, type FakeCoingecko } from "../helpers/fakeCoingecko";
import { MOTO_REGION, describeMoto, startMoto, type Moto } from "../helpers/moto";
import {
  type HostProps,
  type PackageProvider,
  PROVIDER_DIR,
  UNKNOWN,
  secret,
  startPackageProvider,
  urnFor,
} from "../helpers/packageProviderHost";
import { SNAPSHOT_TOKEN } from "../../provider/src/tokens";

const KEY = "coingecko/coins-markets.json";

function readSchema(): {
  resources: Record<string, { properties: Record<string, { type: string }>; required: string[] }>;
} {
  return JSON.parse(readFileSync(join(PROVIDER_DIR, "schema.json"), "utf8"));
}
const URN = urnFor(SNAPSHOT_TOKEN, "markets");
const CANARY_API_KEY = "CG-packageCanary0123456789";
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const wrapped = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });

describeMoto("the package's Snapshot over gRPC (run-plugin, fake CoinGecko, moto)", () => {
  let moto: Moto;
  let fake: FakeCoingecko;
  let provider: PackageProvider;
  let bucket: string;
  /** What `check` returned: the inputs the engine passes on. */
  let checked: HostProps;
  /** The state after the last create or update. */
  let state: HostProps;

  beforeAll(async () => {
    [moto, fake] = await Promise.all([startMoto(), startFakeCoingecko()]);
    bucket = await moto.newBucket();
    provider = await startPackageProvider({ env: moto.childEnv });
  });
  afterAll(async () => {
    await provider?.stop();
    await Promise.all([moto?.stop(), fake?.stop()]);
  });

  /** A program's args: a Demo key as a secret, and tags a program made secret too. */
  function args(changes: HostProps = {}): HostProps {
    return {
      bucket,
      key: KEY,
      endpoint: "coins/markets",
      params: { vs_currency: "usd", per_page: 5 },
      plan: "demo",
      apiKey: secret(CANARY_API_KEY),
      baseUrl: fake.baseUrl,
      // The demo plan's 30 a minute would make later steps wait on the limiter.
      callsPerMinute: 6000,
      region: MOTO_REGION,
      s3Endpoint: moto.endpoint,
      s3ForcePathStyle: true,
      tags: secret({ team: "data" }),
      ...changes,
    };
  }

  async function stored(): Promise<Buffer> {
    const out = await moto.client.send(new GetObjectCommand({ Bucket: bucket, Key: KEY }));
    return Buffer.from(await out.Body!.transformToByteArray());
  }

  async function versionCount(): Promise<number> {
    const out = await moto.client.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: KEY }),
    );
    return (out.Versions ?? []).length;
  }

  /** Runs `action` and asserts it sent nothing to the API. */
  async function withoutFetch<T>(action: () => Promise<T>): Promise<T> {
    const before = fake.requests.length;
    const result = await action();
    expect(fake.requests.slice(before).map((r) => r.url)).toEqual([]);
    return result;
  }

  function expectNoKey(value: unknown): void {
    expect(JSON.stringify(value)).not.toContain(CANARY_API_KEY);
  }

  it("accepts secrets and does not ask to be called in a preview", async () => {
    expect(await provider.configure()).toEqual({ acceptSecrets: true, supportsPreview: false });
  });

  it("checks a preview's unknown inputs without a request, the key still wrapped", async () => {
    const result = await withoutFetch(() =>
      provider.check(URN, {}, args({ bucket: UNKNOWN, maxAge: UNKNOWN })),
    );
    expect(result.failures).toEqual([]);
    expect(result.inputs).toMatchObject({
      bucket: UNKNOWN,
      maxAgePeriod: UNKNOWN,
      apiKey: wrapped(CANARY_API_KEY),
    });
  });

  it("checks the args into the engine's inputs: defaults applied, secrets kept secret", async () => {
    const result = await withoutFetch(() => provider.check(URN, {}, args()));
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({
      bucket,
      key: KEY,
      endpoint: "coins/markets",
      params: { vs_currency: "usd", per_page: 5 },
      plan: "demo",
      apiKey: wrapped(CANARY_API_KEY),
      baseUrl: fake.baseUrl,
      callsPerMinute: 6000,
      region: MOTO_REGION,
      s3Endpoint: moto.endpoint,
      s3ForcePathStyle: true,
      tags: wrapped({ team: "data" }),
      // The TypeScript class's defaults: the resource name, and the engine's schema version.
      name: "markets",
      schemaVersion: 1,
    });
    checked = result.inputs as HostProps;
  });

  it("reports bad args by name, every one at once, without echoing the key", async () => {
    const result = await withoutFetch(() =>
      provider.check(URN, {}, args({ pages: 1.5, endpoint: "/coins", colour: "red" })),
    );
    expect(result.failures.map((f) => f.property).sort()).toEqual(["colour", "endpoint", "pages"]);
    expect(result.failures.find((f) => f.property === "colour")?.reason).toBe(
      "`colour` is not an input of api-s3-load:index:Snapshot: remove it (the inputs are listed in the package schema).",
    );
    expectNoKey(result.failures);
  });

  it("refuses to create while an input is unknown, making no request", async () => {
    await expect(
      withoutFetch(() => provider.create(URN, { ...checked, bucket: UNKNOWN })),
    ).rejects.toThrow(
      "The Snapshot cannot be created while `bucket` is not known yet; nothing was fetched or written.",
    );
    expect(await versionCount()).toBe(0);
  });

  it("refuses to update while an input is unknown, making no request", async () => {
    await expect(
      withoutFetch(() =>
        provider.update("id", URN, {}, { ...checked, params: { vs_currency: UNKNOWN } }),
      ),
    ).rejects.toThrow(
      "The Snapshot cannot be updated while `params` is not known yet; nothing was fetched or written.",
    );
  });

  it("creates the object with its checksum, the key in no output", async () => {
    const created = await provider.create(URN, checked);
    expect(created.id).toBe(`s3://${bucket}/${KEY}`);
    const body = await stored();
    expect(created.properties).toMatchObject({
      bucket,
      key: KEY,
      s3Uri: `s3://${bucket}/${KEY}`,
      sha256: sha256(body),
      bytes: body.length,
      itemCount: 5,
      unchanged: false,
      sourceUrl: `${fake.baseUrl}/coins/markets?per_page=5&vs_currency=usd`,
      tags: wrapped({ team: "data" }),
    });
    expect(typeof created.properties.etag).toBe("string");
    expect(typeof created.properties.versionId).toBe("string");
    expect(typeof created.properties.fetchedAt).toBe("string");
    expect(created.properties).not.toHaveProperty("apiKey");
    expectNoKey(created);
    // moto does not keep x-amz-checksum-sha256 (test/helpers/moto.ts); the engine's metadata copy
    // of the checksum is what read and update compare.
    const head = await moto.client.send(new HeadObjectCommand({ Bucket: bucket, Key: KEY }));
    expect(head.Metadata?.sha256).toBe(sha256(body));
    // The key travelled only in the Demo plan's header.
    expect(fake.requests.at(-1)?.headers["x-cg-demo-api-key"]).toBe(CANARY_API_KEY);
    expect(fake.requests.at(-1)?.url).not.toContain(CANARY_API_KEY);
    state = created.properties as HostProps;
  });

  it("returns every output the schema declares, of the schema's type", () => {
    const { properties: declared, required } = readSchema().resources[SNAPSHOT_TOKEN];
    // `truncated` is a declared source's: a CoinGecko Snapshot has every other output.
    const absent = Object.keys(declared).filter((name) => state[name] === undefined);
    expect(absent).toEqual(["truncated"]);
    expect(required).not.toContain("truncated");
    const mistyped = Object.entries(declared).filter(([name, spec]) => {
      const value = state[name];
      if (absent.includes(name)) {
        return false;
      }
      return spec.type === "integer" ? !Number.isInteger(value) : typeof value !== spec.type;
    });
    expect(mistyped.map(([name]) => name)).toEqual([]);
  });

  it("finds no change on a deploy with the same args", async () => {
    const again = await withoutFetch(() => provider.check(URN, {}, args()));
    const diff = await withoutFetch(() =>
      provider.diff(`s3://${bucket}/${KEY}`, URN, state, again.inputs as HostProps),
    );
    expect(diff).toEqual({ changes: "DIFF_NONE", replaces: [] });
  });

  it("says a new key replaces and a new endpoint updates", async () => {
    const moved = await provider.check(URN, {}, args({ key: "coingecko/elsewhere.json" }));
    expect(await provider.diff("id", URN, state, moved.inputs as HostProps)).toEqual({
      changes: "DIFF_SOME",
      replaces: ["key"],
    });
    const refetch = await provider.check(URN, {}, args({ refresh: "2026-12-07" }));
    expect(await provider.diff("id", URN, state, refetch.inputs as HostProps)).toEqual({
      changes: "DIFF_SOME",
      replaces: [],
    });
  });

  it("writes nothing when an update fetches the same data", async () => {
    const before = await stored();
    const refetch = await provider.check(URN, {}, args({ refresh: "2026-12-07" }));
    const updated = await provider.update("id", URN, state, refetch.inputs as HostProps);
    expect(updated).toMatchObject({
      unchanged: true,
      versionId: state.versionId,
      etag: state.etag,
      sha256: state.sha256,
      refresh: "2026-12-07",
    });
    expect(await versionCount()).toBe(1);
    expect((await stored()).equals(before)).toBe(true);
    expectNoKey(updated);
    state = updated as HostProps;
  });

  it("leaves the object byte-identical when the fetch fails, and names no key in the error", async () => {
    const before = await stored();
    fake.setFault({ kind: "invalid-json" });
    try {
      const refetch = await provider.check(URN, {}, args({ refresh: "2026-12-08" }));
      const failed = provider.update("id", URN, state, refetch.inputs as HostProps);
      await expect(failed).rejects.toThrow(/coins-markets|markets/);
      const error = await failed.catch((e: Error) => e.message);
      expectNoKey(error);
    } finally {
      fake.setFault();
    }
    expect((await stored()).equals(before)).toBe(true);
    expect(await versionCount()).toBe(1);
  });

  it("refreshes to the same state when nobody touched the object", async () => {
    const read = await provider.read(`s3://${bucket}/${KEY}`, URN, state);
    expect(read.id).toBe(`s3://${bucket}/${KEY}`);
    expect(read.properties).toEqual(state);
    expect(read.properties).not.toHaveProperty("drifted");
  });

  it("deletes the object it wrote, and a refresh then finds it gone", async () => {
    await provider.delete(`s3://${bucket}/${KEY}`, URN, state);
    await expect(
      moto.client.send(new HeadObjectCommand({ Bucket: bucket, Key: KEY })),
    ).rejects.toMatchObject({ name: "NotFound" });
    const read = await provider.read(`s3://${bucket}/${KEY}`, URN, state);
    expect(read.id).toBe("");
  });

  it("never printed the key", () => {
    expectNoKey(provider.stderr());
    expectNoKey(provider.stdout());
    expectNoKey(provider.engineLogs);
  });
});
