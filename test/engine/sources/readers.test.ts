import { nextLink, parseLinkHeader, parsePath, readPath } from "@api-s3-load/snapshot-engine";
import { parseReset, retryDelayMs } from "../../../packages/snapshot-engine/src/retryPolicy";

describe("record paths: dots and indexes, read literally", () => {
  const body = { meta: { next_cursor: "abc" }, results: [{ id: 1 }], "a-b": 2 };

  it.each([
    ["$", body],
    ["$.meta.next_cursor", "abc"],
    ["$.results[0].id", 1],
    ["$.a-b", 2],
  ])("reads %s", (path, value) => {
    expect(readPath(body, path)).toEqual({ found: true, value });
  });

  it("reads a top-level list by index, as World Bank's [meta, records]", () => {
    expect(readPath([{ pages: 3 }, [1, 2]], "$[1]")).toEqual({ found: true, value: [1, 2] });
    expect(readPath([{ pages: 3 }, [1, 2]], "$[0].pages")).toEqual({ found: true, value: 3 });
  });

  it.each([
    ["$.missing", body],
    ["$.results[5]", body],
    ["$.meta[0]", body],
    ["$.length", [1, 2]],
    ["$.constructor", {}],
  ])("finds nothing at %s", (path, value) => {
    expect(readPath(value, path)).toEqual({ found: false });
  });

  it.each([
    "results",
    "$..results",
    "$.results[*]",
    "$.results[?(@.id>1)]",
    "$['results']",
    "$.a.",
    "$[-1]",
    "$.f()",
    "",
  ])("refuses %p as not a path", (text) => {
    expect(parsePath(text)).toBeUndefined();
  });
});

describe("the Link header (RFC 8288)", () => {
  const github =
    '<https://api.github.com/repositories/1/releases?page=2>; rel="next", <https://api.github.com/repositories/1/releases?page=5>; rel="last"';

  it("finds GitHub's next link among others", () => {
    expect(nextLink(github, "https://api.github.com/repos/o/r/releases")).toBe(
      "https://api.github.com/repositories/1/releases?page=2",
    );
  });

  it.each([
    ['<a?x=1,2>; rel="prev next"; title="a, b; c"', "https://h/a?x=1,2"],
    ["</p/2>; REL=next", "https://h/p/2"],
    ['<https://h/x>; rel="last", <https://h/y>; title="x;y"', undefined],
    ['<https://h/one>; rel=next; rel=prev, <https://h/two>; rel="next"', "https://h/one"],
    ["", undefined],
  ])("reads %p", (header, next) => {
    expect(nextLink(header, "https://h/base")).toBe(next);
  });

  it("keeps quoted commas and semicolons inside a parameter", () => {
    expect(parseLinkHeader('<u>; title="a, b; c"; rel=next')).toEqual([
      { target: "u", params: { title: "a, b; c", rel: "next" } },
    ]);
  });
});

describe("waits a declared reset header asks for", () => {
  const now = Date.parse("2026-12-01T10:00:00Z");

  it.each([
    ["epoch-seconds", String(now / 1000 + 42), 42_000],
    ["delta-seconds", "7", 7_000],
    ["http-date", "Tue, 01 Dec 2026 10:00:30 GMT", 30_000],
    ["iso-datetime", "2026-12-01T10:01:00Z", 60_000],
  ] as const)("reads %s", (format, value, wait) => {
    expect(parseReset(value, format, now)).toBe(wait);
  });

  it.each([
    ["epoch-seconds", "soon"],
    ["iso-datetime", "Tue, 01 Dec 2026 10:00:30 GMT"],
    ["epoch-seconds", String(now / 1000 - 5)],
  ] as const)("ignores %s %p", (format, value) => {
    expect(parseReset(value, format, now)).toBeUndefined();
  });

  it("prefers Retry-After as an HTTP date, then the declared header, and never guesses CoinGecko's", () => {
    const headers = (values: Record<string, string>) => ({ get: (n: string) => values[n] ?? null });
    const policy = { baseDelayMs: 1000, maxDelayMs: 600_000 };
    const random = () => 0;
    const reset = { header: "x-ratelimit-reset", format: "epoch-seconds" as const };
    expect(
      retryDelayMs(
        1,
        headers({ "retry-after": "Tue, 01 Dec 2026 10:00:09 GMT" }),
        policy,
        now,
        random,
        reset,
      ),
    ).toEqual({ delayMs: 9_000, reason: "Retry-After" });
    expect(
      retryDelayMs(
        1,
        headers({ "x-ratelimit-reset": String(now / 1000 + 20) }),
        policy,
        now,
        random,
        reset,
      ),
    ).toEqual({ delayMs: 20_000, reason: "x-ratelimit-reset" });
    expect(
      retryDelayMs(
        1,
        headers({ "x-ratelimit-reset": String(now / 1000 + 20) }),
        policy,
        now,
        random,
        null,
      ),
    ).toEqual({ delayMs: 500, reason: "backoff" });
  });
});
