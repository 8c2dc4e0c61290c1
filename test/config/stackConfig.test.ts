import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as yaml from "js-yaml";
import { StackFileConfig } from "../../cli/stackFile";
import {
  bucketNameProblem,
  ConfigErrors,
  DEFAULT_SNAPSHOTS,
  normalizeKey,
  parseStackConfig,
  PROJECT,
  PROJECT_CONFIG_KEYS,
  readStackConfig,
  unknownKeyProblems,
  type ConfigSource,
  type KeyAdvice,
  type RawConfig,
} from "../../config/stackConfig";

const base: RawConfig = { hasApiKey: false };

describe("parseStackConfig", () => {
  it("defaults to the public plan, ACLs disabled and the coins-markets snapshot", () => {
    const settings = parseStackConfig(base);
    expect(settings).toMatchObject({
      plan: "public",
      baseUrl: "https://api.coingecko.com/api/v3",
      aclMode: "disabled",
      forceDestroy: false,
      protect: false,
      noncurrentVersionDays: 90,
      tags: {},
    });
    expect(settings.snapshots).toEqual(DEFAULT_SNAPSHOTS);
  });

  it("picks the pro host for the pro plan and keeps an explicit base URL without its trailing slash", () => {
    expect(parseStackConfig({ ...base, coingeckoPlan: "pro", hasApiKey: true }).baseUrl).toBe(
      "https://pro-api.coingecko.com/api/v3",
    );
    expect(
      parseStackConfig({ ...base, coingeckoBaseUrl: "http://127.0.0.1:9999/api/v3/" }).baseUrl,
    ).toBe("http://127.0.0.1:9999/api/v3");
  });

  it("takes a rate limit of 0, the declared default, as the plan's own limit", () => {
    expect(
      parseStackConfig({ ...base, coingeckoCallsPerMinute: 0 }).callsPerMinute,
    ).toBeUndefined();
    expect(parseStackConfig({ ...base, coingeckoCallsPerMinute: 12 }).callsPerMinute).toBe(12);
  });

  it("accepts the default snapshots for a keyed plan", () => {
    const settings = parseStackConfig({
      ...base,
      coingeckoPlan: "demo",
      hasApiKey: true,
      snapshots: DEFAULT_SNAPSHOTS,
    });
    expect(settings.snapshots).toEqual(DEFAULT_SNAPSHOTS);
  });

  it("gives each snapshot its default key from its name", () => {
    const settings = parseStackConfig({
      ...base,
      snapshots: [{ name: "global", endpoint: "global", params: {} }],
    });
    expect(settings.snapshots).toEqual([
      { name: "global", endpoint: "global", params: {}, key: "coingecko/global.json" },
    ]);
  });

  it.each<[string, Partial<RawConfig>, string]>([
    [
      "an unknown plan",
      { coingeckoPlan: "free" },
      'Config `api-s3-load:coingeckoPlan` is "free", which is not a CoinGecko plan. Use one of "public", "demo", "pro".',
    ],
    [
      "a demo plan without a key",
      { coingeckoPlan: "demo" },
      'Config `api-s3-load:coingeckoApiKey` is required when `coingeckoPlan` is "demo"',
    ],
    [
      "a key with the public plan",
      { hasApiKey: true },
      'Config `api-s3-load:coingeckoApiKey` is set, but `coingeckoPlan` is "public", which sends no key. Set `coingeckoPlan` to "demo"',
    ],
    [
      "a negative rate limit",
      { coingeckoCallsPerMinute: -1 },
      "Config `api-s3-load:coingeckoCallsPerMinute` is -1. Use a whole number of at least 1.",
    ],
    [
      "an unknown ACL mode",
      { aclMode: "public-read" },
      'Config `api-s3-load:aclMode` is "public-read". Use "disabled"',
    ],
    [
      "an invalid bucket name",
      { bucketName: "My_Bucket" },
      'Config `api-s3-load:bucketName` is "My_Bucket", which is not a valid S3 bucket name.',
    ],
    [
      "a base URL with a key in its query",
      { coingeckoBaseUrl: "https://api.coingecko.com/api/v3?x_cg_demo_api_key=k" },
      "Config `api-s3-load:coingeckoBaseUrl` carries a query string or credentials. Remove them",
    ],
    [
      "a base URL that is no URL",
      { coingeckoBaseUrl: "api.coingecko.com" },
      'Config `api-s3-load:coingeckoBaseUrl` is "api.coingecko.com", which is not a URL.',
    ],
    [
      "a zero version retention",
      { noncurrentVersionDays: 0 },
      "Config `api-s3-load:noncurrentVersionDays` is 0. Use a whole number of at least 1.",
    ],
    ["tags that are a list", { tags: ["a"] }, "Config `api-s3-load:tags` is not a map."],
    [
      "an empty snapshot list",
      { snapshots: [] },
      "Config `api-s3-load:snapshots` is not a non-empty list.",
    ],
    [
      "a snapshot that is not an object",
      { snapshots: ["coins/markets"] },
      "Config `api-s3-load:snapshots[0]` is not an object.",
    ],
    [
      "two snapshots with one name",
      {
        snapshots: [
          { name: "a", endpoint: "global", params: {} },
          { name: "a", endpoint: "ping", params: {} },
        ],
      },
      'Config `api-s3-load:snapshots[1].name` repeats "a".',
    ],
    [
      "two snapshots writing one key",
      {
        snapshots: [
          { name: "a", endpoint: "global", params: {}, key: "x.json" },
          { name: "b", endpoint: "ping", params: {}, key: "x.json" },
        ],
      },
      'Config `api-s3-load:snapshots[1].key` repeats "x.json".',
    ],
  ])("rejects %s with a message naming the key and the fix", (_case, raw, message) => {
    expect(() => parseStackConfig({ ...base, ...raw })).toThrow(ConfigErrors);
    expect(() => parseStackConfig({ ...base, ...raw })).toThrow(message);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "a misspelt field",
      { name: "x", endpoint: "global", params: {}, maxage: "PT1H" },
      "Config `api-s3-load:snapshots[0].maxage` is not a snapshot field. Did you mean `maxAge`?",
    ],
    [
      "an unknown field",
      { name: "x", endpoint: "global", params: {}, schedule: "hourly" },
      "Config `api-s3-load:snapshots[0].schedule` is not a snapshot field. Use only `name`,",
    ],
    [
      "adopt that is not a boolean",
      { name: "x", endpoint: "global", params: {}, adopt: "yes" },
      'Config `api-s3-load:snapshots[0].adopt` is "yes". Use true or false.',
    ],
  ])(
    "rejects a snapshot with %s, with the message that says the fix",
    (_case, snapshot, message) => {
      expect(() => parseStackConfig({ ...base, snapshots: [snapshot] })).toThrow(message);
    },
  );

  it("passes adopt and refresh through to the resource", () => {
    const settings = parseStackConfig({
      ...base,
      snapshots: [
        { name: "x", endpoint: "global", params: {}, adopt: true, refresh: "2026-11-30" },
      ],
    });
    expect(settings.snapshots[0]).toMatchObject({ adopt: true, refresh: "2026-11-30" });
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "an endpoint with a host",
      { name: "x", endpoint: "https://evil.example/coins", params: {} },
      "snapshots[0].endpoint",
    ],
    [
      "an endpoint that climbs out of the API root",
      { name: "x", endpoint: "../admin", params: {} },
      "snapshots[0].endpoint",
    ],
    [
      "a bad maxAge",
      { name: "x", endpoint: "global", params: {}, maxAge: "1 hour" },
      "snapshots[0].maxAge",
    ],
    [
      "too many pages",
      { name: "x", endpoint: "coins/markets", params: {}, pages: 1000 },
      "snapshots[0].pages",
    ],
  ])("rejects a snapshot with %s, naming the entry and field", (_case, snapshot, key) => {
    expect(() => parseStackConfig({ ...base, snapshots: [snapshot] })).toThrow(
      `Config \`api-s3-load:${key}\` is invalid:`,
    );
  });
});

