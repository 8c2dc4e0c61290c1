/**
 * One valid value of every Snapshot input, as a program in another language would pass it: the
 * schema tests check each against its schema type and the engine's check.
 */
import { SNAPSHOT_TOKEN } from "../../provider/src/tokens";
import { urnFor } from "../helpers/packageProviderHost";

export const SNAPSHOT_URN = urnFor(SNAPSHOT_TOKEN, "markets");

export const SNAPSHOT_SAMPLE: Record<string, unknown> = {
  bucket: "data-bucket",
  key: "coingecko/coins-markets.json",
  snapshotName: "coins-markets",
  endpoint: "coins/markets",
  params: { vs_currency: "usd", per_page: 5, include_tokens: false },
  pages: 2,
  maxAge: "PT1H",
  minItems: 1,
  maxBytes: 1_000_000,
  requiredFields: ["id", "current_price"],
  timeoutSeconds: 30,
  gzip: false,
  cacheControl: "max-age=60",
  tags: { team: "data" },
  plan: "demo",
  baseUrl: "http://127.0.0.1:9/api/v3",
  callsPerMinute: 30,
  apiKey: "CG-sampleKey0123456789",
  region: "us-east-1",
  s3Endpoint: "http://127.0.0.1:9",
  s3ForcePathStyle: true,
  encryption: { algorithm: "aws:kms", kmsKeyId: "alias/data" },
  refresh: "2026-12-06",
  adopt: false,
};

/**
 * One valid value of every input a Snapshot of a declared source takes, with a source that sets
 * every field its pagination type allows; with SNAPSHOT_SAMPLE it covers every Snapshot input.
 */
export const SOURCED_SNAPSHOT_SAMPLE: Record<string, unknown> = {
  bucket: "data-bucket",
  key: "feed/things.json",
  snapshotName: "things",
  endpoint: "things",
  params: { size: 50 },
  maxPages: 5,
  apiKey: "sampleSourceKey0123456789",
  source: {
    name: "feed",
    baseUrl: "https://api.example.com/v1",
    pagination: { type: "cursor", param: "after", from: { header: "x-next-cursor" }, first: "*" },
    records: "$.data",
    rateLimit: {
      calls: 60,
      windowSeconds: 60,
      remainingHeader: "x-ratelimit-remaining",
      resetHeader: "x-ratelimit-reset",
      resetFormat: "epoch-seconds",
    },
    auth: { in: "header", name: "Authorization", scheme: "Bearer", secret: "feedToken" },
    errors: {
      rules: [
        { status: 200, bodyPath: "$.error", equals: true, action: "fail", hint: "check the query" },
      ],
    },
  },
};
