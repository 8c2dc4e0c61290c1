import { gunzipSync } from "node:zlib";
import { formatPayload, itemCount } from "@api-s3-load/snapshot-engine";
import { validatePayload } from "../../packages/snapshot-engine/src/payload";

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
