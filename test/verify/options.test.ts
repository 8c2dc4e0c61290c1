import { verifyCommand } from "../../cli/verify";
import {
  DEFAULT_KEY,
  parseStackOutputs,
  parseVerifyFlags,
  resolveOptions,
  USAGE,
} from "../../verify";

describe("parseVerifyFlags", () => {
  it("reads -h and --help as the request for the usage", () => {
    expect(parseVerifyFlags(["-h"]).help).toBe(true);
    expect(parseVerifyFlags(["--help"]).help).toBe(true);
  });

  it("refuses a stray argument with exit code 2 and the way to the options", async () => {
    const lines: string[] = [];
    const io = { stdout: (l: string) => lines.push(l), stderr: (l: string) => lines.push(l) };
    expect(await verifyCommand(["prod"], io)).toBe(2);
    expect(lines).toEqual([
      "Unexpected argument `prod`: `npm run verify` takes only options. Fix: see `npm run verify -- --help` for the options.",
    ]);
  });

  it("prints the usage for --help", async () => {
    const lines: string[] = [];
    const io = { stdout: (l: string) => lines.push(l), stderr: (l: string) => lines.push(l) };
    expect(await verifyCommand(["-h"], io)).toBe(0);
    expect(lines).toEqual([USAGE.trimEnd()]);
  });

  it("reads every flag, with repeatable --key and --flag=value forms", () => {
    expect(
      parseVerifyFlags([
        "--bucket",
        "b1",
        "--key",
        "/a.json",
        "--key=b.json",
        "--region=eu-west-1",
        "--endpoint",
        "http://localhost:4566",
        "--path-style",
        "--stack-outputs",
        "out.json",
      ]),
    ).toEqual({
      bucket: "b1",
      keys: ["a.json", "b.json"],
      region: "eu-west-1",
      endpoint: "http://localhost:4566",
      pathStyle: true,
      stackOutputs: "out.json",
      help: false,
    });
  });

  it.each([
    [
      ["--endpoint", "localhost:4566"],
      'Option `--endpoint` must be an http(s) URL (got "localhost:4566"). Fix: `--endpoint http://localhost:4566`.',
    ],
    [["--key", "--bucket", "b"], "Option `--key` needs a value. Fix: `--key <value>`."],
    [["--key", ""], "Option `--key` needs a value. Fix: `--key <value>`."],
    [
      ["bucket-name"],
      "Unexpected argument `bucket-name`: `npm run verify` takes only options. Fix: see `npm run verify -- --help` for the options.",
    ],
    [
      ["--bucke", "b"],
      "Unknown option `--bucke`. Did you mean `--bucket`? Fix: see `npm run verify -- --help` for the options.",
    ],
    [["-x"], "Unknown option `-x`. Fix: see `npm run verify -- --help` for the options."],
    [
      ["--path-style=yes"],
      "Option `--path-style` takes no value. Fix: write `--path-style` alone.",
    ],
  ])("rejects %j", (argv, message) => {
    expect(() => parseVerifyFlags(argv)).toThrow(message);
  });
});

const OUTPUTS = {
  bucketName: "stack-bucket",
  region: "eu-central-1",
  accountId: "123456789012",
  snapshots: {
    "coins-markets": { key: "coingecko/coins-markets.json", sha256: "a".repeat(64) },
    trending: { key: "coingecko/trending.json", sha256: "[secret]" },
  },
};

describe("parseStackOutputs", () => {
  it("takes bucket, region, account and each snapshot's key and sha256, ignoring [secret]", () => {
    expect(parseStackOutputs(JSON.stringify(OUTPUTS), "o.json")).toEqual({
      bucketName: "stack-bucket",
      region: "eu-central-1",
      accountId: "123456789012",
      objects: [
        { key: "coingecko/coins-markets.json", sha256: "a".repeat(64) },
        { key: "coingecko/trending.json", sha256: undefined },
      ],
    });
  });

  it.each([
    [
      "not json",
      "`--stack-outputs o.json` is not JSON. Fix: write it with `pulumi stack output --json > o.json` in the api-s3-load project.",
    ],
    ['{"region":"x"}', "`--stack-outputs o.json` has no `bucketName` string output."],
    [
      '{"bucketName":"b","snapshots":{"s":{}}}',
      "`--stack-outputs o.json`: `snapshots.s.key` is missing.",
    ],
  ])("rejects %s", (text, message) => {
    expect(() => parseStackOutputs(text, "o.json")).toThrow(message);
  });
});

describe("resolveOptions", () => {
  const stack = parseStackOutputs(JSON.stringify(OUTPUTS), "o.json");
  const noFlags = parseVerifyFlags([]);

  it("uses the stack's bucket, region, account and snapshot keys when no flags override them", () => {
    expect(resolveOptions(noFlags, stack)).toMatchObject({
      bucket: "stack-bucket",
      region: "eu-central-1",
      expectedAccountId: "123456789012",
      objects: stack.objects,
    });
  });

  it("lets flags win and keeps the stack's sha256 for a key it knows", () => {
    const options = resolveOptions(
      parseVerifyFlags(["--key", "coingecko/coins-markets.json", "--region", "us-east-1"]),
      stack,
    );
    expect(options.region).toBe("us-east-1");
    expect(options.objects).toEqual([
      { key: "coingecko/coins-markets.json", sha256: "a".repeat(64) },
    ]);
  });

  it("does not apply the stack's keys or account to another bucket or an emulator endpoint", () => {
    expect(resolveOptions(parseVerifyFlags(["--bucket", "other"]), stack).objects).toEqual([
      { key: DEFAULT_KEY },
    ]);
    expect(
      resolveOptions(parseVerifyFlags(["--endpoint", "http://127.0.0.1:1"]), stack)
        .expectedAccountId,
    ).toBeUndefined();
  });

  it("checks no object when there is no bucket at all", () => {
    expect(resolveOptions(noFlags)).toMatchObject({ bucket: undefined, objects: [] });
  });
});
