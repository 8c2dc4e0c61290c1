import {
  defaultSnapshotKey,
  keyProblem,
  planDefaults,
  UNKNOWN,
  validateSnapshotInputs,
} from "@api-s3-load/snapshot-engine";

/** A complete, valid set of resource inputs; each case changes one field. */
const baseline: Record<string, unknown> = {
  name: "coins-markets",
  endpoint: "coins/markets",
  params: { vs_currency: "usd", order: "market_cap_desc", per_page: 100, page: 1 },
  pages: 2,
  key: "coingecko/coins-markets.json",
  maxAge: "PT1H",
  minItems: 1,
  maxBytes: 1_000_000,
  timeoutSeconds: 60,
  requiredFields: ["id", "current_price"],
  gzip: false,
  cacheControl: "max-age=60",
  tags: { team: "data" },
  plan: "demo",
  apiKey: "CG-secret-value",
  baseUrl: "https://api.coingecko.com/api/v3",
  bucket: "api-s3-load-dev",
};

describe("validateSnapshotInputs", () => {
  it("accepts the baseline and a minimal keyless spec", () => {
    expect(validateSnapshotInputs(baseline)).toEqual([]);
    expect(validateSnapshotInputs({ name: "global", endpoint: "global" })).toEqual([]);
  });

  it.each([
    [
      "name",
      "Coins Markets",
      '`name` must be 1–63 lowercase letters, digits or dashes starting with a letter or digit, such as "coins-markets"; got "Coins Markets".',
    ],
    [
      "endpoint",
      undefined,
      '`endpoint` is required: give the API path relative to the API root, such as "coins/markets".',
    ],
    [
      "endpoint",
      "https://api.coingecko.com/api/v3/coins/markets",
      "must be a path relative to the API root",
    ],
    ["endpoint", "/coins/markets", "drop the scheme, host and leading slash"],
    [
      "endpoint",
      "api.coingecko.com/api/v3/coins/markets",
      "drop the scheme, host and leading slash",
    ],
    ["endpoint", "localhost:8080/coins/markets", "drop the scheme, host and leading slash"],
    ["endpoint", "coins/markets?vs_currency=usd", "put query parameters in `params`"],
    ["endpoint", "coins/../key", 'must not contain "?", "#", spaces or "."/".." segments'],
    ["params", ["usd"], "`params` must be a map of query parameter names"],
    ["pages", 0, "`pages` must be a whole number from 1 to 100; got number 0."],
    ["pages", 1.5, "`pages` must be a whole number from 1 to 100"],
    ["key", "/coingecko/x.json", '`key` "/coingecko/x.json" starts with "/"'],
    ["key", "", "`key` must be a non-empty S3 object key"],
    ["maxAge", "1h", '`maxAge`: Duration "1h" is not an ISO-8601 duration'],
    ["minItems", -1, "`minItems` must be a whole number of 0 or more"],
    ["maxBytes", 0, "`maxBytes` must be a whole number of bytes from 1 to"],
    [
      "timeoutSeconds",
      0,
      "`timeoutSeconds` must be a whole number of seconds from 1 to 900, the time one request may take (default 30); got number 0.",
    ],
    ["timeoutSeconds", 2.5, "`timeoutSeconds` must be a whole number of seconds from 1 to 900"],
    ["timeoutSeconds", 901, "`timeoutSeconds` must be a whole number of seconds from 1 to 900"],
    [
      "timeoutSeconds",
      "30",
      'from 1 to 900, the time one request may take (default 30); got "30".',
    ],
    ["requiredFields", "id", "`requiredFields` must be a list of field names"],
    ["gzip", "yes", '`gzip` must be true or false; got "yes".'],
    ["cacheControl", "max-age=60\r\nx: y", "`cacheControl` must be a one-line Cache-Control value"],
    ["plan", "free", '`plan` (coingeckoPlan) must be one of public, demo, pro; got "free".'],
    ["baseUrl", "ftp://x", "`baseUrl` (coingeckoBaseUrl) must be an http(s) URL"],
    [
      "baseUrl",
      "https://api.coingecko.com/api/v3?x_cg_demo_api_key=1",
      "must not contain a query, fragment or credentials",
    ],
    ["baseUrl", "http://api.coingecko.com/api/v3", 'must use https with plan "demo"'],
    ["tags", ["a"], "`tags` must be a map of tag names to string values"],
    ["bucket", "ab", "`bucket` must be an S3 bucket name"],
    ["bucket", "Bad_Bucket", "`bucket` must be an S3 bucket name"],
  ])("rejects %s = %j", (property, value, reason) => {
    const failures = validateSnapshotInputs({ ...baseline, [property]: value });
    expect(failures).toEqual([{ property, reason: expect.stringContaining(reason) }]);
  });

  it.each([
    [
      "params.x_cg_demo_api_key",
      { params: { vs_currency: "usd", x_cg_demo_api_key: "k" } },
      "would put the API key in the URL",
    ],
    ["params.ids", { params: { ids: ["bitcoin"] } }, "Join lists with commas"],
    [
      "apiKey",
      { apiKey: undefined },
      '`apiKey` is required with plan "demo": set it with `pulumi config set --secret coingeckoApiKey <key>`',
    ],
    ["apiKey", { plan: "public" }, '`apiKey` is set but `plan` is "public", which sends no key'],
    [
      "requiredFields[1]",
      { requiredFields: ["id", ""] },
      "`requiredFields[1]` must be a non-empty field name",
    ],
  ])("rejects %s", (property, change, reason) => {
    expect(validateSnapshotInputs({ ...baseline, ...change })).toEqual([
      { property, reason: expect.stringContaining(reason) },
    ]);
  });

  it("allows plain http for a server on localhost", () => {
    expect(
      validateSnapshotInputs({ ...baseline, baseUrl: "http://127.0.0.1:4010/api/v3" }),
    ).toEqual([]);
  });

  it("accepts values that are still unknown, at any depth", () => {
    const unknowns = Object.fromEntries(Object.keys(baseline).map((k) => [k, UNKNOWN]));
    expect(validateSnapshotInputs(unknowns)).toEqual([]);
    expect(
      validateSnapshotInputs({
        ...baseline,
        params: { vs_currency: UNKNOWN },
        requiredFields: [UNKNOWN],
      }),
    ).toEqual([]);
    expect(validateSnapshotInputs({ ...baseline, plan: UNKNOWN, apiKey: undefined })).toEqual([]);
  });

  it("never echoes the API key", () => {
    const secret = "CG-canary with spaces";
    const failures = validateSnapshotInputs({ ...baseline, apiKey: secret, plan: "public" });
    expect(failures.length).toBeGreaterThan(0);
    expect(JSON.stringify(failures)).not.toContain("canary");
  });
});

