import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { SnapshotError } from "./errors";

/**
 * How many items a payload holds: the length of a list, or the number of top-level keys of an
 * object (for `/simple/price` that is the number of coins; for `/global` it is 1, the `data` key).
 */
export function itemCount(payload: unknown): number {
  if (Array.isArray(payload)) {
    return payload.length;
  }
  if (typeof payload === "object" && payload !== null) {
    return Object.keys(payload).length;
  }
  return 0;
}

function hasPath(value: unknown, path: string): boolean {
  let current: unknown = value;
  for (const part of path.split(".")) {
    if (typeof current !== "object" || current === null || !(part in current)) {
      return false;
    }
    current = (current as Record<string, unknown>)[part];
  }
  return true;
}

export interface PayloadRules {
  minItems: number;
  requiredFields: string[];
}

/**
 * Checks the payload is data worth storing. `requiredFields` are dotted paths (`roi.times`) that
 * every item must have (null counts as present, since CoinGecko's numbers are nullable); the items
 * are the elements of a list, or the object values of an object payload.
 */
export function validatePayload(payload: unknown, rules: PayloadRules, where: string): number {
  if (typeof payload !== "object" || payload === null) {
    throw new SnapshotError(
      "invalid-payload",
      `${where} answered a JSON ${payload === null ? "null" : typeof payload}, not a list or an object; nothing was stored`,
    );
  }
  const count = itemCount(payload);
  if (count < rules.minItems) {
    throw new SnapshotError(
      "invalid-payload",
      `${where} answered ${count} item${count === 1 ? "" : "s"}, fewer than minItems (${rules.minItems}); nothing was stored. Check the params (CoinGecko silently drops unknown ids), or lower minItems`,
    );
  }
  if (rules.requiredFields.length > 0) {
    const items = Array.isArray(payload) ? payload : Object.values(payload);
    const missing: string[] = [];
    items.forEach((item, index) => {
      const absent = rules.requiredFields.filter((field) => !hasPath(item, field));
      if (absent.length > 0 && missing.length < 3) {
        const label = Array.isArray(payload) ? `item ${index}` : `"${Object.keys(payload)[index]}"`;
        missing.push(`${label} lacks ${absent.join(", ")}`);
      }
    });
    if (missing.length > 0) {
      throw new SnapshotError(
        "invalid-payload",
        `${where} answered items without requiredFields (${missing.join("; ")}); nothing was stored. Fix the params or requiredFields`,
      );
    }
  }
  return count;
}

export interface FormattedPayload {
  /** The exact bytes stored. */
  body: Buffer;
  /** SHA-256 of `body`, hex (object metadata and outputs). */
  sha256: string;
  /** SHA-256 of `body`, base64 (the `x-amz-checksum-sha256` S3 verifies). */
  checksumBase64: string;
  gzip: boolean;
}

/**
 * Pretty JSON with a 2-space indent and a trailing newline, keys in the API's order; optionally
 * gzip-compressed. Node's gzip header carries no timestamp, so the same payload always gives the
 * same bytes and the same sha256, which is what lets an unchanged payload skip the write.
 */
export function formatPayload(payload: unknown, gzip = false): FormattedPayload {
  const json = Buffer.from(`${JSON.stringify(payload, null, 2)}\n`, "utf8");
  const body = gzip ? gzipSync(json, { level: 9 }) : json;
  const digest = createHash("sha256").update(body).digest();
  return { body, sha256: digest.toString("hex"), checksumBase64: digest.toString("base64"), gzip };
}
