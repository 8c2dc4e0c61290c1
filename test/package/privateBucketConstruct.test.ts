/**
 * The package's PrivateBucket through `construct`, as the engine calls it for a program in another
 * language (`remote: true`): the plugin, started by run-plugin, registers the component's children
 * with our resource monitor. They must be the TypeScript component's own: the same types, names,
 * parents and guard-rail order as `new PrivateBucket(...)` registers under Pulumi's mocks.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { PrivateBucket, type PrivateBucketArgs } from "../../components/privateBucket";
import { PRIVATE_BUCKET_TOKEN } from "../../provider/src/tokens";
import {
  type HostProps,
  type PackageProvider,
  PROVIDER_DIR,
  type Registration,
  TEST_PROJECT,
  TEST_STACK,
  secret,
  startPackageProvider,
} from "../helpers/packageProviderHost";

/** One registration, reduced to what the comparison is about. */
interface Shape {
  type: string;
  name: string;
  /** `type::name` of the parent, or "stack". */
  parent: string;
  /** Names of the resources it waits for. */
  dependsOn: string[];
}

const STACK_URN = `urn:pulumi:${TEST_STACK}::${TEST_PROJECT}::pulumi:pulumi:Stack::${TEST_PROJECT}-${TEST_STACK}`;
/** The program's token and the package's name the same component. */
const COMPONENT = "PrivateBucket component";

function normalType(type: string): string {
  return type === PRIVATE_BUCKET_TOKEN || type === "api-s3-load:storage:PrivateBucket"
    ? COMPONENT
    : type;
}

function urnParts(urn: string): { type: string; name: string } {
  const [, , qualified, ...name] = urn.split("::");
  return { type: qualified.split("$").pop() ?? "", name: name.join("::") };
}

/**
 * The registration's `dependsOn`: the request's dependencies less those its inputs bring (a child
 * that takes `bucket.id` depends on the bucket through its input, not through `dependsOn`).
 */
function explicitDependencies(r: Registration): string[] {
  const throughInputs = new Set(Object.values(r.propertyDependencies).flat());
  return r.dependencies.filter((urn) => !throughInputs.has(urn));
}

function shapeOfRegistration(r: Registration): Shape {
  const parent = r.parent === "" || r.parent === STACK_URN ? undefined : urnParts(r.parent);
  return {
    type: normalType(r.type),
    name: r.name,
    parent: parent ? `${normalType(parent.type)}::${parent.name}` : "stack",
    dependsOn: explicitDependencies(r)
      .map((urn) => urnParts(urn).name)
      .sort(),
  };
}

function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** What `new PrivateBucket(name, args)` registers under Pulumi's mocks, as shapes. */
async function underMocks(name: string, args: PrivateBucketArgs): Promise<Shape[]> {
  const seen: {
    type: string;
    name: string;
    parent?: pulumi.Resource;
    dependsOn: pulumi.Resource[];
  }[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, arn: `arn:${a.name}` } }),
      call: (a) => a.inputs,
    },
    TEST_PROJECT,
    TEST_STACK,
  );
  let component: PrivateBucket | undefined;
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((t) => {
      const dependsOn = t.opts.dependsOn;
      seen.push({
        type: t.type,
        name: t.name,
        parent: t.opts.parent,
        dependsOn: Array.isArray(dependsOn) ? (dependsOn as pulumi.Resource[]) : [],
      });
      return undefined;
    });
    component = new PrivateBucket(name, args);
    return undefined;
  });
  await promiseOf(component!.arn);
  const stack = pulumi.runtime.getStackResource();
  const shapes: Shape[] = [];
  for (const r of seen) {
    const parentUrn = r.parent && r.parent !== stack ? await promiseOf(r.parent.urn) : undefined;
    const parent = parentUrn ? urnParts(parentUrn) : undefined;
    shapes.push({
      type: normalType(r.type),
      name: r.name,
      parent: parent ? `${normalType(parent.type)}::${parent.name}` : "stack",
      dependsOn: (await Promise.all(r.dependsOn.map((d) => promiseOf(d.urn))))
        .map((urn) => urnParts(urn).name)
        .sort(),
    });
  }
  return shapes;
}

