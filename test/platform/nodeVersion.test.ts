/**
 * The project refuses a Node.js outside package.json's `engines` at start, with one sentence naming
 * the version found and how to get a supported one, in each of its three entry points.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  commandOf,
  satisfiesRange,
  supportedRange,
  unsupportedNodeMessage,
} from "../../startup/nodeVersion";

const ROOT = join(__dirname, "..", "..");

describe("satisfiesRange", () => {
  it.each([
    ["22.13.0", ">=22.13.0", true],
    ["26.12.1", ">=22.13.0", true],
    ["22.12.9", ">=22.13.0", false],
    ["20.20.2", ">=22.13.0", false],
    ["v24.1.0", "^22.13.0 || ^24.0.0", true],
    ["23.0.0", "^22.13.0 || ^24.0.0", false],
    ["22.13.0", ">=22 <23", true],
    ["23.1.0", ">=22 <23", false],
  ])("%s in %s: %s", (version, range, expected) => {
    expect(satisfiesRange(version, range)).toBe(expected);
  });

  it("names a range it cannot read instead of guessing", () => {
    expect(() => satisfiesRange("22.13.0", "~22.13")).toThrow(
      'package.json\'s engines.node has "~22.13", which this check does not read: write the range with >=, >, <=, <, = or ^ and full versions, such as ">=22.13.0".',
    );
  });
});

describe("unsupportedNodeMessage", () => {
  it("reads the range from package.json's engines", () => {
    expect(supportedRange(ROOT)).toBe(">=22.13.0");
  });

  it("accepts the Node running this test (a pinned, supported line)", () => {
    expect(unsupportedNodeMessage(process.version, process.execPath, "npm start")).toBeUndefined();
  });

  it("names the version found, where it is, and both ways to a supported one", () => {
    expect(unsupportedNodeMessage("v20.20.2", "/usr/bin/node", "npm start")).toBe(
      "api-s3-load needs Node.js >=22.13.0 (package.json engines), and this is Node.js 20.20.2 (/usr/bin/node): run it on a supported one with `.ci/with-node 26 npm start` (installs Node 26 from the npm registry into .ci/node), or `nvm install` (reads .nvmrc) and then `npm start`.",
    );
  });

  it.each([
    [{ npm_lifecycle_event: "start" }, "npm start"],
    [{ npm_lifecycle_event: "policy" }, "npm run policy"],
    [{ npm_lifecycle_event: "demo" }, "npm run demo"],
    [{}, "pulumi up"],
  ])("repeats the command the user ran (%j)", (env, command) => {
    expect(commandOf(env)).toBe(command);
  });
});

/** A `node` on this machine outside the supported range (the system's Node 20), if there is one. */
function unsupportedNode(): string | undefined {
  const found = spawnSync("which", ["-a", "node"], { encoding: "utf8" }).stdout.split("\n");
  const range = supportedRange(ROOT) ?? "";
  return [...found, "/usr/bin/node"]
    .filter((path) => path !== "" && existsSync(path))
    .find((path) => {
      const version = execFileSync(path, ["--version"], { encoding: "utf8" }).trim();
      return !satisfiesRange(version, range);
    });
}

const oldNode = unsupportedNode();
const describeOnOldNode = oldNode ? describe : describe.skip;
if (!oldNode) {
  // Said once, so a machine without an old Node does not pass these silently.
  console.warn(
    "nodeVersion.test: no unsupported node on this machine; the start tests are skipped",
  );
}

describeOnOldNode("on an unsupported Node", () => {
  const node = oldNode ?? "node";
  const tsNode = join(ROOT, "node_modules", "ts-node", "dist", "bin.js");

  it.each([
    ["npm start", "start", ["cli/main.ts", "run"]],
    ["npm run policy", "policy", ["policy-runner/main.ts", "--stack", "dev"]],
    ["pulumi up", undefined, ["index.ts"]],
  ])("%s stops with the one sentence and exit code 1", (command, script, args) => {
    const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}` };
    delete env.npm_lifecycle_event;
    if (script) {
      env.npm_lifecycle_event = script;
    }
    // As npm's scripts and the Pulumi CLI start them: ts-node, transpile-only.
    const run = spawnSync(node, [tsNode, "--transpile-only", ...args], {
      cwd: ROOT,
      env,
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    // Nothing else: no AWS SDK deprecation warning, no stack trace.
    expect(run.stderr).toBe(`error: ${unsupportedNodeMessage(version, node, command as string)}\n`);
  });
});
