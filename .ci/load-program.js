// Loads index.ts the way the Pulumi CLI's Node.js language host does (@pulumi/pulumi
// cmd/run/run.js): ts-node registered with the project's tsconfig.json, type checking ON (the
// CLI's default when PULUMI_NODEJS_TRANSPILE_ONLY is unset and the tsconfig has no `noCheck`),
// then the program run under Pulumi's mocks for one stack.
//
// CI runs it in a copy of the project installed with `npm ci --omit=dev`, the common production
// install: whatever the CLI needs to type-check and run the program must be a runtime dependency.
// Plain JavaScript on purpose: it must not need ts-node or a dev dependency to start.
//
// Usage: node .ci/load-program.js <stack>     (exit 0 when the program registered its resources)
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const stack = process.argv[2] || "dev";
process.chdir(root);

function readConfig() {
  const yaml = require("js-yaml");
  const config = {};
  const project = yaml.load(fs.readFileSync("Pulumi.yaml", "utf8"));
  for (const [key, decl] of Object.entries(project.config || {})) {
    const full = key.includes(":") ? key : `${project.name}:${key}`;
    const value = decl !== null && typeof decl === "object" ? decl.value ?? decl.default : decl;
    if (value !== undefined) config[full] = value;
  }
  const stackFile = yaml.load(fs.readFileSync(`Pulumi.${stack}.yaml`, "utf8")) || {};
  for (const [key, value] of Object.entries(stackFile.config || {})) {
    if (!(value !== null && typeof value === "object" && "secure" in value)) config[key] = value;
  }
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

async function main() {
  // As run.js: the project's tsconfig, its compiler options over the host's defaults.
  const ts = require("typescript");
  const parsed = ts.getParsedCommandLineOfConfigFile("tsconfig.json", {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  });
  const transpileEnv = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
  const transpileOnly = transpileEnv ? transpileEnv === "true" : parsed.options.noCheck === true;
  require("ts-node").register({
    compiler: "typescript",
    transpileOnly,
    project: "tsconfig.json",
    skipProject: false,
    compilerOptions: {},
  });
  console.log(
    `load-program: ${stack} with ts-node ${transpileOnly ? "transpile-only" : "type-checking"} (tsconfig.json)`,
  );

  const pulumi = require("@pulumi/pulumi");
  pulumi.runtime.setAllConfig(readConfig(), []);
  const types = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        types.push(args.type);
        const id = typeof args.inputs.bucket === "string" ? args.inputs.bucket : `${args.name}-id`;
        return { id, state: { ...args.inputs, arn: `arn:aws:s3:::${id}` } };
      },
      call: (args) =>
        args.token === "aws:index/getCallerIdentity:getCallerIdentity"
          ? { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/ci", userId: "AIDA" }
          : args.inputs,
    },
    "api-s3-load",
    stack,
    true,
  );
  let failure;
  await pulumi.runtime.runInPulumiStack(async () => {
    try {
      require(path.join(root, "index.ts"));
    } catch (error) {
      failure = error;
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  if (failure) throw failure;
  const snapshots = types.filter((t) => t.includes("coingecko:Snapshot")).length;
  if (!types.includes("aws:s3/bucket:Bucket") || snapshots === 0) {
    throw new Error(`the program registered no bucket or no snapshot (${types.join(", ")})`);
  }
  console.log(`load-program: ${stack}: ${types.length} resources, ${snapshots} snapshot(s)`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`load-program: ${stack}: ${error && error.message ? error.message : error}`);
    process.exit(1);
  },
);
