/**
 * Item 4: what a re-deploy costs in requests. A Snapshot is created once; then an unchanged preview
 * (the provider's `check` + `diff`, what `pulumi preview` calls), an update whose data did not change
 * (forced by a new `refresh` value) and a refresh (`read`) are counted at the fake API and at the
 * proxy in front of s3rver.
 */
import {
  createSnapshot,
  readSnapshot,
  SNAPSHOT_SCHEMA_VERSION,
  updateSnapshot,
  type SnapshotInputs,
} from "@api-s3-load/snapshot-engine";
import { snapshotProvider } from "../components/snapshot/provider";
import { startFakeCoingecko } from "../test/helpers/fakeCoingecko";
import { startFaultProxy } from "../test/helpers/faultProxy";
import { startS3Server } from "../test/helpers/s3Server";
import { progress, s3rverClient } from "./common";

const BUCKET = "bench-redeploy";

export interface RedeployRow {
  step: string;
  apiRequests: number;
  s3Requests: Record<string, number>;
  puts: number;
  /** What the step decided, in a few words. */
  outcome: string;
  target?: { what: "apiRequests" | "puts"; value: number };
}

export async function benchRedeploy(): Promise<RedeployRow[]> {
  const api = await startFakeCoingecko();
  const s3 = await startS3Server([BUCKET]);
  const proxy = await startFaultProxy(s3.endpoint);
  const client = s3rverClient(proxy.endpoint);
  const rows: RedeployRow[] = [];
  const record = (step: string, outcome: string, target?: RedeployRow["target"]) => {
    const s3Requests: Record<string, number> = {};
    for (const request of proxy.requests) {
      s3Requests[request.method] = (s3Requests[request.method] ?? 0) + 1;
    }
    rows.push({
      step,
      apiRequests: api.requests.length,
      s3Requests,
      puts: s3Requests.PUT ?? 0,
      outcome,
      target,
    });
    api.reset();
    proxy.reset();
  };
  try {
    progress("re-deploy: create, unchanged preview, unchanged update, refresh");
    const inputs: SnapshotInputs = {
      name: "coins-markets",
      endpoint: "coins/markets",
      params: { vs_currency: "usd", per_page: 100 },
      pages: 2,
      key: "coingecko/coins-markets.json",
      maxAge: "PT1H",
      bucket: BUCKET,
      plan: "public",
      baseUrl: api.baseUrl,
      callsPerMinute: 1_000,
      s3Endpoint: proxy.endpoint,
      s3ForcePathStyle: true,
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    };
    const created = await createSnapshot(inputs, { s3: client });
    record("first deploy (create, 2 pages)", `wrote ${created.outs.bytes} bytes`);

    const checked = await snapshotProvider.check!(created.outs, inputs);
    const diff = await snapshotProvider.diff!(created.id, created.outs, checked.inputs ?? inputs);
    record(
      "preview of the unchanged stack (check + diff)",
      diff.changes ? "changes" : "no changes",
      {
        what: "apiRequests",
        value: 0,
      },
    );

    const news: SnapshotInputs = { ...inputs, refresh: "forced" };
    const forced = await snapshotProvider.diff!(created.id, created.outs, news);
    const updated = await updateSnapshot(created.outs, news, { s3: client });
    record(
      "update with unchanged data (new refresh value)",
      `diff: ${forced.changes ? "update" : "none"}; ${updated.outs.unchanged ? "payload unchanged, nothing written" : "written"}`,
      { what: "puts", value: 0 },
    );

    const read = await readSnapshot(created.id, updated.outs, { s3: client });
    record("refresh (read)", read.props?.sha256 === updated.outs.sha256 ? "no drift" : "drift");
  } finally {
    client.destroy();
    await proxy.stop();
    await s3.stop();
    await api.stop();
  }
  return rows;
}
