import { gunzipSync } from "node:zlib";
import { formatPayload, itemCount } from "@api-s3-load/snapshot-engine";
import {
  BodyBytes,
  JsonListScanner,
  parseJsonBytes,
  PrettyList,
  validatePayload,
} from "../../packages/snapshot-engine/src/payload";

/** The bytes of `text` in chunks of `size` (the last one shorter), as a body arrives. */
function chunked(text: string, size: number): BodyBytes {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    chunks.push(bytes.subarray(at, at + size));
  }
  return new BodyBytes(chunks, bytes.length);
}

/**
 * `text` fed to a scanner in chunks of `size` bytes, as a body arrives, into a `PrettyList`: whether
 * it was a whole list, the batches' first items, and the list.
 */
function streamed(text: string, size: number, requiredFields: string[] = [], gzip = false) {
  const list = new PrettyList(requiredFields, gzip, text.length);
  const firsts: number[] = [];
  const scanner = new JsonListScanner((items) => {
    firsts.push(list.length);
    list.add(items);
  });
  for (const chunk of chunked(text, size).chunks) {
    if (!scanner.push(chunk)) {
      break;
    }
  }
  return { whole: scanner.end(), error: scanner.batchError, firsts, list };
}

describe("itemCount", () => {
  it.each([
    ["a list", [1, 2, 3], 3],
    ["an empty list", [], 0],
    ["a price map (one key per coin)", { bitcoin: { usd: 1 }, ethereum: { usd: 2 } }, 2],
    ["/global (one data key)", { data: { markets: 1 } }, 1],
  ])("counts %s", (_what, payload, count) => {
    expect(itemCount(payload)).toBe(count);
  });
});

describe("validatePayload", () => {
  const where = 'Snapshot "x": GET https://api/coins/markets';
  it.each([
    [
      "null",
      null,
      { minItems: 1, requiredFields: [] },
      "answered a JSON null, not a list or an object",
    ],
    ["a number", 42, { minItems: 1, requiredFields: [] }, "answered a JSON number"],
    [
      "an empty list",
      [],
      { minItems: 1, requiredFields: [] },
      "answered 0 items, fewer than minItems (1); nothing was stored. Check the params (CoinGecko silently drops unknown ids), or lower minItems",
    ],
    ["an empty price map", {}, { minItems: 1, requiredFields: [] }, "answered 0 items"],
    [
      "a list missing fields",
      [{ id: "a" }, { name: "b" }],
      { minItems: 1, requiredFields: ["id"] },
      "answered items without requiredFields (item 1 lacks id)",
    ],
    [
      "a map missing fields",
      { bitcoin: { eur: 1 } },
      { minItems: 1, requiredFields: ["usd"] },
      'answered items without requiredFields ("bitcoin" lacks usd)',
    ],
  ])("rejects %s", (_what, payload, rules, message) => {
    expect(() => validatePayload(payload, rules, where)).toThrow(`${where} ${message}`);
  });

  it("accepts nulls for required fields and an empty list when minItems is 0", () => {
    expect(
      validatePayload(
        [{ id: "a", roi: null }],
        { minItems: 1, requiredFields: ["id", "roi"] },
        where,
      ),
    ).toBe(1);
    expect(validatePayload([], { minItems: 0, requiredFields: [] }, where)).toBe(0);
  });
});

describe("formatPayload", () => {
  it("gives 2-space pretty JSON with a trailing newline and its sha256", () => {
    const formatted = formatPayload({ b: [1], a: null });
    expect(formatted.body.toString("utf8")).toBe('{\n  "b": [\n    1\n  ],\n  "a": null\n}\n');
    expect(formatted.sha256).toBe(
      require("node:crypto").createHash("sha256").update(formatted.body).digest("hex"),
    );
    expect(Buffer.from(formatted.checksumBase64, "base64").toString("hex")).toBe(formatted.sha256);
  });

  it("gives the same gzip bytes for the same payload, so unchanged data is detected", () => {
    const a = formatPayload([{ id: "x" }], true);
    const b = formatPayload([{ id: "x" }], true);
    expect(a.body.equals(b.body)).toBe(true);
    expect(gunzipSync(a.body).toString("utf8")).toBe(
      formatPayload([{ id: "x" }]).body.toString("utf8"),
    );
  });
});

