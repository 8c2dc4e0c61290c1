/**
 * One pipeline scenario in its own process, so its peak RSS is its own: `approach pages concurrency
 * runs baseUrl s3Endpoint bucket`. Every approach loads the same modules before the baseline RSS is
 * read, so the "over baseline" figures compare the work, not the imports.
 *
 * - ours: the engine's `runSnapshot` (fetch, validate, format, sha256, HEAD, conditional PUT).
 * - naive: the original script: pages one after another, JSON.parse, JSON.stringify(…, null, 2), one PUT.
 * - floor: the same pages with the same concurrency, raw bytes concatenated and PUT as they are.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { emitResult, s3rverClient } from "./common";

export type Approach = "ours" | "naive" | "floor";

export interface PipelineChildResult {
  timesMs: number[];
  baselineRssKb: number;
  peakRssKb: number;
}

const PER_PAGE = 250;

function pageUrl(baseUrl: string, page: number): string {
  return `${baseUrl}/coins/markets?page=${page}&per_page=${PER_PAGE}&vs_currency=usd`;
}

async function main(): Promise<void> {
  const [approach, pagesText, concurrencyText, runsText, baseUrl, s3Endpoint, bucket] =
    process.argv.slice(2);
  const pages = Number(pagesText);
  const concurrency = Number(concurrencyText);
  const runs = Number(runsText);
  const engine =
    require("@api-s3-load/snapshot-engine") as typeof import("@api-s3-load/snapshot-engine");
  const fetch = require("node-fetch") as typeof import("node-fetch").default;
  const { PutObjectCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
  const s3: S3Client = s3rverClient(s3Endpoint);
  const baselineRssKb = process.resourceUsage().maxRSS;

  const put = (key: string, body: Buffer | string) =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: "application/json",
      }),
    );

  const once = async (key: string): Promise<void> => {
    switch (approach as Approach) {
      case "ours": {
        await engine.runSnapshot(
          {
            name: "bench",
            endpoint: "coins/markets",
            params: { vs_currency: "usd", per_page: PER_PAGE },
            pages,
            key,
          },
          // High enough that the limiter never waits here; it is measured on its own (rate limit).
          { plan: "public", baseUrl, callsPerMinute: 1_000_000 },
          { bucket, endpoint: s3Endpoint, forcePathStyle: true, region: "us-east-1" },
          { s3, pageConcurrency: concurrency, maxConcurrency: Math.max(4, concurrency) },
        );
        return;
      }
      case "naive": {
        const items: unknown[] = [];
        for (let page = 1; page <= pages; page += 1) {
          const response = await fetch(pageUrl(baseUrl, page));
          items.push(...(JSON.parse(await response.text()) as unknown[]));
        }
        await put(key, JSON.stringify(items, null, 2));
        return;
      }
      case "floor": {
        const parts: Buffer[] = [];
        let next = 1;
        const worker = async () => {
          while (next <= pages) {
            const page = next;
            next += 1;
            const response = await fetch(pageUrl(baseUrl, page));
            parts[page - 1] = await response.buffer();
          }
        };
        await Promise.all(Array.from({ length: Math.min(concurrency, pages) }, worker));
        await put(key, Buffer.concat(parts));
        return;
      }
      default:
        throw new Error(`Unknown approach "${approach}": use ours, naive or floor.`);
    }
  };

  // One untimed warm-up run: JIT, lazy SDK modules and keep-alive sockets, the same for all.
  await once(`bench/${approach}-${pages}-c${concurrency}-warmup.json`);
  const timesMs: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    // A fresh key each run, so ours always takes its create path (HEAD 404, then PUT).
    const started = process.hrtime.bigint();
    await once(`bench/${approach}-${pages}-c${concurrency}-${run}.json`);
    timesMs.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  s3.destroy();
  emitResult({
    timesMs,
    baselineRssKb,
    peakRssKb: process.resourceUsage().maxRSS,
  } satisfies PipelineChildResult);
  // Idle keep-alive sockets of Node 20's global agent would otherwise hold the process open.
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
