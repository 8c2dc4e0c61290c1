import { createHash, type Hash } from "node:crypto";
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

function checkCount(count: number, minItems: number, where: string): void {
  if (count < minItems) {
    throw new SnapshotError(
      "invalid-payload",
      `${where} answered ${count} item${count === 1 ? "" : "s"}, fewer than minItems (${minItems}); nothing was stored. Check the params (CoinGecko silently drops unknown ids), or lower minItems`,
    );
  }
}

/** Adds to `missing`, up to three in all, the items that lack one of `requiredFields`. */
function missingFields(
  requiredFields: string[],
  items: unknown[],
  missing: string[],
  label: (index: number) => string,
): void {
  if (requiredFields.length === 0) {
    return;
  }
  items.forEach((item, index) => {
    if (missing.length < 3) {
      const absent = requiredFields.filter((field) => !hasPath(item, field));
      if (absent.length > 0) {
        missing.push(`${label(index)} lacks ${absent.join(", ")}`);
      }
    }
  });
}

function reportMissing(missing: string[], where: string): void {
  if (missing.length > 0) {
    throw new SnapshotError(
      "invalid-payload",
      `${where} answered items without requiredFields (${missing.join("; ")}); nothing was stored. Fix the params or requiredFields`,
    );
  }
}

/**
 * Checks the payload is data worth storing. `requiredFields` are dotted paths (`roi.times`) that
 * every item must have (null counts as present, since CoinGecko's numbers are nullable); the items
 * are the elements of a list, or the object values of an object payload. (A list that arrives as a
 * stream or in pages is checked the same way by `PrettyList`.)
 */
