/**
 * The plugin as the Pulumi CLI finds and starts it: a source plugin folder whose package.json
 * `main` is the prebuilt JavaScript, started by Pulumi's own runner and answering GetSchema with
 * the checked-in schema. `.ci/run` runs this on every Node line with the jest suites.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as yaml from "js-yaml";
import { PROJECT_ROOT } from "../helpers/pulumiHost";
import {
  PROVIDER_DIR,
  type PackageProvider,
  startPackageProvider,
  urnFor,
} from "../helpers/packageProviderHost";

const readJson = (path: string) =>
  JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
const providerPackage = readJson(join(PROVIDER_DIR, "package.json")) as {
  name: string;
  version: string;
  main: string;
  dependencies: Record<string, string>;
};
const rootPackage = readJson(join(PROJECT_ROOT, "package.json")) as {
  version: string;
  workspaces: string[];
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

describe("the plugin folder", () => {
  it("is a Node.js source plugin", () => {
    const plugin = yaml.load(readFileSync(join(PROVIDER_DIR, "PulumiPlugin.yaml"), "utf8"));
    expect(plugin).toEqual({ runtime: "nodejs" });
  });

  it("is an npm workspace of the root, which builds its JavaScript on install", () => {
    // The language host installs a plugin's dependencies in the npm workspace root it finds above
    // the plugin (sdk/nodejs/npm/workspaces.go), so `npm install` there runs `prepare`.
    expect(rootPackage.workspaces).toContain("provider");
    expect(rootPackage.scripts.prepare).toContain("npm run build:provider");
    expect(rootPackage.scripts["build:provider"]).toBe("tsc -p provider/tsconfig.json");
    expect(providerPackage.main).toBe("dist/provider/src/index.js");
  });

  it("pins the same Pulumi and AWS packages as the program, and carries its version", () => {
    for (const [name, version] of Object.entries(providerPackage.dependencies)) {
      if (!name.startsWith("@api-s3-load/")) {
        expect([name, version]).toEqual([name, rootPackage.dependencies[name]]);
      }
    }
    expect(providerPackage.version).toBe(rootPackage.version);
  });
});

describe("the plugin started by run-plugin", () => {
  let provider: PackageProvider;

  beforeAll(async () => {
    provider = await startPackageProvider();
  });
  afterAll(async () => {
    await provider?.stop();
  });

  it("answers GetSchema with the checked-in schema", async () => {
    expect(await provider.getSchema()).toBe(
      readFileSync(join(PROVIDER_DIR, "schema.json"), "utf8"),
    );
  });

  it("reports provider/package.json's version", async () => {
    expect(await provider.pluginVersion()).toBe(providerPackage.version);
  });

  it("starts the same way from the repository root with a relative folder, as .ci/plugin-schema.js does", async () => {
    const fromRoot = await startPackageProvider({ cwd: PROJECT_ROOT, plugin: "provider" });
    try {
      expect(await fromRoot.getSchema()).toBe(
        readFileSync(join(PROVIDER_DIR, "schema.json"), "utf8"),
      );
    } finally {
      await fromRoot.stop();
    }
  });

  it("refuses a resource type it does not serve, naming both it does", async () => {
    await expect(provider.check(urnFor("api-s3-load:index:Bucket", "x"), {}, {})).rejects.toThrow(
      "api-s3-load has no resource api-s3-load:index:Bucket; it serves api-s3-load:index:Snapshot and api-s3-load:index:PrivateBucket.",
    );
  });
});