describe("formatting without a second copy keeps the bytes of JSON.stringify", () => {
  const pretty = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  // Strings with every character the batch scan must not mistake for structure.
  const tricky = (i: number) => ({
    id: `coin-${i}`,
    text: `a,b]}{["\\${i}\n\u2028é😀`,
    nested: [i, { x: null, y: [[], {}] }],
    n: i % 3 ? -1.5e-7 * i : 1e21,
    flag: i % 2 === 0,
  });
  /** Over 1 MiB of JSON: many 64 KiB batches, and parsed by batches rather than whole. */
  const many = Array.from({ length: 12_000 }, (_, i) => tricky(i));

  it.each([
    ["an empty list", []],
    ["an empty object", {}],
    ["a list of scalars", [null, true, "x", 0, -0, 1e21]],
    ["nested empties", [[], {}, [[]], [{}]]],
    [
      "an object with integer-like and __proto__ keys",
      JSON.parse('{"b":1,"2":2,"1":3,"__proto__":{"a":1}}'),
    ],
    ["a list of over 1 MB", many],
    ["an object of over 1 MB", Object.fromEntries(many.map((item, i) => [`k${i}`, item]))],
  ])("formats %s exactly as JSON.stringify(payload, null, 2)", (_what, payload) => {
    expect(formatPayload(payload).body.toString("utf8")).toBe(pretty(payload));
    // A size hint too small makes the buffer grow; the bytes stay the same.
    expect(formatPayload(payload, false, 1).body.toString("utf8")).toBe(pretty(payload));
  });

  it("formats a list streamed in chunks exactly as its parsed items, batch by batch", () => {
    const text = JSON.stringify(many);
    const { whole, firsts, list } = streamed(text, 65_536);
    expect(whole).toBe(true);
    expect(list.length).toBe(many.length);
    expect(firsts.length).toBeGreaterThan(3);
    const { formatted, itemCount: count } = list.finish(1, 'Snapshot "x"');
    expect(count).toBe(many.length);
    expect(formatted.body.toString("utf8")).toBe(pretty(many));
    expect(formatted.sha256).toBe(formatPayload(many).sha256);
    expect(formatted.checksumBase64).toBe(formatPayload(many).checksumBase64);
    const gzipped = streamed(text, 65_536, [], true).list.finish(1, 'Snapshot "x"').formatted;
    expect(gzipped.body.equals(formatPayload(many, true).body)).toBe(true);
    expect(gzipped.sha256).toBe(formatPayload(many, true).sha256);
  });

  it("gives an empty streamed list the bytes and sha256 of JSON.stringify([], null, 2)", () => {
    const { whole, list } = streamed(" [ ] ", 2);
    expect(whole).toBe(true);
    const { formatted } = list.finish(0, 'Snapshot "x"');
    expect(formatted.body.toString("utf8")).toBe("[]\n");
    expect(formatted.sha256).toBe(formatPayload([]).sha256);
    expect(() => streamed("[]", 1).list.finish(1, 'Snapshot "x"')).toThrow(
      'Snapshot "x" answered 0 items, fewer than minItems (1)',
    );
  });

  it.each([
    "[1,]",
    "[,1]",
    "[1 2]",
    "[1}",
    '[{"a":1]}',
    '["open]',
    "[1]]",
    "\ufeff[1]",
    '{"a":1}',
    "[1] x",
  ])("parses %j exactly as JSON.parse does, value or error", (text) => {
    const bytes = BodyBytes.of(Buffer.from(text));
    const outcome = (parse: () => unknown) => {
      try {
        return { value: parse() };
      } catch (error) {
        return { error: (error as Error).message };
      }
    };
    expect(outcome(() => parseJsonBytes(bytes))).toEqual(outcome(() => JSON.parse(text)));
    // Streamed, only a list JSON.parse accepts is whole.
    expect(streamed(text, 3).whole).toBe(Array.isArray(outcome(() => JSON.parse(text)).value));
  });

  it.each([1, 2, 3, 7])(
    "finds strings, escapes and nesting across chunk boundaries (chunks of %i bytes)",
    (size) => {
      const list = [
        "a,b]",
        'q"uo\\"te\\',
        { "k,]": ["x\\", { y: '"}' }], e: "é😀\u2028" },
        [],
        {},
        -1.5e-7,
        null,
        "\\\\",
      ];
      const text = JSON.stringify(list);
      expect(parseJsonBytes(chunked(text, size))).toEqual(list);
      const stream = streamed(text, size);
      expect(stream.whole).toBe(true);
      expect(stream.list.length).toBe(list.length);
      expect(stream.list.finish(1, "x").formatted.body.toString()).toBe(pretty(list));
    },
  );

  it("parses a list of over 1 MiB with a syntax error far into it as JSON.parse does", () => {
    const text = JSON.stringify(many);
    expect(Buffer.byteLength(text)).toBeGreaterThan(1024 * 1024);
    // A "]" between two items, far past the first batches: "…},]{…".
    const cut = text.indexOf("},{", 900_000) + 2;
    const broken = `${text.slice(0, cut)}]${text.slice(cut)}`;
    const stream = streamed(broken, 16_384);
    expect(stream.whole).toBe(false);
    expect(stream.error).toMatch(/, in the items at bytes \d+–\d+ of the list$/);
    expect(() => parseJsonBytes(chunked(broken, 16_384))).toThrow(
      (() => {
        try {
          JSON.parse(broken);
        } catch (error) {
          return (error as Error).message;
        }
        return "no error";
      })(),
    );
    expect(parseJsonBytes(chunked(text, 1_000))).toEqual(many);
  });

  it("checks requiredFields of a streamed list with the items' own indexes", () => {
    const items = many.map((item, i) => (i === 7_000 ? { id: "no-text" } : item));
    const { list } = streamed(JSON.stringify(items), 65_536, ["text"]);
    expect(list.length).toBe(12_000);
    expect(() => list.finish(1, 'Snapshot "x"')).toThrow(
      'Snapshot "x" answered items without requiredFields (item 7000 lacks text)',
    );
  });
});
