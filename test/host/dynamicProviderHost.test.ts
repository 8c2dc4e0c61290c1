import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import {
  DynamicProviderHost,
  ProviderCallError,
  UNKNOWN,
  secret,
  startDynamicProviderHost,
} from "../helpers/dynamicProviderHost";
import { PROJECT_ROOT } from "../helpers/pulumiHost";

// The fixture is written in the shape of a serialized `__provider`; the host loads it with require-from-string.
const provider = readFileSync(join(__dirname, "fixtures", "echoProvider.js"), "utf8");
const urn = "urn:pulumi:stack::fixture::pulumi-nodejs:dynamic:Resource::echo";

describe("dynamic provider host harness", () => {
  let host: DynamicProviderHost;
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "api-s3-load-host-"));
    host = await startDynamicProviderHost({
      env: { PULUMI_NODEJS_PROJECT: "fixture" },
      runtimeLogsToEngine: true,
    });
    await host.configure({ "fixture:greeting": "hello", "aws:region": "eu-west-1" });
  });

  afterAll(async () => {
    await host?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("uses Pulumi's own unknown sentinel", () => {
    expect(UNKNOWN).toBe(unknownValue);
    expect(UNKNOWN).toBe("04da6b54-80e4-46f7-96ec-b56ff0331ba9");
  });

  it("reports that the host refuses secrets and previews, as the engine sees it", async () => {
    await expect(host.configure({ "fixture:greeting": "hello" })).resolves.toEqual({
      acceptSecrets: false,
      supportsPreview: false,
    });
  });

  it("passes project-scoped config to the provider's configure", async () => {
    const created = await host.create(urn, { __provider: provider, name: "cfg" });
    expect(created.properties.greeting).toBe("hello");
  });

  it("returns check failures per property", async () => {
    const result = await host.check(urn, {}, { __provider: provider, name: "" });
    expect(result.failures).toEqual([
      { property: "name", reason: "`name` must be a non-empty string; set it." },
    ]);
  });

  it("passes the unknown sentinel to check and returns the provider's inputs with __provider", async () => {
    const result = await host.check(
      urn,
      {},
      { __provider: provider, name: UNKNOWN, tags: { a: "b" } },
    );
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({
      __provider: provider,
      name: UNKNOWN,
      tags: { a: "b" },
      checked: true,
    });
  });

  it("strips secrets before they reach the host, as the engine does for acceptSecrets=false", async () => {
    const result = await host.check(
      urn,
      {},
      { __provider: provider, name: "s", apiKey: secret("canary-key") },
    );
    expect(result.inputs.apiKey).toBe("canary-key");
  });

  it("drops undefined members as the engine has no undefined", async () => {
    const result = await host.check(
      urn,
      {},
      { __provider: provider, name: "u", gone: undefined, list: [1, null] },
    );
    expect(result.inputs).not.toHaveProperty("gone");
    expect(result.inputs.list).toEqual([1, null]);
  });

  it.each([
    ["no change", { name: "a", key: "k" }, { name: "a", key: "k" }, "DIFF_NONE", []],
    ["an update", { name: "a", key: "k" }, { name: "b", key: "k" }, "DIFF_SOME", []],
    ["a replacement", { name: "a", key: "k" }, { name: "a", key: "k2" }, "DIFF_SOME", ["key"]],
    ["an unknown answer", { name: "a" }, { name: "a", diffUnknown: true }, "DIFF_UNKNOWN", []],
  ])("returns %s from diff", async (_case, olds, news, changes, replaces) => {
    const result = await host.diff(
      "id-1",
      urn,
      { __provider: provider, ...olds },
      { __provider: provider, ...news },
    );
    expect(result.changes).toBe(changes);
    expect(result.replaces).toEqual(replaces);
  });

  it("forwards deleteBeforeReplace but drops the provider's detailedDiff", async () => {
    const result = await host.diff(
      "id-1",
      urn,
      { __provider: provider, key: "k" },
      { __provider: provider, key: "k2", deleteBeforeReplace: true },
    );
    expect(result.deleteBeforeReplace).toBe(true);
    expect(result.detailedDiff).toEqual({});
    expect(result.hasDetailedDiff).toBe(false);
  });

  it("creates and returns the id and outputs including __provider", async () => {
    const created = await host.create(urn, { __provider: provider, name: "c1", size: 3 });
    expect(created.id).toBe("echo-c1");
    expect(created.properties).toMatchObject({
      __provider: provider,
      name: "c1",
      size: 3,
      cwd: PROJECT_ROOT,
    });
  });

  it("fails a create whose outputs hold undefined, as protobuf Struct has no undefined", async () => {
    const other = await startDynamicProviderHost();
    try {
      await expect(
        other.create(urn, { __provider: provider, name: "u", undefinedOutput: true }),
      ).rejects.toThrow("Create failed with UNKNOWN: Unexpected struct type.");
    } finally {
      await other.stop();
    }
  });

  it("does not call the host for a preview create, returning the inputs as the engine does", async () => {
    const preview = await host.create(
      urn,
      { __provider: provider, name: "p", failWith: "must not run" },
      { preview: true },
    );
    expect(preview).toEqual({
      id: "",
      properties: { __provider: provider, name: "p", failWith: "must not run" },
    });
  });

  it("rejects a failed create with the provider's message", async () => {
    await expect(
      host.create(urn, {
        __provider: provider,
        name: "f",
        failWith: "bucket `x` is not reachable",
      }),
    ).rejects.toThrow("Create failed with UNKNOWN: bucket `x` is not reachable");
  });

  it("unpacks ErrorResourceInitFailed details of a create", async () => {
    const err: unknown = await host
      .create(urn, { __provider: provider, name: "half", initFailWith: "not ready" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderCallError);
    expect((err as ProviderCallError).initFailure).toEqual({
      id: "half-made",
      properties: { name: "half", state: "broken" },
      reasons: ["not ready", "second reason"],
    });
    expect((err as Error).message).toContain(
      "resource half-made was created but failed to initialise: not ready; second reason",
    );
  });

  it("updates with olds and news", async () => {
    const outs = await host.update(
      "echo-a",
      urn,
      { __provider: provider, name: "a" },
      { __provider: provider, name: "b" },
    );
    expect(outs).toMatchObject({
      __provider: provider,
      name: "b",
      previousName: "a",
      updatedId: "echo-a",
    });
  });

  it("rejects a failed update with the provider's message", async () => {
    await expect(
      host.update(
        "echo-a",
        urn,
        { __provider: provider, name: "a" },
        { __provider: provider, failWith: "quota exceeded" },
      ),
    ).rejects.toThrow("Update failed with UNKNOWN: quota exceeded");
  });

  it("reads refreshed properties and explicit inputs", async () => {
    const read = await host.read("echo-r", urn, {
      __provider: provider,
      name: "r",
      returnInputs: true,
    });
    expect(read.id).toBe("echo-r");
    expect(read.properties).toMatchObject({ name: "r", refreshed: true, __provider: provider });
    expect(read.inputs).toEqual({ name: "r", __provider: provider });
  });

  it("reads a vanished resource as an empty id", async () => {
    const read = await host.read("echo-r", urn, { __provider: provider, gone: true });
    expect(read.id).toBe("");
  });

  it("deletes through the provider", async () => {
    const marker = join(scratch, "deleted");
    await host.delete("echo-d", urn, { __provider: provider, deletedMarker: marker });
    expect(readFileSync(marker, "utf8")).toBe("echo-d");
  });

  it("rejects a failed delete with the provider's message and logs it on stderr", async () => {
    await expect(
      host.delete("echo-d", urn, { __provider: provider, failDelete: "object locked" }),
    ).rejects.toThrow("Delete failed with UNKNOWN: cannot delete echo-d: object locked");
    expect(host.stderr()).toContain("cannot delete echo-d: object locked");
  });

  it("collects pulumi.log calls as engine logs and console output as stdout", async () => {
    await host.create(urn, { __provider: provider, name: "l", logMessage: "fetched 3 pages" });
    expect(host.engineLogs).toContainEqual(
      expect.objectContaining({ severity: "info", message: "fetched 3 pages" }),
    );
    expect(host.stdout()).toContain("stdout: fetched 3 pages");
  });

  it("fails on a provider whose code does not parse, naming the syntax error", async () => {
    await expect(
      host.diff("x", urn, { __provider: UNKNOWN }, { __provider: UNKNOWN }),
    ).rejects.toThrow("Diff failed with UNKNOWN: Invalid or unexpected token");
  });
});

describe("module resolution of the serialized provider", () => {
  let elsewhere: string;

  beforeAll(() => {
    // A folder outside the project with its own node_modules, like a moved checkout.
    elsewhere = mkdtempSync(join(tmpdir(), "api-s3-load-elsewhere-"));
    const pkg = join(elsewhere, "node_modules", "host-fixture-marker");
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, "index.js"), 'exports.marker = "resolved-from-host-cwd";\n');
  });

  afterAll(() => rmSync(elsewhere, { recursive: true, force: true }));

  it("resolves require(name) from the host's working folder", async () => {
    const host = await startDynamicProviderHost({ cwd: elsewhere });
    try {
      const created = await host.create(urn, {
        __provider: provider,
        name: "m",
        requireModule: "host-fixture-marker",
      });
      expect(created.properties.required).toBe("resolved-from-host-cwd");
      expect(created.properties.cwd).toBe(elsewhere);
    } finally {
      await host.stop();
    }
  });

  it("cannot resolve a package that only the other folder has when run from the project", async () => {
    expect(existsSync(join(PROJECT_ROOT, "node_modules", "host-fixture-marker"))).toBe(false);
    const host = await startDynamicProviderHost();
    try {
      await expect(
        host.create(urn, { __provider: provider, name: "m", requireModule: "host-fixture-marker" }),
      ).rejects.toThrow("Cannot find module 'host-fixture-marker'");
    } finally {
      await host.stop();
    }
  });
});