describe("keyProblem (check and npm start)", () => {
  const FIX =
    'write it as a plain relative path of non-empty names separated by single "/", such as';

  it.each([
    ["coingecko/coins-markets.json"],
    ["a"],
    ["data/2026-11-30/coins.json"],
    ["..json"],
    ["a/.hidden/b"],
    ["a/b..c/d"],
    ["folder with spaces/x.json"],
  ])("accepts %j", (key) => {
    expect(keyProblem(key)).toBeUndefined();
  });

  it.each([
    [
      "../escape.json",
      'has a ".." segment, which file-based tools read as the parent folder',
      "escape.json",
    ],
    [
      "a/../../b.json",
      'has a ".." segment, which file-based tools read as the parent folder',
      "a/b.json",
    ],
    [
      "coingecko/..",
      'has a ".." segment, which file-based tools read as the parent folder',
      "coingecko",
    ],
    ["a//b.json", 'has an empty segment ("//")', "a/b.json"],
    ["./a.json", 'has a "." segment (such as a leading "./")', "a.json"],
    ["a/./b.json", 'has a "." segment (such as a leading "./")', "a/b.json"],
    ["/a.json", 'starts with "/"', "a.json"],
    ["a/", 'ends with "/", which names a folder rather than an object', "a"],
    ["a\u0000b.json", "contains the control character U+0000", "ab.json"],
    ["a\nb.json", "contains the control character U+000A", "ab.json"],
    ["a\u007fb.json", "contains the control character U+007F", "ab.json"],
    [
      "..",
      'has a ".." segment, which file-based tools read as the parent folder',
      "coingecko/coins-markets.json",
    ],
  ])("refuses %j, naming `key`, the problem and a plain key to use", (key, problem, plain) => {
    expect(keyProblem(key)).toBe(`\`key\` ${JSON.stringify(key)} ${problem}: ${FIX} "${plain}".`);
  });

  it("is the rule check applies, as a failure on `key`", () => {
    expect(validateSnapshotInputs({ ...baseline, key: "data/../../etc/x.json" })).toEqual([
      { property: "key", reason: keyProblem("data/../../etc/x.json") },
    ]);
  });

  it("refuses what is not a key of 1 to 1024 bytes", () => {
    expect(keyProblem("x".repeat(1025))).toContain(
      "`key` must be a non-empty S3 object key of at most 1024 bytes",
    );
    expect(keyProblem(42)).toBe(
      '`key` must be a non-empty S3 object key of at most 1024 bytes, such as "coingecko/coins-markets.json"; got number 42.',
    );
  });
});

describe("defaults", () => {
  it("stores a snapshot under coingecko/<name>.json", () => {
    expect(defaultSnapshotKey("coins-markets")).toBe("coingecko/coins-markets.json");
  });

  it.each([
    ["public", { baseUrl: "https://api.coingecko.com/api/v3", callsPerMinute: 5 }],
    [
      "demo",
      {
        baseUrl: "https://api.coingecko.com/api/v3",
        keyHeader: "x-cg-demo-api-key",
        callsPerMinute: 30,
      },
    ],
    [
      "pro",
      {
        baseUrl: "https://pro-api.coingecko.com/api/v3",
        keyHeader: "x-cg-pro-api-key",
        callsPerMinute: 250,
      },
    ],
  ] as const)("plan %s picks host, header and limit", (plan, expected) => {
    expect(planDefaults(plan)).toEqual(expected);
  });
});