/**
 * The program reads config through `pulumi.Config`, which the Pulumi CLI fills with strings; `npm
 * start` reads the stack file's YAML values. Both go through `readStackConfig`.
 */
describe("readStackConfig: the program and npm start read one config the same way", () => {
  const PRESENCE = { hasApiKey: false };

  /** The program's source: a real `pulumi.Config` filled as the Pulumi CLI fills it. */
  async function programSource(values: Record<string, unknown>): Promise<ConfigSource> {
    jest.resetModules();
    const pulumi = await import("@pulumi/pulumi");
    pulumi.runtime.setAllConfig(
      Object.fromEntries(
        Object.entries(values).map(([k, v]) => [
          `${PROJECT}:${k}`,
          typeof v === "string" ? v : JSON.stringify(v),
        ]),
      ),
      [],
    );
    return new pulumi.Config(PROJECT);
  }

  function messageOf(read: () => unknown): string {
    try {
      read();
    } catch (error) {
      return (error as Error).message;
    }
    return "(accepted)";
  }

  it.each<[string, Record<string, unknown>, string]>([
    [
      "a rate limit that is not a number",
      { coingeckoCallsPerMinute: "ten" },
      'Config `api-s3-load:coingeckoCallsPerMinute` is "ten", not a number. Use a whole number, such as 30.',
    ],
    [
      "protect that is not a boolean",
      { protect: "yes" },
      'Config `api-s3-load:protect` is "yes", not a boolean. Use true or false.',
    ],
    [
      "tags that are not structured",
      { tags: "team=data" },
      'Config `api-s3-load:tags` is "team=data", not valid structured config. Use a map of strings, e.g. `tags: {team: data}` in the stack file.',
    ],
    [
      "a fractional rate limit",
      { coingeckoCallsPerMinute: 2.5 },
      "Config `api-s3-load:coingeckoCallsPerMinute` is 2.5. Use a whole number of at least 1.",
    ],
    [
      "per_page above CoinGecko's maximum",
      { snapshots: [{ name: "a", endpoint: "coins/markets", params: { per_page: 251 } }] },
      "Config `api-s3-load:snapshots[0].params.per_page` is invalid: `params.per_page` must be a whole number from 1 to 250; got number 251. Correct it in the stack file.",
    ],
    [
      "an invalid bucket name",
      { bucketName: "../escape" },
      'Config `api-s3-load:bucketName` is "../escape", which is not a valid S3 bucket name. Use 3-63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit, or unset it to get a generated name.',
    ],
  ])("refuses %s with one message", async (_, values, message) => {
    const program = await programSource(values);
    expect(messageOf(() => readStackConfig(program, PRESENCE))).toBe(message);
    expect(messageOf(() => readStackConfig(new StackFileConfig(values), PRESENCE))).toBe(message);
  });

  it("reads every value of a valid stack file as the program reads the same values", async () => {
    const values = {
      bucketName: "my-bucket",
      forceDestroy: true,
      protect: true,
      aclMode: "private",
      noncurrentVersionDays: 30,
      tags: { team: "data" },
      coingeckoBaseUrl: "http://127.0.0.1:9/api/v3",
      coingeckoCallsPerMinute: 12,
      snapshots: [{ name: "g", endpoint: "global", params: {}, key: "x/g.json" }],
    };
    const fromFile = readStackConfig(new StackFileConfig(values), PRESENCE);
    expect(readStackConfig(await programSource(values), PRESENCE)).toEqual(fromFile);
    expect(fromFile).toMatchObject({
      baseUrl: "http://127.0.0.1:9/api/v3",
      callsPerMinute: 12,
      protect: true,
    });
  });

  it("reads quoted numbers and booleans as the Pulumi CLI does (`pulumi config set` quotes them)", async () => {
    const values = { coingeckoCallsPerMinute: "1", protect: "true", noncurrentVersionDays: 30 };
    const fromFile = readStackConfig(new StackFileConfig(values), PRESENCE);
    expect(readStackConfig(await programSource(values), PRESENCE)).toEqual(fromFile);
    expect(fromFile).toMatchObject({ callsPerMinute: 1, protect: true });
  });

  it("lets a command word the key and plan errors with its own fix", () => {
    const advice: KeyAdvice = {
      key: "KEY",
      plan: "PLAN",
      setKey: "Set KEY",
      setPlan: (plan) => `use --plan ${plan}`,
      removeKey: "unset KEY",
    };
    expect(() =>
      readStackConfig(new StackFileConfig({ coingeckoPlan: "pro" }), {
        hasApiKey: false,
        advice,
      }),
    ).toThrow('KEY is required when PLAN is "pro". Set KEY, or use --plan public.');
    expect(() => readStackConfig(new StackFileConfig({}), { hasApiKey: true, advice })).toThrow(
      'KEY is set, but PLAN is "public", which sends no key. Use --plan demo for a Demo key or use --plan pro for a paid key, or unset KEY.',
    );
  });
});

