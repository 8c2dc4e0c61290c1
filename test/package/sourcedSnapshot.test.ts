/**
 * The package's Snapshot with a declared source, through the plugin as the CLI runs it (run-plugin,
 * gRPC) against the fake APIs and moto: what a Python or YAML program that lands any JSON API
 * relies on. Inputs are what such a program sends: the args only, the key a secret.
 */
import { GetObjectCommand, ListObjectVersionsCommand } from "@aws-sdk/client-s3";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { QUERY_KEY, startFakeApis, type FakeApis } from "../helpers/fakeApis";
import { MOTO_REGION, describeMoto, startMoto, type Moto } from "../helpers/moto";
import {
  type HostProps,
  type PackageProvider,
  secret,
  startPackageProvider,
  urnFor,
} from "../helpers/packageProviderHost";
import { SNAPSHOT_TOKEN } from "../../provider/src/tokens";

const wrapped = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });
const items = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: i + 1, name: `item-${i + 1}` }));

describeMoto("the package's Snapshot of a declared source over gRPC (fake APIs, moto)", () => {
  let moto: Moto;
  let apis: FakeApis;
  let provider: PackageProvider;
  let bucket: string;

  beforeAll(async () => {
    [moto, apis] = await Promise.all([startMoto(), startFakeApis()]);
    bucket = await moto.newBucket();
    provider = await startPackageProvider({ env: moto.childEnv });
  });
  afterAll(async () => {
    await provider?.stop();
    await Promise.all([moto?.stop(), apis?.stop()]);
  });

  const target = () => ({
    bucket,
    region: MOTO_REGION,
    s3Endpoint: moto.endpoint,
    s3ForcePathStyle: true,
  });

  async function stored(key: string): Promise<Buffer> {
    const out = await moto.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  }

  async function versionCount(key: string): Promise<number> {
    const out = await moto.client.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }),
    );
    return (out.Versions ?? []).length;
  }

  it("lands PokeAPI's records, following next URLs, and an unchanged update writes nothing", async () => {
    const key = "pokeapi/pokemon.json";
    const urn = urnFor(SNAPSHOT_TOKEN, "pokemon");
    const source = {
      name: "pokeapi",
      baseUrl: `${apis.baseUrl}/pokeapi`,
      pagination: { type: "next-url", from: "$.next" },
      records: "$.results",
    };
    const args = (changes: HostProps = {}): HostProps => ({
      ...target(),
      key,
      endpoint: "pokemon",
      params: { limit: 10 },
      source,
      maxPages: 5,
      ...changes,
    });

    apis.reset();
    const checked = await provider.check(urn, {}, args());
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toMatchObject({ source, maxPages: 5, name: "pokemon" });
    expect(apis.requests).toEqual([]);

    const created = await provider.create(urn, checked.inputs as HostProps);
    // 23 records in pages of 10: three requests, the stored object the records in page order.
    expect(JSON.parse((await stored(key)).toString("utf8"))).toEqual(items(23));
    expect(apis.requests.map((r) => r.url)).toEqual([
      "/pokeapi/pokemon?limit=10",
      "/pokeapi/pokemon?offset=10&limit=10",
      "/pokeapi/pokemon?offset=20&limit=10",
    ]);
    expect(created.properties).toMatchObject({
      s3Uri: `s3://${bucket}/${key}`,
      itemCount: 23,
      unchanged: false,
      truncated: false,
      sourceUrl: `${apis.baseUrl}/pokeapi/pokemon?limit=10`,
      source,
      maxPages: 5,
    });

    const again = await provider.check(urn, {}, args());
    expect(
      await provider.diff("id", urn, created.properties as HostProps, again.inputs as HostProps),
    ).toEqual({
      changes: "DIFF_NONE",
      replaces: [],
    });
    const refetch = await provider.check(urn, {}, args({ refresh: "2026-12-07" }));
    const updated = await provider.update(
      "id",
      urn,
      created.properties as HostProps,
      refetch.inputs as HostProps,
    );
    expect(updated).toMatchObject({ unchanged: true, versionId: created.properties.versionId });
    expect(await versionCount(key)).toBe(1);
  });

  it("sends a query key only in the URL: no output, state, error or log line shows it", async () => {
    const key = "catalog/items.json";
    const urn = urnFor(SNAPSHOT_TOKEN, "items");
    const args: HostProps = {
      ...target(),
      key,
      endpoint: "items",
      params: { limit: 10 },
      apiKey: secret(QUERY_KEY),
      source: {
        name: "catalog",
        baseUrl: `${apis.baseUrl}/offset`,
        pagination: { type: "offset", total: "$.total" },
        records: "$.items",
        auth: { in: "query", name: "api_key", secret: "catalogKey" },
        errors: { rules: [{ bodyPath: "$.error", action: "fail", hint: "check the key" }] },
      },
    };
    const checked = await provider.check(urn, {}, args);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs.apiKey).toEqual(wrapped(QUERY_KEY));

    apis.reset();
    const created = await provider.create(urn, checked.inputs as HostProps);
    expect(JSON.parse((await stored(key)).toString("utf8"))).toEqual(items(23));
    // The key reached the API, in the query string.
    expect(apis.requests[0].url).toContain(`api_key=${QUERY_KEY}`);
    expect(created.properties).not.toHaveProperty("apiKey");
    expect(created.properties.sourceUrl).toBe(`${apis.baseUrl}/offset/items?limit=10&offset=0`);

    // The API echoes the key in an error body under HTTP 200; the rule fails the update.
    apis.fail({ kind: "error-under-200", body: { error: `key ${QUERY_KEY} is suspended` } });
    const refetch = await provider.check(urn, {}, { ...args, refresh: "2026-12-07" });
    const failed = await provider
      .update("id", urn, created.properties as HostProps, refetch.inputs as HostProps)
      .then(
        () => undefined,
        (error: Error) => error.message,
      );
    expect(failed).toContain(
      `($.error is "key *** is suspended"): check the key; nothing was stored`,
    );
    expect(await versionCount(key)).toBe(1);

    const seen = JSON.stringify([
      created,
      failed,
      provider.stderr(),
      provider.stdout(),
      provider.engineLogs,
    ]);
    expect(seen).not.toContain(QUERY_KEY);
  });
});
