/* eslint-disable @typescript-eslint/no-require-imports */
// Loads index.ts for one stack the way the Pulumi CLI's Node.js language host does, with
// @pulumi/pulumi's own cmd/run/run.js (through bench/cliLoadChild.js, the loader the benchmarks and
// test/platform use), under Pulumi's mocks, twice:
//   1. as `pulumi up` starts it: the tsconfig Pulumi.yaml's `runtime.options.tsconfig` names
//      (the host passes it as PULUMI_NODEJS_TSCONFIG_PATH), transpile-only;
//   2. with ts-node type checking under the strict tsconfig.json, which is what the CLI does for a
//      user who drops that option or whose host ignores it.
// CI runs it in a copy installed with `npm ci --omit=dev`, the common production install: whatever
// the CLI needs to type-check and run the program must be a runtime dependency.
// Plain JavaScript on purpose: it must start without ts-node or a dev dependency.
//
// Usage: node .ci/load-program.js <stack>    (exit 0 when both loads registered a bucket and snapshots)
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const stack = process.argv[2] || "dev";
const project = require("js-yaml").load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
const cliTsconfig =
  (project.runtime && project.runtime.options && project.runtime.options.tsconfig) || "";

let failed = false;
for (const [mode, tsconfig, expectTranspileOnly] of [
  ["as the CLI starts it", cliTsconfig, true],
  ["type-checked", "tsconfig.json", false],
]) {
  const run = spawnSync(
    process.execPath,
    [path.join(root, "bench", "cliLoadChild.js"), ".", stack, tsconfig],
    { cwd: root, encoding: "utf8" },
  );
  const line = (run.stdout || "").split("\n").find((l) => l.startsWith("BENCH_RESULT "));
  const result = line ? JSON.parse(line.slice("BENCH_RESULT ".length)) : undefined;
  const problem = !result
    ? `no result (exit ${run.status}): ${(run.stderr || "").trim().split("\n").slice(-5).join(" | ")}`
    : result.error
      ? result.error
      : result.snapshots === 0
        ? `registered no Snapshot (${result.resources} resources)`
        : result.transpileOnly !== expectTranspileOnly
          ? `ts-node ran with transpileOnly=${result.transpileOnly}, expected ${expectTranspileOnly}`
          : undefined;
  if (problem) {
    failed = true;
    console.error(`load-program: ${stack} ${mode} (${tsconfig || "tsconfig.json"}): ${problem}`);
  } else {
    console.log(
      `load-program: ${stack} ${mode} (${tsconfig}): ${result.resources} resources, ${result.snapshots} snapshot(s) in ${Math.round(result.loadMs)} ms`,
    );
  }
}
process.exit(failed ? 1 : 0);