describe("snapshot keys", () => {
  it.each([
    ["b.json", "b.json"],
    ["x/../b.json", "b.json"],
    ["./a/b.json", "a/b.json"],
    ["/a//b.json", "a/b.json"],
  ])("normalizes %s to %s, the object a file-backed server writes", (key, normal) => {
    expect(normalizeKey(key)).toBe(normal);
  });

  it("refuses two snapshots whose keys name one object", () => {
    expect(() =>
      parseStackConfig({
        hasApiKey: false,
        snapshots: [
          { name: "a", endpoint: "global", params: {}, key: "b.json" },
          { name: "b", endpoint: "global", params: {}, key: "x/../b.json" },
        ],
      }),
    ).toThrow("Config `api-s3-load:snapshots[1].key`");
  });
});

describe("bucketNameProblem", () => {
  it.each([
    ["", "is empty"],
    ["../escape", 'is "../escape", which is not a valid S3 bucket name'],
    ["a..b", 'is "a..b", which is not a valid S3 bucket name'],
    ["Upper", 'is "Upper", which is not a valid S3 bucket name'],
  ])("refuses %j", (name, problem) => {
    expect(bucketNameProblem(name)).toBe(problem);
  });

  it("accepts a valid name", () => {
    expect(bucketNameProblem("api-s3-load-dev")).toBeUndefined();
  });
});

