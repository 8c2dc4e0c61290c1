/**
 * End to end as a Python program drives the package: the program's SDK registers the PrivateBucket
 * with `remote: true` and the Snapshot as a custom resource, giving it the bucket's `bucketName`
 * and `encryption`. Our resource monitor plays the engine (pkg/resource/deploy/source_eval.go):
 * it forwards the remote registration to the plugin's `construct` (the plugin registers the
 * children back with it), creates the bucket in moto when the child Bucket registers, and runs
 * the Snapshot's check and create on the plugin. The registrations are the ones the Python SDK
 * sends; they are written here, not captured from it (there is no Python SDK of Pulumi here).
 */
import { createHash } from "node:crypto";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import * as grpc from "@grpc/grpc-js";
import * as resRpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resProto from "@pulumi/pulumi/proto/resource_pb";
import { startFakeCoingecko, type FakeCoingecko } from "../helpers/fakeCoingecko";
import {
  startFakeResourceMonitor,
  type FakeResourceMonitor,
  type Registration,
} from "../helpers/fakeResourceMonitor";
import { MOTO_REGION, describeMoto, startMoto, type Moto } from "../helpers/moto";
import {
  type HostProps,
  type PackageProvider,
  TEST_PROJECT,
  TEST_STACK,
  secret,
  startPackageProvider,
} from "../helpers/packageProviderHost";
import { callUnary, fromStruct, toStruct } from "../helpers/pulumiHost";
import { PRIVATE_BUCKET_TOKEN, SNAPSHOT_TOKEN } from "../../provider/src/tokens";

const STACK_URN = `urn:pulumi:${TEST_STACK}::${TEST_PROJECT}::pulumi:pulumi:Stack::${TEST_PROJECT}-${TEST_STACK}`;
const KEY = "coingecko/coins-markets.json";
const CANARY_API_KEY = "CG-remoteCanary0123456789";

interface Registered {
  urn: string;
  id: string;
  outputs: Record<string, unknown>;
  outputDependencies: Record<string, string[]>;
}

