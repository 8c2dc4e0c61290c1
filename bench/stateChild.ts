/**
 * Item 3, the Pulumi half: registers one Snapshot and, per payload file given on the command line,
 * one `aws.s3.BucketObjectv2` holding that payload (as a `StringAsset` source, and as `content`),
 * under Pulumi's mocks, and reports the inputs exactly as they were registered.
 *
 * Under mocks an asset arrives as an object whose `text` is a promise; it is written back in the
 * form Pulumi keeps in state (signature, sha256 hash and the full text), so its size is honest.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { emitResult } from "./common";

/** The signature key and value Pulumi marks a serialized asset with. */
const ASSET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";

export const MOCK_BUCKET = "api-s3-load-dev-a1b2c3d";

export interface StateChildResult {
  snapshotInputs: Record<string, unknown>;
  objects: { payloadBytes: number; sourceAssetInputs: number; contentInputs: number }[];
}

async function toStateForm(value: unknown): Promise<unknown> {
  if (pulumi.asset.Asset.isInstance(value)) {
    const text = await (value as unknown as { text: Promise<string> }).text;
    return {
      [ASSET_SIG_KEY]: ASSET_SIG,
      hash: createHash("sha256").update(text).digest("hex"),
      text,
    };
  }
  if (Array.isArray(value)) {
    return Promise.all((value as unknown[]).map(toStateForm));
  }
  if (typeof value === "object" && value !== null) {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await toStateForm(v)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

async function main(): Promise<void> {
  const payloadFiles = process.argv.slice(2);
  const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "api-s3-load",
    "bench",
    false,
  );
  const aws = require("@pulumi/aws") as typeof import("@pulumi/aws");
  const { Snapshot } = require("../components/snapshot") as typeof import("../components/snapshot");

  // What index.ts passes for the default snapshot of a stack on AWS (public plan: no key).
  new Snapshot("coins-markets", {
    snapshotName: "coins-markets",
    endpoint: "coins/markets",
    params: { vs_currency: "usd", order: "market_cap_desc", per_page: 100, page: 1 },
    key: "coingecko/coins-markets.json",
    bucket: MOCK_BUCKET,
    plan: "public",
    baseUrl: "https://api.coingecko.com/api/v3",
    region: "us-east-1",
    s3ForcePathStyle: false,
    encryption: { algorithm: "AES256" },
  });
  payloadFiles.forEach((file, i) => {
    const payload = readFileSync(file, "utf8");
    new aws.s3.BucketObjectv2(`asset-${i}`, {
      bucket: MOCK_BUCKET,
      key: "coingecko/coins-markets.json",
      contentType: "application/json",
      source: new pulumi.asset.StringAsset(payload),
    });
    new aws.s3.BucketObjectv2(`content-${i}`, {
      bucket: MOCK_BUCKET,
      key: "coingecko/coins-markets.json",
      contentType: "application/json",
      content: payload,
    });
  });

  const expected = 1 + 2 * payloadFiles.length;
  for (let waited = 0; registered.length < expected; waited += 20) {
    if (waited > 60_000) {
      throw new Error(`Only ${registered.length} of ${expected} resources registered within 60 s.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const byName = (name: string) => registered.find((r) => r.name === name)?.inputs ?? {};
  const size = async (inputs: Record<string, unknown>) =>
    Buffer.byteLength(JSON.stringify(await toStateForm(inputs)));
  const objects: StateChildResult["objects"] = [];
  for (const [i, file] of payloadFiles.entries()) {
    objects.push({
      payloadBytes: readFileSync(file).length,
      sourceAssetInputs: await size(byName(`asset-${i}`)),
      contentInputs: await size(byName(`content-${i}`)),
    });
  }
  emitResult({ snapshotInputs: byName("coins-markets"), objects } satisfies StateChildResult);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
