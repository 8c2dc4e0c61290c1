/**
 * Item 5, one measurement: runs index.ts under Pulumi's mocks with `N` snapshots in
 * `api-s3-load:snapshots`, in a fresh process, and reports how long registration took.
 *
 * Two figures: `programMs`, from `require("../index")` to the last resource registration, with
 * @pulumi/pulumi, @pulumi/aws and @pulumi/command already loaded (the part that grows with N), and
 * `coldMs`, from process start to the last registration (Node, ts-node and the imports included).
 */
import { performance } from "node:perf_hooks";
import { emitResult } from "./common";

export interface ProgramChildResult {
  snapshots: number;
  resources: number;
  snapshotResources: number;
  importMs: number;
  programMs: number;
  coldMs: number;
}

async function main(): Promise<void> {
  const count = Number(process.argv[2]);
  const importStarted = performance.now();
  const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
  require("@pulumi/aws");
  require("@pulumi/command");
  const importMs = performance.now() - importStarted;

  const snapshots = Array.from({ length: count }, (_, i) => ({
    name: `coins-markets-${i + 1}`,
    endpoint: "coins/markets",
    params: { vs_currency: "usd", order: "market_cap_desc", per_page: 250, page: i + 1 },
  }));
  pulumi.runtime.setAllConfig({
    "aws:region": "us-east-1",
    "api-s3-load:forceDestroy": "true",
    "api-s3-load:tags": JSON.stringify({ environment: "bench" }),
    "api-s3-load:snapshots": JSON.stringify(snapshots),
  });

  const types: string[] = [];
  let lastRegistration = 0;
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        types.push(args.type);
        lastRegistration = performance.now();
        const id =
          args.type === "aws:s3/bucket:Bucket" ? `${args.name}-a1b2c3d` : `${args.name}-id`;
        const state =
          args.type === "aws:s3/bucket:Bucket"
            ? { ...args.inputs, bucket: id, arn: `arn:aws:s3:::${id}` }
            : {
                ...args.inputs,
                etag: '"mock-etag"',
                sha256: "0".repeat(64),
                bytes: 2,
                itemCount: 1,
              };
        return { id, state };
      },
      call: (args) => {
        lastRegistration = performance.now();
        switch (args.token) {
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return {
              accountId: "123456789012",
              arn: "arn:aws:iam::123456789012:user/bench",
              userId: "AIDA",
              id: "123456789012",
            };
          case "aws:index/getRegion:getRegion":
            return { name: "us-east-1", region: "us-east-1", id: "us-east-1" };
          default:
            return args.inputs;
        }
      },
    },
    "api-s3-load",
    "bench",
    false,
  );

  const started = performance.now();
  require("../index");
  // Mocks give no completion signal: wait until registrations have stopped for 300 ms.
  let seen = -1;
  let quiet = 0;
  while (quiet < 15) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    quiet = types.length === seen ? quiet + 1 : 0;
    seen = types.length;
  }
  emitResult({
    snapshots: count,
    resources: types.length,
    snapshotResources: types.filter((t) => t === "pulumi-nodejs:dynamic/coingecko:Snapshot").length,
    importMs,
    programMs: lastRegistration - started,
    coldMs: lastRegistration,
  } satisfies ProgramChildResult);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
