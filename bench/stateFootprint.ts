/**
 * Item 3: the state one Snapshot resource leaves, against `aws.s3.BucketObjectv2` holding the same
 * payload.
 *
 * Snapshot: the inputs as Pulumi registers them (serialized provider `__provider` included), plus
 * the outputs the dynamic-provider host stores: the engine's `createSnapshot` outputs of a real
 * write of that payload (to s3rver) with `__provider` added, as Pulumi's host does. The echoed
 * inputs in those outputs are the registered (AWS-stack) ones, so localhost URLs do not skew sizes.
 *
 * BucketObjectv2: the registered inputs with the asset in its state form, counted twice because
 * the AWS provider echoes `source` / `content` into its outputs (plus a few computed fields, ignored).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { createSnapshot, SNAPSHOT_SCHEMA_VERSION } from "@api-s3-load/snapshot-engine";
import { startFakeCoingecko } from "../test/helpers/fakeCoingecko";
import { startS3Server } from "../test/helpers/s3Server";
import { progress, runChild, s3rverClient } from "./common";
import type { StateChildResult } from "./stateChild";

const BUCKET = "bench-state";
export const PAYLOADS = [
  { label: "10 KB", bytes: 10 * 1024 },
  { label: "1 MB", bytes: 1024 * 1024 },
  { label: "10 MB", bytes: 10 * 1024 * 1024 },
] as const;

export interface StateRow {
  label: string;
  /** Bytes of the stored object (pretty JSON). */
  payloadBytes: number;
  providerBytes: number;
  snapshotInputsBytes: number;
  snapshotOutputsBytes: number;
  snapshotStateBytes: number;
  /** BucketObjectv2 with `source: new StringAsset(payload)`: inputs + echoed outputs. */
  assetStateBytes: number;
  /** BucketObjectv2 with `content: payload`: inputs + echoed outputs. */
  contentStateBytes: number;
}

export async function benchStateFootprint(): Promise<StateRow[]> {
  const api = await startFakeCoingecko();
  const s3 = await startS3Server([BUCKET]);
  const client = s3rverClient(s3.endpoint);
  const directory = mkdtempSync(join(tmpdir(), "api-s3-load-bench-state-"));
  try {
    const written: { label: string; file: string; outs: Record<string, unknown> }[] = [];
    for (const payload of PAYLOADS) {
      progress(`state footprint: writing a ${payload.label} snapshot`);
      // One answer of about `bytes` of JSON list, which the engine stores pretty-printed.
      api.pushFault({ kind: "oversize", bytes: payload.bytes, times: 1 });
      const key = `coingecko/state-${payload.bytes}.json`;
      const inputs = {
        name: "coins-markets",
        endpoint: "coins/markets",
        params: { vs_currency: "usd" },
        key,
        bucket: BUCKET,
        plan: "public" as const,
        baseUrl: api.baseUrl,
        s3Endpoint: s3.endpoint,
        s3ForcePathStyle: true,
        schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      };
      const { outs } = await createSnapshot(inputs, { s3: client });
      // What the write added to the echoed inputs; the echoed part is taken from the registered
      // (AWS-stack) inputs below, so localhost URLs do not skew the sizes.
      const computed = Object.fromEntries(
        Object.entries(outs).filter(([name]) => !(name in inputs)),
      );
      const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      const file = join(directory, `payload-${payload.bytes}.json`);
      writeFileSync(file, Buffer.from(await object.Body!.transformToByteArray()));
      written.push({
        label: payload.label,
        file,
        outs: computed,
      });
    }

    progress("state footprint: registering resources under Pulumi mocks (child process)");
    const child = await runChild<StateChildResult>(
      "stateChild.ts",
      written.map((w) => w.file),
    );
    const { __provider: provider, ...echoed } = child.snapshotInputs;
    const providerBytes = Buffer.byteLength(String(provider));
    const snapshotInputsBytes = Buffer.byteLength(JSON.stringify(child.snapshotInputs));
    return written.map((w, i) => {
      const outputs = { ...echoed, ...w.outs, __provider: provider };
      const snapshotOutputsBytes = Buffer.byteLength(JSON.stringify(outputs));
      const object = child.objects[i];
      return {
        label: w.label,
        payloadBytes: object.payloadBytes,
        providerBytes,
        snapshotInputsBytes,
        snapshotOutputsBytes,
        snapshotStateBytes: snapshotInputsBytes + snapshotOutputsBytes,
        assetStateBytes: 2 * object.sourceAssetInputs,
        contentStateBytes: 2 * object.contentInputs,
      };
    });
  } finally {
    rmSync(directory, { recursive: true, force: true });
    client.destroy();
    await s3.stop();
    await api.stop();
  }
}
