/**
 * policy/npm-shrinkwrap.json is what a consumer of the published pack installs: it must be the tree
 * the root lockfile gives the pack today (the versions the tests ran with), laid out as an install
 * of the pack alone lays it out.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Lockfile, packShrinkwrap, shrinkwrapText } from "../../policy/tools/shrinkwrap";

const ROOT = join(__dirname, "..", "..");

describe("the pack's npm-shrinkwrap.json", () => {
  it("is what the root package-lock.json gives the pack now (else run npm run policy:shrinkwrap)", () => {
    const committed = readFileSync(join(ROOT, "policy", "npm-shrinkwrap.json"), "utf8");
    expect(committed).toBe(shrinkwrapText(ROOT));
  });

  it("pins every dependency of policy/package.json at its exact version", () => {
    const shrinkwrap = JSON.parse(shrinkwrapText(ROOT)) as Lockfile;
    const manifest = JSON.parse(readFileSync(join(ROOT, "policy", "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    for (const [name, version] of Object.entries(manifest.dependencies)) {
      expect([name, shrinkwrap.packages[`node_modules/${name}`]?.version]).toEqual([name, version]);
    }
  });

  it("keeps the tested version of a package nested where the workspace had a different one", () => {
    const entry = (version: string, deps: Record<string, string> = {}) => ({
      version,
      resolved: `https://registry.example/${version}.tgz`,
      dependencies: deps,
    });
    const lock: Lockfile = {
      lockfileVersion: 3,
      packages: {
        "": { name: "root", dependencies: { a: "1" } },
        policy: { name: "pack", version: "1.0.0", dependencies: { b: "1", c: "2" } },
        // The workspace root has c@1 for the project; the pack's own c is 2, and b needs c@1.
        "node_modules/a": entry("1.0.0", { c: "1" }),
        "node_modules/b": entry("1.0.0", { c: "1" }),
        "node_modules/c": entry("1.0.0"),
        "policy/node_modules/c": entry("2.0.0"),
        "node_modules/unrelated": entry("9.0.0"),
      },
    };
    const shrinkwrap = packShrinkwrap(
      lock,
      { name: "pack", version: "1.0.0", dependencies: { b: "1", c: "2" } },
      "policy",
    );
    expect(
      Object.fromEntries(Object.entries(shrinkwrap.packages).map(([k, v]) => [k, v.version])),
    ).toEqual({
      "": "1.0.0",
      "node_modules/b": "1.0.0",
      "node_modules/c": "2.0.0",
      "node_modules/b/node_modules/c": "1.0.0",
    });
  });
});