export function validatePayload(payload: unknown, rules: PayloadRules, where: string): number {
  if (typeof payload !== "object" || payload === null) {
    throw new SnapshotError(
      "invalid-payload",
      `${where} answered a JSON ${payload === null ? "null" : typeof payload}, not a list or an object; nothing was stored`,
    );
  }
  const count = itemCount(payload);
  checkCount(count, rules.minItems, where);
  const missing: string[] = [];
  if (Array.isArray(payload)) {
    missingFields(rules.requiredFields, payload, missing, (index) => `item ${index}`);
  } else {
    const keys = Object.keys(payload);
    missingFields(rules.requiredFields, Object.values(payload), missing, (i) => `"${keys[i]}"`);
  }
  reportMissing(missing, where);
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
 * Bytes of JSON text parsed or stringified at once (see `JsonListScanner`). Under V8's 128 KiB limit
 * for ordinary young objects, so a batch's text and values die young: with 256 KiB batches the
 * young generation doubled during a 60 MB format, with 1 MiB batches the peak rose by 40 MB.
 */
const BATCH_BYTES = 64 * 1024;

/** Bodies up to this size (a page of 250 items is about 190 KB) are parsed whole, not in batches. */
const WHOLE_PARSE_BYTES = 1024 * 1024;

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

/** The items of a JSON list's text between two top-level commas, or why it is not JSON. */
function parseItems(text: string): { items: unknown[] } | { error: string } {
  try {
    return { items: JSON.parse(`[${text}]`) as unknown[] };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * `JSON.parse` of the body's text, without a string of the whole body when it is a list: its
 * batches are parsed one by one (see `JsonListScanner`). The result and any error are JSON.parse's.
 */
export function parseJsonBytes(body: BodyBytes): unknown {
  if (body.length <= WHOLE_PARSE_BYTES) {
    // A page or an error body: V8 parses its text about three times faster than the scan does.
    return JSON.parse(body.text());
  }
  const items: unknown[] = [];
  const scanner = new JsonListScanner((batch) => {
    for (const item of batch) {
      items.push(item);
    }
  });
  for (const chunk of body.chunks) {
    if (!scanner.push(chunk)) {
      break;
    }
  }
  return scanner.end() ? items : JSON.parse(body.text());
}

/** Where the scan of a list is. */
const Phase = { BeforeList: 0, FirstItem: 1, Items: 2, AfterList: 3, NotAList: 4 } as const;

/**
 * Splits a top-level JSON list, fed chunk by chunk as it arrives, at its top-level commas into
 * batches of about `BATCH_BYTES`, parses each as a list of its own and hands its items to `onBatch`,
 * in order. Only the bytes of the batch being scanned are kept, so a list of any size costs one batch
 * of text and values at a time (issue 20): the body needs no copy of its own.
 *
 * The scan tracks strings (with escapes) and nesting depth across chunk boundaries; every batch still
 * goes through JSON.parse, so the scan only has to find boundaries, never to validate. Batches end at
 * ASCII commas, so no UTF-8 character is cut. Only JSON whitespace is skipped (a BOM is not JSON).
 *
 * We compared this with streaming tokenizers from npm (docs/engine.md, "Memory"): they build every
 * value token by token in JavaScript, which JSON.parse of a batch does several times faster.
 */
export class JsonListScanner {
  private phase: number = Phase.BeforeList;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Bytes of the current batch from earlier chunks. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes scanned so far. */
  private scanned = 0;
  /** JSON.parse's message for the batch that did not parse, when one did not. */
  batchError?: string;

  constructor(private readonly onBatch: (items: unknown[]) => void) {}

  /** The first byte that is not JSON whitespace has been seen and was not `[`. */
  get notAList(): boolean {
    return this.phase === Phase.NotAList;
  }

  /** Whether no byte but whitespace has been seen yet. */
  get undecided(): boolean {
    return this.phase === Phase.BeforeList;
  }

  /** Bytes fed so far. */
  get bytes(): number {
    return this.scanned;
  }

  /**
   * Scans one more chunk. Returns false once the body is known not to be a valid JSON list (not a
   * list at all, a batch that does not parse, bytes after the list); `onBatch` may have been called.
   */
  push(chunk: Buffer): boolean {
    if (this.phase === Phase.NotAList || this.batchError !== undefined) {
      return false;
    }
    const end = chunk.length;
    /** Where this chunk's part of the current batch starts. */
    let from = 0;
    // Next quote and backslash at or after `at` in this chunk (-1: none left), found with indexOf
    // so that string contents are skipped without a look at each byte.
    let quote = -2;
    let slash = -2;
    let at = 0;
    while (at < end) {
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
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
          this.escaped = true;
          at = slash + 1;
        } else if (quote === -1) {
          at = end;
        } else {
          this.inString = false;
          at = quote + 1;
        }
        continue;
      }
      const byte = chunk[at];
      if (this.phase === Phase.Items) {
        if (byte === QUOTE) {
          this.inString = true;
        } else if (byte === OPEN_LIST || byte === OPEN_OBJECT) {
          this.depth += 1;
        } else if (byte === CLOSE_LIST || byte === CLOSE_OBJECT) {
          if (this.depth === 0) {
            if (byte !== CLOSE_LIST) {
              return this.fail(end, `a "}" at byte ${this.scanned + at} closes the list`);
            }
            if (!this.batch(chunk, from, at)) {
              return this.fail(end);
            }
            this.phase = Phase.AfterList;
            from = at + 1;
          } else {
            this.depth -= 1;
          }
        } else if (
          byte === COMMA &&
          this.depth === 0 &&
          this.pendingBytes + at - from >= BATCH_BYTES
        ) {
          if (!this.batch(chunk, from, at)) {
            return this.fail(end);
          }
          from = at + 1;
        }
        at += 1;
      } else if (isSpace(byte)) {
        at += 1;
      } else if (this.phase === Phase.BeforeList && byte === OPEN_LIST) {
        this.phase = Phase.FirstItem;
        at += 1;
      } else if (this.phase === Phase.FirstItem) {
        if (byte === CLOSE_LIST) {
          this.phase = Phase.AfterList;
          at += 1;
        } else {
          // The first item starts here; the Items phase reads this byte again.
          this.phase = Phase.Items;
          from = at;
        }
      } else {
        if (this.phase === Phase.BeforeList) {
          this.phase = Phase.NotAList;
          return this.fail(end);
        }
        return this.fail(end, `unexpected bytes after the list, at byte ${this.scanned + at}`);
      }
    }
    if (this.phase === Phase.Items && from < end) {
      const rest = chunk.subarray(from, end);
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
    this.scanned += end;
    return true;
  }

  /** Whether everything fed was one whole JSON list (whitespace around it allowed). */
  end(): boolean {
    return this.phase === Phase.AfterList && this.batchError === undefined;
  }

  private fail(chunkLength: number, reason?: string): false {
    this.scanned += chunkLength;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.phase !== Phase.NotAList) {
      this.batchError ??= reason ?? "the list is not valid JSON";
    }
    return false;
  }

  /** Parses the batch that ends at `to` in `chunk` and hands it on; false if it is not JSON. */
  private batch(chunk: Buffer, from: number, to: number): boolean {
    const last = chunk.subarray(from, to);
    const bytes = this.pending.length === 0 ? last : Buffer.concat([...this.pending, last]);
    this.pending = [];
    this.pendingBytes = 0;
    const parsed = parseItems(bytes.toString("utf8"));
    if ("error" in parsed) {
      const start = this.scanned + to - bytes.length;
      this.batchError = `${parsed.error}, in the items at bytes ${start}–${this.scanned + to} of the list`;
      return false;
    }
    this.onBatch(parsed.items);
    return true;
  }
}

function isSpace(byte: number): boolean {
  return byte === SPACE || byte === LF || byte === CR || byte === TAB;
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

function formatted(json: Buffer, gzip: boolean, hashOfJson?: Hash): FormattedPayload {
  const body = gzip ? gzipSync(json, { level: 9 }) : json;
  const digest = (gzip || !hashOfJson ? createHash("sha256").update(body) : hashOfJson).digest();
  return { body, sha256: digest.toString("hex"), checksumBase64: digest.toString("base64"), gzip };
}

/**
 * Pretty JSON with a 2-space indent and a trailing newline, keys in the API's order; optionally
 * gzip-compressed. Node's gzip header carries no timestamp, so the same payload always gives the
 * same bytes and the same sha256, which is what lets an unchanged payload skip the write.
 *
 * `sizeHint`, the payload's size as received, sizes the buffer the bytes are written into.
 */
export function formatPayload(payload: unknown, gzip = false, sizeHint = 0): FormattedPayload {
  return formatted(prettyJson(payload, sizeHint), gzip);
}

/**
 * Where pretty JSON is written: one buffer, reserved at twice `sizeHint` (pretty JSON is about 1.2×
 * CoinGecko's compact answers; memory never written is never resident) and grown when that was not
 * enough. Entries arrive as `JSON.stringify(batch, null, 2)` of a run of top-level entries: those
 * entries at the indentation they have in the whole, joined by `,\n`, between a 2-byte `[\n` (or
 * `{\n`) and a 2-byte `\n]`. So the whole is exactly `JSON.stringify(payload, null, 2) + "\n"`,
 * while only one batch's text is alive at a time (issue 11). `hash`, when given, is fed every byte
 * as it is written.
 */
class PrettyWriter {
  private out: Buffer;
  private offset = 0;
  private wrote = false;

  constructor(
    sizeHint: number,
    private readonly list: boolean,
    private readonly hash?: Hash,
  ) {
    this.out = Buffer.allocUnsafe(Math.max(64 * 1024, sizeHint * 2));
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.offset;
  }

  /**
   * Makes room for `bytes` in all, once, so that the buffer does not grow by copies (each of which
   * holds the old and the new buffer at once). Room never written is never resident.
   */
  reserve(bytes: number): void {
    if (bytes > this.out.length) {
      const reserved = Buffer.allocUnsafe(bytes);
      this.out.copy(reserved, 0, 0, this.offset);
      this.out = reserved;
    }
  }

  /** Appends the entries of `text`, one batch's `JSON.stringify(…, null, 2)`. */
  entries(text: string): void {
    // An empty batch: every value in it is one JSON.stringify leaves out (undefined, a function).
    if (text.length > 2) {
      this.write(this.wrote ? ",\n" : this.list ? "[\n" : "{\n");
      this.write(text.slice(2, -2));
      this.wrote = true;
    }
  }

  /** The whole text: a view of the buffer (or, for no entries at all, `[]` or `{}`). */
  close(): Buffer {
    if (!this.wrote) {
      const empty = Buffer.from(this.list ? "[]\n" : "{}\n");
      this.hash?.update(empty);
      return empty;
    }
    this.write(this.list ? "\n]\n" : "\n}\n");
    return this.out.subarray(0, this.offset);
  }

  private write(piece: string): void {
    const needed = this.offset + Buffer.byteLength(piece);
    if (needed > this.out.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.out.length * 2));
      this.out.copy(grown, 0, 0, this.offset);
      this.out = grown;
    }
    const from = this.offset;
    this.offset += this.out.write(piece, from);
    this.hash?.update(this.out.subarray(from, this.offset));
  }
}

