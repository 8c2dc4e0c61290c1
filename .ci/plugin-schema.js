#!/usr/bin/env node
/* eslint-disable @typescript-eslint/no-require-imports */
// Starts the api-s3-load package plugin (provider/) as the Pulumi CLI's Node.js language host
// starts a source plugin, `node @pulumi/pulumi/cmd/run-plugin provider <engine>` from the
// repository root, and asks it for its schema over gRPC; it must be provider/schema.json. Plain
// JavaScript with only what a production install has (@grpc/grpc-js through @pulumi/pulumi), so
// .ci/run can run it after `npm ci --omit=dev`. Prints the time from spawn to the answer.
"use strict";
const { spawn } = require("node:child_process");
const { readFileSync } = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [root] }));
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
const provRpc = require(path.join(pulumiDir, "proto", "provider_grpc_pb"));
const provProto = require(path.join(pulumiDir, "proto", "provider_pb"));

function fail(message) {
  console.error(`plugin-schema: ${message}`);
  process.exit(1);
}

async function main() {
  // The engine's address the plugin is given; GetSchema never calls it, so it serves nothing.
  const engine = new grpc.Server();
  const enginePort = await new Promise((ok, no) =>
    engine.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? no(e) : ok(p),
    ),
  );
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [path.join(pulumiDir, "cmd", "run-plugin"), "provider", `127.0.0.1:${enginePort}`],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => {
    child.kill("SIGKILL");
    fail(`the plugin printed no port within 60 s; its stderr:\n${stderr}`);
  }, 60_000);
  const port = await new Promise((ok) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n")[0];
      if (out.includes("\n")) {
        ok(line.trim());
      }
    });
    child.on("exit", (code) =>
      fail(`the plugin exited (code ${code}) before printing its port:\n${stderr}`),
    );
  });
  if (!/^\d+$/.test(port)) {
    fail(`the plugin printed "${port}" where the engine expects its port`);
  }
  const client = new provRpc.ResourceProviderClient(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  );
  const schema = await new Promise((ok, no) =>
    client.getSchema(new provProto.GetSchemaRequest(), (e, res) =>
      e ? no(e) : ok(res.getSchema()),
    ),
  );
  const elapsed = performance.now() - started;
  clearTimeout(timer);
  client.close();
  child.removeAllListeners("exit");
  child.kill("SIGTERM");
  engine.forceShutdown();
  if (schema !== readFileSync(path.join(root, "provider", "schema.json"), "utf8")) {
    fail("GetSchema answered something other than provider/schema.json");
  }
  console.log(
    `plugin-schema: GetSchema answered with provider/schema.json ${Math.round(elapsed)} ms after spawn`,
  );
}

main().catch((error) => fail(error && error.stack ? error.stack : String(error)));
