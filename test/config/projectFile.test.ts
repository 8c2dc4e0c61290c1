import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as yaml from "js-yaml";
import { DEFAULT_SNAPSHOTS, readStackConfig } from "../../config/stackConfig";
import { PROJECT_ROOT } from "../helpers/programRun";

interface Declaration {
  type?: string;
  secret?: boolean;
  default?: unknown;
  value?: unknown;
  description?: string;
}

const project = yaml.load(readFileSync(join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as {
  name: string;
  config: Record<string, Declaration | string>;
};
const ownKeys = Object.entries(project.config).filter(([key]) => !key.includes(":")) as [
  string,
  Declaration,
][];

describe("Pulumi.yaml", () => {
  it("is the api-s3-load project on the Node.js runtime", () => {
    expect(project.name).toBe("api-s3-load");
  });

  // The Pulumi CLI fails every stack that does not set a declared key lacking a default, and
  // refuses a default on a key typed secret; both would break `pulumi up` for every user.
  it.each(ownKeys)("gives %s a description and a default the CLI accepts", (_key, declaration) => {
    expect(typeof declaration.description).toBe("string");
    expect(declaration).toHaveProperty("default");
    expect(declaration.secret && declaration.type !== undefined).toBeFalsy();
  });

  it("declares every key the program reads", () => {
    // The program reads most keys through readStackConfig; a recording source lists them.
    const read = new Set<string>();
    const record = (key: string) => {
      read.add(key);
      return undefined;
    };
    readStackConfig(
      { get: record, getBoolean: record, getNumber: record, getObject: record },
      { hasApiKey: false },
    );
    const program = readFileSync(join(PROJECT_ROOT, "index.ts"), "utf8");
    for (const m of program.matchAll(/config\.(?:get|require)\w*\("(\w+)"\)/g)) {
      read.add(m[1]);
    }
    expect(read.size).toBeGreaterThan(10);
    for (const key of read) {
      expect(ownKeys.map(([k]) => k)).toContain(key);
    }
  });

  it("documents as default exactly the snapshot the program falls back to", () => {
    const snapshots = project.config.snapshots as Declaration;
    expect(snapshots.default).toEqual(DEFAULT_SNAPSHOTS);
  });
});