/** Entries per batch for the next one, aimed at `BATCH_BYTES` from the last batch's bytes per entry. */
function nextBatchSize(entries: number, bytes: number): number {
  return Math.max(1, Math.round((entries * BATCH_BYTES) / Math.max(bytes, 1)));
}

/**
 * A JSON list checked and written as pretty JSON while its items arrive (page by page, or batch by
 * batch of one large answer), with the SHA-256 of the bytes taken as they are written: after the
 * last items only their own formatting remains (issue 20). The bytes are exactly
 * `JSON.stringify(allItems, null, 2) + "\n"` (see `PrettyWriter`); gzip, when asked for, is applied
 * to the whole at the end, as the stored bytes require.
 *
 * `requiredFields` are checked on each item as it arrives and the first three failures kept; they,
 * like `minItems`, are reported by `finish`, once the fetch as a whole has succeeded.
 */
export class PrettyList {
  private readonly writer: PrettyWriter;
  private readonly hash?: Hash;
  private count = 0;
  private batchSize = 64;
  private readonly missing: string[] = [];

  constructor(
    private readonly requiredFields: string[],
    private readonly gzip = false,
    sizeHint = 0,
  ) {
    this.hash = gzip ? undefined : createHash("sha256");
    this.writer = new PrettyWriter(sizeHint, true, this.hash);
  }

