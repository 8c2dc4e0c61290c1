import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { SnapshotError } from "./errors";

/**
 * How many items a payload holds: the length of a list, or the number of top-level keys of an
 * object (for `/simple/price` that is the number of coins; for `/global` it is 1, the `data` key).
 */
export function itemCount(payload: unknown): number {
  if (payload instanceof JsonListBytes) {
    return payload.length;
  }
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
    const missing: string[] = [];
    const check = (items: unknown[], first: number, label: (index: number) => string) => {
      items.forEach((item, offset) => {
        const absent = rules.requiredFields.filter((field) => !hasPath(item, field));
        if (absent.length > 0 && missing.length < 3) {
          missing.push(`${label(first + offset)} lacks ${absent.join(", ")}`);
        }
      });
    };
    const itemLabel = (index: number) => `item ${index}`;
    if (payload instanceof JsonListBytes) {
      payload.forEachBatch((items, first) => check(items, first, itemLabel));
    } else if (Array.isArray(payload)) {
      check(payload, 0, itemLabel);
    } else {
      const keys = Object.keys(payload);
      check(Object.values(payload), 0, (index) => `"${keys[index]}"`);
    }
    if (missing.length > 0) {
      throw new SnapshotError(
        "invalid-payload",
        `${where} answered items without requiredFields (${missing.join("; ")}); nothing was stored. Fix the params or requiredFields`,
      );
    }
  }
  return count;
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_LIST = 0x5b;
const CLOSE_LIST = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Bytes of JSON text parsed or stringified at once (see `JsonListBytes`). Under V8's 128 KiB limit
 * for ordinary young objects, so a batch's text and values die young: with 256 KiB batches the
 * young generation doubled during a 60 MB format, with 1 MiB batches the peak rose by 40 MB.
 */
const BATCH_BYTES = 64 * 1024;

/**
 * A body as the chunks it arrived in. They are kept rather than copied into one buffer: a copy
 * would leave the chunks behind as garbage the size of the body until V8 next collects (issue 11).
 */
export class BodyBytes {
  constructor(
    readonly chunks: Buffer[],
    /** Total bytes. */
    readonly length: number,
  ) {}

  static of(buffer: Buffer): BodyBytes {
    return new BodyBytes([buffer], buffer.length);
  }

