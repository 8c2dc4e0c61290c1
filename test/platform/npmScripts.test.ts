/**
 * npm runs scripts with `sh -c` on Linux and macOS and with cmd.exe on Windows: the commands a user
 * types (npm start, demo, verify, policy) must mean the same to both, so they use no shell syntax;
 * signals are taken by Node itself (cli/stopSignals.ts), not by `exec`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const scripts = (
  JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts;

/** What sh and cmd.exe read differently: exec, variables, quoting, redirection, pipes, sequencing. */
const SHELL_ONLY = /\bexec\b|^\w+=|\$|%|'|"|`|[<>|;]|(?<!&)&(?!&)/;

describe("the npm scripts a user runs", () => {
  it.each(["start", "demo", "verify", "policy"])("%s uses no shell syntax", (name) => {
    expect(scripts[name]).toBeDefined();
    expect(scripts[name]).not.toMatch(SHELL_ONLY);
  });

  it("the check refuses what cmd.exe would read differently", () => {
    for (const script of [
      "exec ts-node cli/main.ts run",
      "FOO=1 node x",
      "node x > log",
      "a; b",
      "a & b",
    ]) {
      expect(script).toMatch(SHELL_ONLY);
    }
  });
});