  /** Items so far. */
  get length(): number {
    return this.count;
  }

  /** Expects about `receivedBytes` of compact JSON in all (see `PrettyWriter.reserve`). */
  expect(receivedBytes: number): void {
    this.writer.reserve(receivedBytes * 2);
  }

  /** Checks and writes the next items of the list. */
  add(items: unknown[]): void {
    missingFields(this.requiredFields, items, this.missing, (i) => `item ${this.count + i}`);
    for (let from = 0; from < items.length;) {
      const to = Math.min(items.length, from + this.batchSize);
      const before = this.writer.bytes;
      this.writer.entries(JSON.stringify(items.slice(from, to), null, 2));
      this.batchSize = nextBatchSize(to - from, this.writer.bytes - before);
      from = to;
    }
    this.count += items.length;
  }

  /**
   * The stored bytes, once every item has been added; throws as `validatePayload` does when the
   * list has fewer than `minItems` items or items without `requiredFields`.
   */
  finish(minItems: number, where: string): { formatted: FormattedPayload; itemCount: number } {
    checkCount(this.count, minItems, where);
    reportMissing(this.missing, where);
    return {
      formatted: formatted(this.writer.close(), this.gzip, this.hash),
      itemCount: this.count,
    };
  }
}

/**
 * Exactly the bytes of `JSON.stringify(payload, null, 2) + "\n"`, written into one buffer batch by
 * batch. The plain way holds the whole pretty string, a flattened copy of it with the newline, and
 * the buffer at once: three copies of the largest thing a run holds (issue 11).
 */
export function prettyJson(payload: unknown, sizeHint = 0): Buffer {
  const hasToJson =
    typeof payload === "object" &&
    payload !== null &&
    typeof (payload as { toJSON?: unknown }).toJSON === "function";
  if (typeof payload !== "object" || payload === null || hasToJson) {
    return Buffer.from(`${JSON.stringify(payload, null, 2)}\n`, "utf8");
  }
  const list = Array.isArray(payload) ? (payload as unknown[]) : undefined;
  const writer = new PrettyWriter(sizeHint, list !== undefined);
  const keys = list ? undefined : Object.keys(payload);
  const record = payload as Record<string, unknown>;
  const count = list ? list.length : keys!.length;
  let size = 64;
  for (let from = 0; from < count;) {
    const to = Math.min(count, from + size);
    const before = writer.bytes;
    writer.entries(
      JSON.stringify(
        list
          ? list.slice(from, to)
          : Object.fromEntries(keys!.slice(from, to).map((key) => [key, record[key]])),
        null,
        2,
      ),
    );
    size = nextBatchSize(to - from, writer.bytes - before);
    from = to;
  }
  return writer.close();
}