describe("unknownKeyProblem: a misspelt setting is refused, not ignored", () => {
  it("names the key and the setting it most likely meant", () => {
    expect(unknownKeyProblems(["aws:region", "api-s3-load:coingeckoPlna"])[0]?.message).toBe(
      "Config `api-s3-load:coingeckoPlna` is not a setting of this project. Did you mean `coingeckoPlan`? Fix its name in the stack file, or remove it (settings: " +
        `${PROJECT_CONFIG_KEYS.join(", ")}).`,
    );
  });

  it("makes no guess for a key that resembles no setting", () => {
    expect(unknownKeyProblems(["api-s3-load:colour"])[0]?.message).toMatch(
      /^Config `api-s3-load:colour` is not a setting of this project\. Fix its name/,
    );
  });

  it("knows exactly the settings Pulumi.yaml declares for this project", () => {
    const project = yaml.load(readFileSync(join(__dirname, "..", "..", "Pulumi.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    const declared = Object.keys(project.config).filter((key) => !key.includes(":"));
    expect([...PROJECT_CONFIG_KEYS].sort()).toEqual(declared.sort());
  });

  it("accepts every setting of the project and other packages' keys", () => {
    expect(
      unknownKeyProblems([
        ...PROJECT_CONFIG_KEYS.map((key) => `api-s3-load:${key}`),
        "aws:region",
        "aws:endpoints",
        "pulumi:tags",
        "kubernetes:context",
      ]),
    ).toEqual([]);
  });

  it("stops the program and npm start alike", async () => {
    jest.resetModules();
    const pulumi = await import("@pulumi/pulumi");
    pulumi.runtime.setAllConfig({ "api-s3-load:protectt": "true" }, []);
    const keys = Object.keys(pulumi.runtime.allConfig());
    const program = () =>
      readStackConfig(new pulumi.Config(PROJECT), { hasApiKey: false, configKeys: keys });
    const file = new StackFileConfig({ protectt: true });
    const start = () => readStackConfig(file, { hasApiKey: false, configKeys: file.keys() });
    expect(program).toThrow(
      "Config `api-s3-load:protectt` is not a setting of this project. Did you mean `protect`?",
    );
    expect(start).toThrow(
      "Config `api-s3-load:protectt` is not a setting of this project. Did you mean `protect`?",
    );
  });
});

describe("issue 18: one reading, naming the source", () => {
  const fileWith = (values: Record<string, unknown>) => new StackFileConfig(values);

  it("refuses a number with trailing text, which pulumi.Config's parseFloat would take", () => {
    expect(() =>
      readStackConfig(fileWith({ coingeckoCallsPerMinute: "10abc" }), { hasApiKey: false }),
    ).toThrow(
      'Config `api-s3-load:coingeckoCallsPerMinute` is "10abc", not a number. Use a whole number, such as 30.',
    );
    expect(
      readStackConfig(fileWith({ coingeckoCallsPerMinute: "10" }), { hasApiKey: false })
        .callsPerMinute,
    ).toBe(10);
  });

  it("suggests the field a misspelt snapshot field meant, as for top-level keys", () => {
    expect(() =>
      parseStackConfig({
        ...base,
        snapshots: [{ name: "m", endpoint: "global", params: {}, pagse: 2 }],
      }),
    ).toThrow(
      "Config `api-s3-load:snapshots[0].pagse` is not a snapshot field. Did you mean `pages`?",
    );
  });

  it("names a value by the flag or variable it came from", () => {
    expect(() =>
      parseStackConfig({ ...base, coingeckoPlan: "gold" }, undefined, { coingeckoPlan: "--plan" }),
    ).toThrow('`--plan` is "gold", which is not a CoinGecko plan.');
    expect(() =>
      parseStackConfig({ ...base, coingeckoBaseUrl: "x" }, undefined, {
        coingeckoBaseUrl: "COINGECKO_BASE_URL",
      }),
    ).toThrow('`COINGECKO_BASE_URL` is "x", which is not a URL.');
  });

  it("names a plaintext key by its stack config key, with the fix of the command", () => {
    const advice: KeyAdvice = {
      key: "COINGECKO_API_KEY",
      plan: "the plan",
      setKey: "Set it",
      setPlan: (plan) => `pass --plan ${plan}`,
      removeKey: "unset it",
      plaintextKey: "pass it in COINGECKO_API_KEY",
    };
    expect(() =>
      parseStackConfig(
        { ...base, coingeckoPlan: "demo", hasApiKey: true, apiKeyIsSecret: false },
        advice,
      ),
    ).toThrow(
      "Config `api-s3-load:coingeckoApiKey` is stored in plaintext in the stack's config file. Set it again with `pulumi config set --secret api-s3-load:coingeckoApiKey <key>` so it is encrypted, or pass it in COINGECKO_API_KEY; rotate the key if that file was shared.",
    );
  });
});

describe("issue 24: every mistake of a reading at once", () => {
  /** The mistakes a reading throws, one message each. */
  function problemsOf(read: () => unknown): string[] {
    try {
      read();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigErrors);
      return (error as ConfigErrors).problems.map((p) => p.message);
    }
    throw new Error("The reading did not refuse the config.");
  }
  const file = (values: Record<string, unknown>) => new StackFileConfig(values);
  const read = (values: Record<string, unknown>) => () =>
    readStackConfig(file(values), { hasApiKey: false, configKeys: file(values).keys() });

  it("names two misspelt fields of one snapshot entry in one reading", () => {
    expect(
      problemsOf(
        read({ snapshots: [{ name: "m", endpiont: "coins/markets", pagse: 2, params: {} }] }),
      ),
    ).toEqual([
      "Config `api-s3-load:snapshots[0].endpiont` is not a snapshot field. Did you mean `endpoint`?",
      "Config `api-s3-load:snapshots[0].pagse` is not a snapshot field. Did you mean `pages`?",
      expect.stringContaining(
        "Config `api-s3-load:snapshots[0].endpoint` is invalid: `endpoint` is required",
      ),
    ]);
  });

  it("names a bad pages and a bad maxAge of one entry together", () => {
    const problems = problemsOf(
      read({
        snapshots: [{ name: "m", endpoint: "coins/markets", pages: "two", maxAge: "1 hour" }],
      }),
    );
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^Config `api-s3-load:snapshots\[0\]\.pages` is invalid: /);
    expect(problems[1]).toMatch(/^Config `api-s3-load:snapshots\[0\]\.maxAge` is invalid: /);
  });

  it("names mistakes across keys and entries, with one line per mistake in the message", () => {
    const values = {
      aclMode: "public",
      coingeckoPlan: "gold",
      protect: "yes",
      snapshots: [
        { name: "a", endpoint: "global", params: {} },
        { name: "b", endpoint: "global", params: {}, schedule: "hourly" },
      ],
    };
    let message = "";
    try {
      read(values)();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split("\n")).toEqual([
      "4 problems; fix them all, nothing was fetched or written:",
      '  - Config `api-s3-load:protect` is "yes", not a boolean. Use true or false.',
      '  - Config `api-s3-load:coingeckoPlan` is "gold", which is not a CoinGecko plan. Use one of "public", "demo", "pro".',
      expect.stringMatching(/^ {2}- Config `api-s3-load:aclMode` is "public"\. Use "disabled"/),
      expect.stringMatching(
        /^ {2}- Config `api-s3-load:snapshots\[1\]\.schedule` is not a snapshot field\./,
      ),
    ]);
  });

  it("says which namespace a misspelt one meant, and leaves other packages' alone", () => {
    expect(
      problemsOf(read({ "api-s3-lod:forceDestroy": true, "aws:region": "us-east-1" })),
    ).toEqual([
      "Config `api-s3-lod:forceDestroy` is in the namespace `api-s3-lod`, which nothing reads. Did you mean `api-s3-load:forceDestroy`? Fix the namespace in the stack file.",
    ]);
  });

  it("stops the program on a misspelt namespace as npm start", async () => {
    jest.resetModules();
    const pulumi = await import("@pulumi/pulumi");
    pulumi.runtime.setAllConfig({ "api-s3-lod:forceDestroy": "true" }, []);
    const keys = Object.keys(pulumi.runtime.allConfig());
    expect(() =>
      readStackConfig(new pulumi.Config(PROJECT), { hasApiKey: false, configKeys: keys }),
    ).toThrow("Did you mean `api-s3-load:forceDestroy`?");
  });
});