describeMoto("a Python-style program using the package, end to end (moto, fake CoinGecko)", () => {
  let moto: Moto;
  let fake: FakeCoingecko;
  let provider: PackageProvider;
  let monitor: FakeResourceMonitor;
  let client: resRpc.ResourceMonitorClient;
  /** The bucket the child Bucket's registration created in moto. */
  let bucketName = "";

  /** The engine's part: what it does with each registration the program or the plugin sends. */
  async function engine(r: Registration) {
    if (r.remote) {
      const constructed = await provider.construct(r.type, r.name, r.inputs as HostProps, {
        parent: r.parent,
        dependencies: r.dependencies,
        inputDependencies: r.propertyDependencies,
        monitor,
      });
      return {
        urn: constructed.urn,
        object: constructed.state,
        propertyDependencies: constructed.stateDependencies,
      };
    }
    if (r.type === "aws:s3/bucket:Bucket") {
      bucketName = await moto.newBucket();
      return {
        id: bucketName,
        object: { ...r.inputs, bucket: bucketName, arn: `arn:aws:s3:::${bucketName}` },
      };
    }
    if (r.type === SNAPSHOT_TOKEN) {
      const checked = await provider.check(r.urn, {}, r.inputs as HostProps);
      if (checked.failures.length > 0) {
        throw new Error(checked.failures.map((f) => f.reason).join(" "));
      }
      const created = await provider.create(r.urn, checked.inputs as HostProps);
      return { id: created.id, object: created.properties };
    }
    return undefined;
  }

  beforeAll(async () => {
    [moto, fake] = await Promise.all([startMoto(), startFakeCoingecko()]);
    provider = await startPackageProvider({ env: moto.childEnv });
    monitor = await startFakeResourceMonitor(TEST_PROJECT, TEST_STACK, engine);
    client = new resRpc.ResourceMonitorClient(monitor.address, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await monitor?.stop();
    await provider?.stop();
    await Promise.all([moto?.stop(), fake?.stop()]);
  });

  /** One RegisterResource call with the fields the Python SDK sets. */
  async function register(
    type: string,
    name: string,
    options: {
      custom: boolean;
      remote: boolean;
      inputs: HostProps;
      dependencies?: string[];
      propertyDependencies?: Record<string, string[]>;
    },
  ): Promise<Registered> {
    const req = new resProto.RegisterResourceRequest()
      .setType(type)
      .setName(name)
      .setParent(STACK_URN)
      .setCustom(options.custom)
      .setRemote(options.remote)
      .setObject(toStruct(options.inputs, "keep"))
      .setDependenciesList(options.dependencies ?? [])
      .setAcceptsecrets(true)
      .setAcceptresources(true)
      .setSupportspartialvalues(true)
      .setVersion("0.1.0");
    const deps = req.getPropertydependenciesMap();
    for (const [key, urns] of Object.entries(options.propertyDependencies ?? {})) {
      deps.set(key, new resProto.RegisterResourceRequest.PropertyDependencies().setUrnsList(urns));
    }
    const res = await callUnary<resProto.RegisterResourceResponse>("RegisterResource", (cb) =>
      client.registerResource(req, cb),
    );
    const outputDependencies: Record<string, string[]> = {};
    res.getPropertydependenciesMap().forEach((d, k) => {
      outputDependencies[k] = d.getUrnsList();
    });
    return {
      urn: res.getUrn(),
      id: res.getId(),
      outputs: fromStruct(res.getObject()),
      outputDependencies,
    };
  }

  it("lands the snapshot in the PrivateBucket, after its guard rails, with no key in any output", async () => {
    // api_s3_load.PrivateBucket("data", force_destroy=True)
    const bucket = await register(PRIVATE_BUCKET_TOKEN, "data", {
      custom: false,
      remote: true,
      inputs: { forceDestroy: true },
    });
    expect(bucket.outputs).toEqual({
      bucketName,
      arn: `arn:aws:s3:::${bucketName}`,
      encryption: { algorithm: "AES256" },
    });
    const guardRails = monitor.registrations
      .filter((r) => r.custom && r.type.startsWith("aws:s3/") && r.type !== "aws:s3/bucket:Bucket")
      .map((r) => r.urn);
    expect(guardRails).toHaveLength(6);
    expect(bucket.outputDependencies.bucketName).toEqual(expect.arrayContaining(guardRails));

    // api_s3_load.Snapshot("coins-markets", bucket=bucket.bucket_name, encryption=bucket.encryption, ...)
    const registeredBefore = monitor.registrations.length;
    const snapshot = await register(SNAPSHOT_TOKEN, "coins-markets", {
      custom: true,
      remote: false,
      inputs: {
        bucket: bucket.outputs.bucketName as string,
        encryption: bucket.outputs.encryption as HostProps,
        key: KEY,
        endpoint: "coins/markets",
        params: { vs_currency: "usd", per_page: 5 },
        plan: "demo",
        apiKey: secret(CANARY_API_KEY),
        baseUrl: fake.baseUrl,
        callsPerMinute: 6000,
        region: MOTO_REGION,
        s3Endpoint: moto.endpoint,
        s3ForcePathStyle: true,
      },
      dependencies: [bucket.urn, ...bucket.outputDependencies.bucketName],
      propertyDependencies: {
        bucket: bucket.outputDependencies.bucketName,
        encryption: bucket.outputDependencies.encryption ?? [],
      },
    });
    // Every child of the bucket was registered before the Snapshot.
    expect(monitor.registrations.slice(registeredBefore).map((r) => r.type)).toEqual([
      SNAPSHOT_TOKEN,
    ]);
    expect(snapshot.id).toBe(`s3://${bucketName}/${KEY}`);
    const object = await moto.client.send(new GetObjectCommand({ Bucket: bucketName, Key: KEY }));
    const body = Buffer.from(await object.Body!.transformToByteArray());
    expect(snapshot.outputs).toMatchObject({
      s3Uri: `s3://${bucketName}/${KEY}`,
      sha256: createHash("sha256").update(body).digest("hex"),
      itemCount: 5,
      unchanged: false,
    });
    expect(object.ServerSideEncryption).toBe("AES256");
    expect(JSON.stringify(snapshot.outputs)).not.toContain(CANARY_API_KEY);
    expect(provider.stderr()).not.toContain(CANARY_API_KEY);
  });
});
