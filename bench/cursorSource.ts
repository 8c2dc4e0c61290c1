/**
 * Issue 25: a cursor-paged declared source (OpenAlex's style) against the sequential floor: the
 * same pages fetched one after another with plain `fetch`, their records joined and PUT once.
 * Cursor paging learns each page from the one before, so the floor is sequential too; the target
 * is that the engine adds nothing but its own work (≤ 1.10× the floor).
 *
 * In this process, like the rate-limit item: the fake API (test/helpers/fakeApis) answers each
 * request after `latencyMs`, s3rver stores. Ours and the floor alternate within each round.
 */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { runSnapshot, type SourceDefinition } from "@api-s3-load/snapshot-engine";
import { startFakeApis } from "../test/helpers/fakeApis";
import { startS3Server } from "../test/helpers/s3Server";
import { median, progress, s3rverClient, spread, type Spread } from "./common";

const BUCKET = "bench-cursor";
const PER_PAGE = 200;

export interface CursorResults {
  pages: number;
  perPage: number;
  latencyMs: number;
  runs: number;
  /** API requests of one run (the pages, and the empty page that ends a cursor run). */
  requests: number;
  oursMs: number[];
  floorMs: number[];
  medianOursMs: number;
  medianFloorMs: number;
  /** Per-round ours ÷ floor. */
  vsFloor: Spread;
}

export async function benchCursorSource(options: {
  runs: number;
  pages: number;
  latencyMs: number;
}): Promise<CursorResults> {
  const { runs, pages, latencyMs } = options;
  const [api, s3] = await Promise.all([startFakeApis(pages * PER_PAGE), startS3Server([BUCKET])]);
  const client = s3rverClient(s3.endpoint);
  const target = { bucket: BUCKET, endpoint: s3.endpoint, forcePathStyle: true };
  const definition: SourceDefinition = {
    name: "openalex",
    baseUrl: `${api.baseUrl}/openalex`,
    pagination: { type: "cursor", param: "cursor", from: "$.meta.next_cursor", first: "*" },
    records: "$.results",
  };
  const ours = async (key: string) => {
    await runSnapshot(
      { name: "works", endpoint: "works", params: { "per-page": PER_PAGE }, key, maxPages: 1000 },
      { plan: "public", definition },
      target,
      { s3: client },
    );
  };
  const floor = async (key: string) => {
    const records: unknown[] = [];
    let cursor: string | null = "*";
    while (cursor !== null) {
      const response = await fetch(
        `${api.baseUrl}/openalex/works?cursor=${cursor}&per-page=${PER_PAGE}`,
      );
      const page = (await response.json()) as {
        meta: { next_cursor: string | null };
        results: unknown[];
      };
      records.push(...page.results);
      cursor = page.results.length === 0 ? null : page.meta.next_cursor;
    }
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: `${JSON.stringify(records, null, 2)}\n`,
        ContentType: "application/json",
      }),
    );
  };
  const time = async (run: () => Promise<void>) => {
    const started = performance.now();
    await run();
    return performance.now() - started;
  };
  try {
    // Warm-up: lazy requires, the SDK, the sockets.
    await ours("warm/ours.json");
    await floor("warm/floor.json");
    api.fail({ kind: "slow", ms: latencyMs });
    api.requests.length = 0;
    const oursMs: number[] = [];
    const floorMs: number[] = [];
    for (let round = 0; round < runs; round += 1) {
      progress(`cursor source: round ${round + 1} of ${runs}, ${pages} pages`);
      oursMs.push(await time(() => ours(`ours/${round}.json`)));
      floorMs.push(await time(() => floor(`floor/${round}.json`)));
    }
    return {
      pages,
      perPage: PER_PAGE,
      latencyMs,
      runs,
      requests: api.requests.length / (2 * runs),
      oursMs,
      floorMs,
      medianOursMs: median(oursMs),
      medianFloorMs: median(floorMs),
      vsFloor: spread(oursMs.map((value, i) => value / floorMs[i])),
    };
  } finally {
    client.destroy();
    await api.stop();
    await s3.stop();
  }
}
