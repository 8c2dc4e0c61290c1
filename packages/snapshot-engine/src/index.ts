/**
 * @api-s3-load/snapshot-engine: fetch → validate → format → write of one CoinGecko snapshot.
 * Requiring it is cheap and side-effect free; the AWS SDK and node-fetch load on first use.
 */
export * from "./types";
export { ENGINE_VERSION, USER_AGENT, UNKNOWN } from "./version";
export { isPlan, PLAN_NAMES, planDefaults } from "./plans";
export { COINGECKO_PAGINATION, COINGECKO_PRESET_NAME } from "./presets/coingecko";
export type { PlanDefaults } from "./plans";
export { count } from "./count";
export { maxAgePeriod, parseDuration } from "./duration";
export {
  defaultSnapshotKey,
  keyProblem,
  sourcedSnapshotKey,
  validateSnapshotInputs,
} from "./validateInputs";
export {
  declaredPageSize,
  DEFAULT_MAX_PAGES,
  MAX_MAX_PAGES,
  PAGINATION_TYPES,
  RESET_FORMATS,
  RULE_ACTIONS,
  secretEnvName,
  sourceProblems,
} from "./sources/model";
export type {
  AuthSpec,
  ErrorRule,
  Pagination,
  PaginationType,
  RateLimitSpec,
  ResetFormat,
  SourceDefinition,
  SourceProblem,
} from "./sources/model";
export { parsePath, pathProblem, readPath } from "./sources/path";
export { nextLink, parseLinkHeader } from "./sources/linkHeader";
export { SnapshotError } from "./errors";
export type { SnapshotErrorKind } from "./errors";
export { runSnapshot, DEFAULT_MAX_BYTES, DEFAULT_PAGE_CONCURRENCY } from "./run";
export type { RunOptions } from "./run";
export { createS3Client, headSnapshot, deleteSnapshot, sameEtag } from "./s3";
export type { DeleteOutcome } from "./s3";
export type { S3ClientOptions, S3Endpoint } from "./s3";
export { RateLimiter } from "./rateLimiter";
export type { RateLimiterOptions, RateLimitWait } from "./rateLimiter";
export { DEFAULT_RETRY_POLICY, snapshotRetryPolicy } from "./retryPolicy";
export type { RetryPolicy } from "./retryPolicy";
export { defaultFetch } from "./transport";
export type { FetchLike, FetchInitLike, FetchResponseLike } from "./transport";
export { itemCount, formatPayload } from "./payload";
export * from "./lifecycle";
