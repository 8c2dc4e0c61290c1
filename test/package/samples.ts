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
