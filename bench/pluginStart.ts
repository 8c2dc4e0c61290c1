/**
 * Issue 26: how soon the package's plugin answers GetSchema after the CLI spawns it. Each run is a
 * fresh process started as the Node.js language host starts a source plugin
 * (`node @pulumi/pulumi/cmd/run-plugin <folder> <engine>`), timed from spawn to the GetSchema
 * answer. Rounds alternate our plugin (provider/) with a floor: a plugin of a few lines in a
 * temporary folder that serves an empty schema through the same `@pulumi/pulumi/provider`, which
 * is what run-plugin itself costs (it loads typescript, ts-node and @pulumi/pulumi).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT, progress, spread, type Spread } from "./common";
import { assertPluginBuilt, startPackageProvider } from "../test/helpers/packageProviderHost";
import * as grpc from "@grpc/grpc-js";
import * as provRpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provProto from "@pulumi/pulumi/proto/provider_pb";
import {
  PULUMI_CMD_DIR,
  callUnary,
  spawnPulumiHost,
  startFakeEngine,
} from "../test/helpers/pulumiHost";

export interface PluginStartResults {
  runs: number;
  /**
   * The plugin's own share, without run-plugin: in a fresh Node process that has already loaded
   * `@pulumi/pulumi/provider`, requiring the plugin's provider module and reading its schema.
   */
  ownMs: Spread;
  /** Spawn to GetSchema answered, our plugin. */
  oursMs: Spread;
  /** The same for the floor plugin (run-plugin and @pulumi/pulumi/provider alone). */
  floorMs: Spread;
  schemaBytes: number;
}

/** A minimal plugin: the provider server with an empty schema, no modules of ours. */
function floorPlugin(): string {
  const dir = mkdtempSync(join(tmpdir(), "api-s3-load-floor-plugin-"));
  writeFileSync(join(dir, "PulumiPlugin.yaml"), "runtime: nodejs\n");
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "floor", version: "0.0.0", main: "index.js" }),
  );
  writeFileSync(
    join(dir, "index.js"),
    [
      `const { main } = require(${JSON.stringify(join(PROJECT_ROOT, "node_modules", "@pulumi", "pulumi", "provider"))});`,
      'main({ version: "0.0.0", schema: "{}" }, process.argv.slice(2));',
      "",
    ].join("\n"),
  );
  return dir;
}

/** Spawns run-plugin on `folder` and returns the ms until GetSchema answered, and the schema size. */
async function schemaAfterSpawn(folder: string): Promise<{ ms: number; bytes: number }> {
  const engine = await startFakeEngine();
  const started = performance.now();
  const host = await spawnPulumiHost({
    program: join(PULUMI_CMD_DIR, "run-plugin"),
    args: [folder, engine.address],
    cwd: PROJECT_ROOT,
  });
  const client = new provRpc.ResourceProviderClient(
    host.address,
    grpc.credentials.createInsecure(),
  );
  try {
    const res = await callUnary<provProto.GetSchemaResponse>("GetSchema", (cb) =>
      client.getSchema(new provProto.GetSchemaRequest(), cb),
    );
    return { ms: performance.now() - started, bytes: Buffer.byteLength(res.getSchema()) };
  } finally {
    client.close();
    await host.stop();
    await engine.stop();
  }
}

/** The plugin's own load (see `ownMs`), in a fresh process. */
function ownLoadMs(): number {
  const script = [
    'require("@pulumi/pulumi/provider");',
    "const t0 = performance.now();",
    'const { ApiS3LoadProvider } = require("./provider/dist/provider/src/provider");',
    "new ApiS3LoadProvider().getSchema().then(() => console.log(performance.now() - t0));",
  ].join("\n");
  const run = spawnSync(process.execPath, ["-e", script], { cwd: PROJECT_ROOT, encoding: "utf8" });
  if (run.status !== 0) {
    throw new Error(`Loading the plugin's provider module failed: ${run.stderr}`);
  }
  return Number(run.stdout.trim());
}

export async function benchPluginStart(runs: number): Promise<PluginStartResults> {
  assertPluginBuilt();
  // One untimed start of each, so the first timed one does not pay for a cold file cache.
  const floor = floorPlugin();
  try {
    await (await startPackageProvider()).stop();
    await schemaAfterSpawn(floor);
    const ours: number[] = [];
    const floors: number[] = [];
    const own: number[] = [];
    let schemaBytes = 0;
    for (let round = 1; round <= runs; round += 1) {
      const mine = await schemaAfterSpawn("provider");
      const base = await schemaAfterSpawn(floor);
      ours.push(mine.ms);
      floors.push(base.ms);
      own.push(ownLoadMs());
      schemaBytes = mine.bytes;
      progress(
        `plugin start round ${round}/${runs}: ours ${Math.round(mine.ms)} ms, floor ${Math.round(base.ms)} ms, own load ${Math.round(own[own.length - 1])} ms`,
      );
    }
    return {
      runs,
      ownMs: spread(own),
      oursMs: spread(ours),
      floorMs: spread(floors),
      schemaBytes,
    };
  } finally {
    rmSync(floor, { recursive: true, force: true });
  }
}
