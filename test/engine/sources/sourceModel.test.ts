import { sourceProblems, validateSnapshotInputs } from "@api-s3-load/snapshot-engine";

const OK = { baseUrl: "https://api.example.com/v1" };
const problemsOf = (source: unknown, isSet?: (key: string) => boolean) =>
  sourceProblems(source, isSet).map(({ field, problem }) => `${field} ${problem}`);

describe("a source definition is refused before anything is fetched", () => {
  it.each([
    { baseUrl: "https://api.github.com", pagination: { type: "link-header" } },
    {
      baseUrl: "https://pokeapi.co/api/v2",
      pagination: { type: "next-url", from: "$.next" },
      records: "$.results",
    },
    {
      baseUrl: "https://api.openalex.org",
      pagination: { type: "cursor", param: "cursor", from: "$.meta.next_cursor", first: "*" },
      records: "$.results",
      rateLimit: { calls: 100, windowSeconds: 1 },
    },
    {
      baseUrl: "https://api.worldbank.org/v2",
      pagination: { type: "page", param: "page", sizeParam: "per_page", totalPages: "$[0].pages" },
      records: "$[1]",
    },
    {
      baseUrl: "http://127.0.0.1:8080",
      pagination: { type: "cursor", param: "c", from: { header: "x-next" } },
    },
    {
      baseUrl: "http://localhost:8080",
      errors: { rules: [{ status: 200, bodyPath: "$.error", action: "fail", hint: "check it" }] },
    },
  ])("accepts the issue's examples and their like (%#)", (source) => {
    expect(problemsOf(source)).toEqual([]);
  });

  it.each([
    [
      { ...OK, pagination: { type: "next" } },
      'pagination.type is "next", which is not a pagination type: use one of "none", "page", "offset", "cursor", "next-url", "link-header"',
    ],
    [
      { ...OK, records: "results" },
      'records is "results", which is not a path: write "$" for the whole body, then ".field" or "[index]" steps, such as "$.results" or "$[1]" (no filters, wildcards or expressions)',
    ],
    [
      { ...OK, records: "$..results[?(@.x)]" },
      'records is "$..results[?(@.x)]", which is not a path: write "$" for the whole body, then ".field" or "[index]" steps, such as "$.results" or "$[1]" (no filters, wildcards or expressions)',
    ],
    [
      { baseUrl: "http://api.example.com" },
      'baseUrl is "http://api.example.com": use https (plain http only to 127.0.0.1 or localhost), so neither the data nor a key travels readable',
    ],
    [
      { baseUrl: "https://api.example.com?key=1" },
      "baseUrl carries a query, fragment or credentials: keep only scheme, host and path, and put a key in `auth`",
    ],
    [
      { ...OK, pagination: { type: "cursor", param: "c" } },
      'pagination.from is required for type "cursor": give the body path of the next cursor, such as "$.next"',
    ],
    [
      { ...OK, pagination: { type: "page" } },
      'pagination.param is required for type "page": name the query parameter, such as "page"',
    ],
    [
      { ...OK, pagination: { type: "link-header", from: "$.next" } },
      'pagination.from does not apply to type "link-header", which takes no other field',
    ],
    [
      { ...OK, rateLimit: { calls: 5 } },
      "rateLimit needs both `calls` and `windowSeconds`, or neither",
    ],
    [
      { ...OK, rateLimit: { resetHeader: "x-r" } },
      'rateLimit.resetFormat is required with `resetHeader`: say how its value reads, one of "epoch-seconds", "delta-seconds", "http-date", "iso-datetime"',
    ],
    [
      { ...OK, errors: { rules: [{ bodyPath: "$.error", action: "ignore" }] } },
      'errors.rules[0].action is "ignore": use one of "rate-limited", "retry", "fail"',
    ],
    [
      { ...OK, auth: { in: "cookie", name: "k", secret: "key" } },
      'auth.in is "cookie": use "header" or "query"',
    ],
    [
      { ...OK, extra: 1 },
      "extra is not a source field: use only `baseUrl`, `pagination`, `records`, `rateLimit`, `auth`, `errors`",
    ],
  ])("refuses %j", (source, problem) => {
    expect(problemsOf(source)).toEqual([problem]);
  });

  it("refuses a secret naming a config key that is not set, naming the command to set it", () => {
    const source = { ...OK, auth: { in: "query", name: "api_key", secret: "exampleKey" } };
    expect(problemsOf(source, () => false)).toEqual([
      "auth.secret names the config key `exampleKey`, which is not set: set it with `pulumi config set --secret exampleKey <key>` (npm start: the environment variable API_S3_LOAD_SECRET_EXAMPLE_KEY)",
    ]);
    expect(problemsOf(source, (key) => key === "exampleKey")).toEqual([]);
  });

  it("names every problem of a source at once", () => {
    const source = { baseUrl: "ftp://x", records: "x", pagination: { type: "cursor" } };
    expect(sourceProblems(source).map((p) => p.field)).toEqual([
      "baseUrl",
      "records",
      "pagination.param",
      "pagination.from",
    ]);
  });
});

describe("a sourced snapshot's own inputs", () => {
  const offset = { ...OK, name: "items", pagination: { type: "offset", total: "$.total" } };
  const inputs = (extra: Record<string, unknown>) => ({
    name: "items",
    endpoint: "items",
    key: "items/items.json",
    params: {},
    source: offset,
    ...extra,
  });

  it("refuses offset pagination with no page size, and takes one from params or pageSize", () => {
    expect(validateSnapshotInputs(inputs({}))).toEqual([
      {
        property: "params.limit",
        reason:
          "offset pagination needs a page size: set `params.limit` of the snapshot, or `pagination.pageSize` of its source.",
      },
    ]);
    expect(validateSnapshotInputs(inputs({ params: { limit: 50 } }))).toEqual([]);
    expect(
      validateSnapshotInputs(
        inputs({ source: { ...offset, pagination: { ...offset.pagination, pageSize: 20 } } }),
      ),
    ).toEqual([]);
  });

  it.each([
    [
      { maxPages: 0 },
      "maxPages",
      "`maxPages` must be a whole number from 1 to 1000 (default 10); got number 0.",
    ],
    [
      { maxPages: 1001 },
      "maxPages",
      "`maxPages` must be a whole number from 1 to 1000 (default 10); got number 1001.",
    ],
    [
      { pages: 2 },
      "pages",
      "`pages` is CoinGecko's: a declared source takes `maxPages` (default 10).",
    ],
  ])("refuses %j", (extra, property, reason) => {
    expect(validateSnapshotInputs(inputs({ params: { limit: 5 }, ...extra }))).toEqual([
      { property, reason },
    ]);
  });

  it("takes CoinGecko's per_page limit and plan rules only for CoinGecko", () => {
    expect(validateSnapshotInputs(inputs({ params: { limit: 5, per_page: 1000 } }))).toEqual([]);
    expect(
      validateSnapshotInputs({ name: "m", endpoint: "coins/markets", key: "k.json", maxPages: 3 }),
    ).toEqual([
      {
        property: "maxPages",
        reason: "`maxPages` applies to a declared `source`: for CoinGecko use `pages`.",
      },
    ]);
  });
});