  /** Bytes `from` to `to` in one buffer: a view within one chunk, a copy across several. */
  slice(from = 0, to = this.length): Buffer {
    const parts: Buffer[] = [];
    let base = 0;
    for (const chunk of this.chunks) {
      const end = base + chunk.length;
      if (end > from && base < to) {
        parts.push(chunk.subarray(Math.max(0, from - base), Math.min(chunk.length, to - base)));
      }
      if (end >= to) {
        break;
      }
      base = end;
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  /** Bytes `from` to `to` decoded as UTF-8 (a character split across chunks stays whole). */
  text(from = 0, to = this.length): string {
    return this.slice(from, to).toString("utf8");
  }
}

/**
 * A JSON list kept as the bytes it arrived in, known to parse, and parsed again batch by batch
 * whenever its items are needed (the `requiredFields` check, formatting).
 *
 * Parsed whole, a large list is the peak of a run: the text, every parsed value and the formatted
 * bytes alive at once, and the values survive young-generation collections, which makes V8 grow
 * that generation to its maximum for the rest of the process. As bytes, a 60 MB answer costs its
 * 60 MB plus one batch of values at a time, which die young (issue 11). The price is parsing twice
 * (three times with `requiredFields`); the one scan for batch boundaries is not repeated.
 */
export class JsonListBytes {
  private constructor(
    /** The list's JSON text, exactly as received. */
    readonly body: BodyBytes,
    /** How many items it holds. */
    readonly length: number,
    /** Where each batch's items start and end in `body`, found by the one scan. */
    private readonly batches: [number, number][],
  ) {}

  /**
   * The list in `body`, checked by parsing every batch; undefined when `body` is not a JSON list
   * (an object, invalid JSON…), which the caller then parses whole for its value or its error.
   */
  static from(body: BodyBytes): JsonListBytes | undefined {
    let length = 0;
    const batches: [number, number][] = [];
    const ok = scanJsonList(body, (items, from, to) => {
      length += items.length;
      batches.push([from, to]);
    });
    return ok ? new JsonListBytes(body, length, batches) : undefined;
  }

  /** Calls `each` with consecutive batches of the parsed items and the index of each batch's first. */
  forEachBatch(each: (items: unknown[], first: number) => void): void {
    let first = 0;
    for (const [from, to] of this.batches) {
      const items = parseBatch(this.body, from, to)!;
      each(items, first);
      first += items.length;
    }
  }
}

/** The items between `from` and `to` (top-level commas) as a list, or undefined if not JSON. */
function parseBatch(body: BodyBytes, from: number, to: number): unknown[] | undefined {
  try {
    return JSON.parse(`[${body.text(from, to)}]`) as unknown[];
  } catch {
    return undefined;
  }
}

/**
 * `JSON.parse` of the body's text, without a string of the whole body when it is a list: its
 * batches are parsed one by one (see `scanJsonList`). The result and any error are JSON.parse's.
 */
export function parseJsonBytes(body: BodyBytes): unknown {
  const items: unknown[] = [];
  const ok = scanJsonList(body, (batch) => {
    for (const item of batch) {
      items.push(item);
    }
  });
  return ok ? items : JSON.parse(body.text());
}

/** Where the scan of a list is. */
const Phase = { BeforeList: 0, FirstItem: 1, Items: 2, AfterList: 3 } as const;

/**
 * Splits a top-level JSON list at its top-level commas into batches of about `BATCH_BYTES`, parses
 * each as a list of its own and hands the items and their byte range to `onBatch`, in order.
 * Returns false, having possibly called `onBatch` already, when the body is not a JSON list or not
 * valid JSON; the caller then parses the whole text, so what it reports is exactly JSON.parse's.
 *
 * The scan runs across chunk boundaries and tracks strings (with escapes) and nesting depth; every
 * batch still goes through JSON.parse, so the scan only has to find boundaries, never to validate.
 * Batches end at ASCII commas, so no UTF-8 character is cut. Only JSON whitespace is skipped
 * (a BOM is not JSON).
 */
function scanJsonList(
  body: BodyBytes,
  onBatch: (items: unknown[], from: number, to: number) => void,
): boolean {
  let phase: number = Phase.BeforeList;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let batchStart = 0;
  const batch = (to: number): boolean => {
    const items = parseBatch(body, batchStart, to);
    if (items) {
      onBatch(items, batchStart, to);
    }
    return items !== undefined;
  };
  const isSpace = (byte: number) => byte === SPACE || byte === LF || byte === CR || byte === TAB;
  let base = 0;
  for (const chunk of body.chunks) {
    const end = chunk.length;
    // Next quote and backslash at or after `at` in this chunk (-1: none left), found with indexOf
    // so that string contents are skipped without a look at each byte.
    let quote = -2;
    let slash = -2;
    let at = 0;
    while (at < end) {
      if (inString) {
        if (escaped) {
          escaped = false;
          at += 1;
          continue;
        }
        if (quote !== -1 && quote < at) {
          quote = chunk.indexOf(QUOTE, at);
        }
        if (slash !== -1 && slash < at) {
          slash = chunk.indexOf(BACKSLASH, at);
        }
        if (slash !== -1 && (quote === -1 || slash < quote)) {
          escaped = true;
          at = slash + 1;
        } else if (quote === -1) {
          at = end;
        } else {
          inString = false;
          at = quote + 1;
        }
        continue;
      }
      const byte = chunk[at];
      if (phase === Phase.Items) {
        if (byte === QUOTE) {
          inString = true;
        } else if (byte === OPEN_LIST || byte === OPEN_OBJECT) {
          depth += 1;
        } else if (byte === CLOSE_LIST || byte === CLOSE_OBJECT) {
          if (depth === 0) {
            if (byte !== CLOSE_LIST || !batch(base + at)) {
              return false;
            }
            phase = Phase.AfterList;
          } else {
            depth -= 1;
          }
        } else if (byte === COMMA && depth === 0 && base + at - batchStart >= BATCH_BYTES) {
          if (!batch(base + at)) {
            return false;
          }
          batchStart = base + at + 1;
        }
        at += 1;
      } else if (isSpace(byte)) {
        at += 1;
      } else if (phase === Phase.BeforeList && byte === OPEN_LIST) {
        phase = Phase.FirstItem;
        at += 1;
      } else if (phase === Phase.FirstItem) {
        if (byte === CLOSE_LIST) {
          phase = Phase.AfterList;
          at += 1;
        } else {
          // The first item starts here; the Items phase reads this byte again.
          phase = Phase.Items;
          batchStart = base + at;
        }
      } else {
        return false;
      }
    }
    base += end;
  }
  return phase === Phase.AfterList;
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
 *
 * `payload` is parsed JSON or a `JsonListBytes`; the bytes are the same for the same data.
 * `sizeHint`, the payload's size as received, sizes the buffer the bytes are written into.
 */
export function formatPayload(payload: unknown, gzip = false, sizeHint = 0): FormattedPayload {
  const json = prettyJson(payload, sizeHint);
  const body = gzip ? gzipSync(json, { level: 9 }) : json;
  const digest = createHash("sha256").update(body).digest();
  return { body, sha256: digest.toString("hex"), checksumBase64: digest.toString("base64"), gzip };
}

/**
 * Exactly the bytes of `JSON.stringify(payload, null, 2) + "\n"` (for a `JsonListBytes`, of its
 * parsed items), written into one buffer batch by batch. The plain way holds the whole pretty
 * string, a flattened copy of it with the newline, and the buffer at once: three copies of the
 * largest thing a run holds (issue 11).
 *
 * A batch is a run of top-level entries: `JSON.stringify(list.slice(a, b), null, 2)` is those
 * items at the indentation they have in the whole list, joined by `,\n`, between a 2-byte `[\n`
 * and a 2-byte `\n]` (the same holds for an object's entries, with `{}`). Only one batch's text is
 * alive at a time.
 *
 * The buffer starts at twice `sizeHint` (pretty JSON is about 1.2× CoinGecko's compact answers):
 * memory that is never written is never resident, and the result is a view of what was written.
 * It grows if that was not enough.
 */
export function prettyJson(payload: unknown, sizeHint = 0): Buffer {
  const hasToJson =
    typeof payload === "object" &&
    payload !== null &&
    typeof (payload as { toJSON?: unknown }).toJSON === "function";
  if (typeof payload !== "object" || payload === null || hasToJson) {
    return Buffer.from(`${JSON.stringify(payload, null, 2)}\n`, "utf8");
  }
  let out = Buffer.allocUnsafe(Math.max(64 * 1024, sizeHint * 2));
  let offset = 0;
  const write = (piece: string) => {
    const needed = offset + Buffer.byteLength(piece);
    if (needed > out.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, out.length * 2));
      out.copy(grown, 0, 0, offset);
      out = grown;
    }
    offset += out.write(piece, offset);
  };
  let wrote = false;
  const batch = (value: unknown[] | Record<string, unknown>) => {
    const text = JSON.stringify(value, null, 2);
    // An empty batch: every value in it is one JSON.stringify leaves out (undefined, a function).
    if (text.length > 2) {
      write(
        wrote ? ",\n" : payload instanceof JsonListBytes || Array.isArray(payload) ? "[\n" : "{\n",
      );
      write(text.slice(2, -2));
      wrote = true;
    }
  };

  if (payload instanceof JsonListBytes) {
    payload.forEachBatch((items) => batch(items));
  } else {
    const list = Array.isArray(payload) ? (payload as unknown[]) : undefined;
    const keys = list ? undefined : Object.keys(payload);
    const record = payload as Record<string, unknown>;
    const count = list ? list.length : keys!.length;
    let size = 64;
    for (let from = 0; from < count;) {
      const to = Math.min(count, from + size);
      const before = offset;
      batch(
        list
          ? list.slice(from, to)
          : Object.fromEntries(keys!.slice(from, to).map((key) => [key, record[key]])),
      );
      // Aim the next batch at BATCH_BYTES from this one's size per entry.
      size = Math.max(1, Math.round(((to - from) * BATCH_BYTES) / Math.max(offset - before, 1)));
      from = to;
    }
  }
  const list = payload instanceof JsonListBytes || Array.isArray(payload);
  if (!wrote) {
    return Buffer.from(list ? "[]\n" : "{}\n");
  }
  write(list ? "\n]\n" : "\n}\n");
  return out.subarray(0, offset);
}