const byName = (a: Shape, b: Shape) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

describe("the package's PrivateBucket through construct (run-plugin)", () => {
  let provider: PackageProvider;

  beforeAll(async () => {
    provider = await startPackageProvider();
  });
  afterAll(async () => {
    await provider?.stop();
  });

  it.each<[string, HostProps, PrivateBucketArgs]>([
    ["the defaults", {}, {}],
    [
      "the private ACL mode with a KMS key",
      { aclMode: "private", kmsKeyId: "alias/data", tags: { team: "data" } },
      { aclMode: "private", kmsKeyId: "alias/data", tags: { team: "data" } },
    ],
  ])(
    "registers the TypeScript component's children, parents and guard-rail order with %s",
    async (_case, inputs, args) => {
      const constructed = await provider.construct(PRIVATE_BUCKET_TOKEN, "data", inputs, {
        parent: STACK_URN,
      });
      const expected = await underMocks("data", args);
      const got = constructed.registrations.map(shapeOfRegistration);
      expect(got.sort(byName)).toEqual(expected.sort(byName));
      // The component is registered under the package's token, as the consumer's SDK names it.
      expect(constructed.registrations[0]).toMatchObject({
        type: PRIVATE_BUCKET_TOKEN,
        name: "data",
        parent: STACK_URN,
        custom: false,
      });
      expect(constructed.urn).toBe(
        `urn:pulumi:${TEST_STACK}::${TEST_PROJECT}::${PRIVATE_BUCKET_TOKEN}::data`,
      );
    },
  );

  it("returns the outputs the schema declares, bucketName depending on every guard rail", async () => {
    const constructed = await provider.construct(PRIVATE_BUCKET_TOKEN, "logs", {
      kmsKeyId: "alias/logs",
    });
    const schema = JSON.parse(readFileSync(join(PROVIDER_DIR, "schema.json"), "utf8")) as {
      resources: Record<string, { properties: Record<string, unknown> }>;
    };
    expect(Object.keys(constructed.state).sort()).toEqual(
      Object.keys(schema.resources[PRIVATE_BUCKET_TOKEN].properties).sort(),
    );
    expect(constructed.state).toEqual({
      bucketName: "logs-id",
      arn: "arn:aws:s3:::logs-id",
      encryption: { algorithm: "aws:kms", kmsKeyId: "alias/logs" },
    });
    const guardRails = constructed.registrations
      .filter((r) => r.custom && r.type !== "aws:s3/bucket:Bucket")
      .map((r) => r.urn);
    expect(guardRails).toHaveLength(6);
    expect(constructed.stateDependencies.bucketName).toEqual(expect.arrayContaining(guardRails));
  });

  it("passes a secret input on to the child as a secret", async () => {
    const constructed = await provider.construct(PRIVATE_BUCKET_TOKEN, "secretive", {
      kmsKeyId: secret("alias/secret-key"),
    });
    const encryption = constructed.registrations.find((r) => r.name === "secretive-encryption");
    expect(JSON.stringify(encryption?.inputs)).toContain("4dabf18193072939515e22adb298388d");
  });

  it("refuses an input the component does not have, naming it", async () => {
    await expect(
      provider.construct(PRIVATE_BUCKET_TOKEN, "typo", { forceDestory: true }),
    ).rejects.toThrow(
      "`forceDestory` is not an input of api-s3-load:index:PrivateBucket: remove it (the inputs are listed in the package schema).",
    );
  });

  it("refuses an aclMode that is not a plain value", async () => {
    await expect(
      provider.construct(PRIVATE_BUCKET_TOKEN, "acl", { aclMode: secret("private") }),
    ).rejects.toThrow("`aclMode` must be a plain value");
  });
});
