import { isRecord } from "./known";

/** The four settings of an S3 public access block (bucket, account, access point, multi-region). */
export const PUBLIC_ACCESS_BLOCK_FLAGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
] as const;

/**
 * The flags explicitly set to `false` in `block`, a public access block configuration of an access
 * point or multi-region access point, where an omitted flag (or block) defaults to `true`.
 */
export function flagsTurnedOff(block: unknown): string[] {
  return isRecord(block) ? PUBLIC_ACCESS_BLOCK_FLAGS.filter((flag) => block[flag] === false) : [];
}
