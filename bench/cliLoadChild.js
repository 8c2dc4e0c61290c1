/* eslint-disable @typescript-eslint/no-require-imports */
// Loads a program the way the Pulumi CLI's Node.js language host does: @pulumi/pulumi's own
// cmd/run/run.js `run()` reads the tsconfig the host names (PULUMI_NODEJS_TSCONFIG_PATH, set from
// Pulumi.yaml `runtime.options.tsconfig`), registers ts-node with or without type checking, and
// requires the program, here under Pulumi's mocks with a stack file's config.
//
// Plain JavaScript on purpose: run.js must be the only ts-node registration in the process (a
// second one, such as `-r ts-node/register`, would compile every file twice).
//
// Usage: node bench/cliLoadChild.js <program> <stack> [tsconfig]
//   <program>   "." for the project (package.json `main`, as the CLI passes it) or a .ts file
//   [tsconfig]  the path the host passes; omitted, run.js falls back to tsconfig.json
// Prints one `BENCH_RESULT <json>` line: loadMs (run() start to the program's end), transpileOnly
// (as the registered ts-node saw it), resources and snapshots registered, error (message) if any.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { performance } = require("node:perf_hooks");

const root = path.resolve(__dirname, "..");
const [program, stack, tsconfig] = process.argv.slice(2);

/** Project defaults from Pulumi.yaml, then the stack file's plain values, as the CLI layers them. */
function stackConfig() {
  const yaml = require("js-yaml");
  const config = {};
  const project = yaml.load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
  for (const [key, decl] of Object.entries(project.config || {})) {
    const full = key.includes(":") ? key : `${project.name}:${key}`;
    const value = decl !== null && typeof decl === "object" ? (decl.value ?? decl.default) : decl;
    if (value !== undefined) {
      config[full] = value;
    }
  }
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  const stackFile = yaml.load(fs.readFileSync(file, "utf8")) || {};
  for (const [key, value] of Object.entries(stackFile.config || {})) {
    if (!(value !== null && typeof value === "object" && "secure" in value)) {
      config[key] = value;
    }
  }
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

async function main() {
  process.chdir(root);
  // What the language host sets for `runtime.options.typescript: true` and `tsconfig`.
  process.env.PULUMI_NODEJS_TYPESCRIPT = "true";
  delete process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
  if (tsconfig) {
    process.env.PULUMI_NODEJS_TSCONFIG_PATH = tsconfig;
  } else {
    delete process.env.PULUMI_NODEJS_TSCONFIG_PATH;
  }
  const pulumi = require("@pulumi/pulumi");
  pulumi.runtime.setAllConfig(stackConfig(), []);
  const types = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        types.push(args.type);
        const id = `${args.name}-id`;
        return { id, state: { ...args.inputs, bucket: id, arn: `arn:aws:s3:::${id}` } };
      },
      call: (args) =>
        args.token === "aws:index/getCallerIdentity:getCallerIdentity"
          ? { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/ci", userId: "AIDA" }
          : args.inputs,
    },
    "api-s3-load",
    stack,
    false,
  );
  // run.js requires its folder's index.js for one constant; that module is the host's `main`,
  // which insists on a --monitor address, so it is stood in for with the constant it exports.
  const hostMain = require.resolve("@pulumi/pulumi/cmd/run/index.js");
  require.cache[hostMain] = {
    id: hostMain,
    filename: hostMain,
    loaded: true,
    exports: { nodeJSProcessExitedAfterLoggingUserActionableMessage: 32 },
  };
  const { run } = require("@pulumi/pulumi/cmd/run/run");
  let error;
  const started = performance.now();
  try {
    await run(
      { _: [program] },
      () => undefined,
      () => undefined,
      () => false,
    );
  } catch (err) {
    error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  const loadMs = performance.now() - started;
  const service = process[Symbol.for("ts-node.register.instance")];
  process.stdout.write(
    `BENCH_RESULT ${JSON.stringify({
      loadMs,
      transpileOnly: service ? service.options.transpileOnly === true : null,
      resources: types.length,
      snapshots: types.filter((t) => t.endsWith(":Snapshot")).length,
      error,
    })}\n`,
  );
}

main().then(
  () => {
    // Under mocks the Stack resource's output promises never settle, which Pulumi's exit hook
    // reports as leaked promises with exit code 1; the result line is out, so the run succeeded.
    process.on("exit", () => {
      process.exitCode = 0;
    });
    process.exit(0);
  },
  (err) => {
    process.stderr.write(`${(err && err.stack) || err}\n`);
    process.exit(1);
  },
);
