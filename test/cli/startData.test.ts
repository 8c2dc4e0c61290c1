/**
 * Where `npm start`'s data is once the command has ended (issue 18 §3): one success line per
 * snapshot, a path that can be read after the embedded server stopped, and plain JSON files with
 * `--export DIR`. Each through the real `npm start` process.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { npmStart, useFakeApiAndProject } from "./npmStart";

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

const setup = useFakeApiAndProject({
  two: {
    snapshots: [
      {
        name: "coins-markets",
        endpoint: "coins/markets",
        params: { vs_currency: "usd", per_page: 100 },
        key: "coingecko/coins-markets.json",
      },
      {
        name: "global",
        endpoint: "global",
        params: {},
        key: "coingecko/global.json",
        gzip: true,
      },
    ],
  },
});

/** The success line of each snapshot, by name. */
function successLines(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split("\n")
      .map((line) => /^([\w-]+): data (successfully uploaded to|unchanged at) /.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m.input]),
  );
}

describe("npm start says where the data is", () => {
  it("prints one success line per snapshot, counted in the singular and the plural", async () => {
    const dataDir = join(setup.root, "data-lines");
    const { code, stdout } = await npmStart(setup.root, [
      "--stack",
      "two",
      "--base-url",
      setup.fake.baseUrl,
      "--data-dir",
      dataDir,
      "--verify",
    ]);
    expect(code).toBe(0);
    const lines = successLines(stdout);
    expect(Object.keys(lines)).toEqual(["coins-markets", "global"]);
    expect(lines["coins-markets"]).toMatch(
      /^coins-markets: data successfully uploaded to s3:\/\/api-s3-load-two\/coingecko\/coins-markets\.json \(\d+ bytes, 100 items, sha256 [0-9a-f]{64}\)$/,
    );
    expect(lines.global).toMatch(/ \(\d+ bytes, 1 item, sha256 [0-9a-f]{64}\)$/);
    expect(stdout).not.toMatch(/Data successfully uploaded|\b1 items\b|\b1 objects\b/);
    expect(stdout).toContain("verify: all 2 objects hold");

    const again = await npmStart(setup.root, [
      "--stack",
      "two",
      "--base-url",
      setup.fake.baseUrl,
      "--data-dir",
      dataDir,
    ]);
    expect(Object.values(successLines(again.stdout))).toEqual([
      expect.stringMatching(/^coins-markets: data unchanged at s3:\/\/\S+, nothing written \(/),
      expect.stringMatching(/^global: data unchanged at /),
    ]);
  });

  it("names the file each object can be read from after the embedded server stopped", async () => {
    const dataDir = join(setup.root, "data-files");
    const { code, stdout } = await npmStart(setup.root, [
      "--stack",
      "two",
      "--base-url",
      setup.fake.baseUrl,
      "--data-dir",
      dataDir,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      "The embedded S3 server stops with this command; the objects stay readable in its data folder",
    );
    const files = Object.fromEntries(
      [...stdout.matchAll(/^ {2}(\S+): (\/\S+)$/gm)].map(([, key, path]) => [key, path]),
    );
    expect(Object.keys(files)).toEqual(["coingecko/coins-markets.json", "coingecko/global.json"]);
    const lines = successLines(stdout);
    for (const [name, key] of [
      ["coins-markets", "coingecko/coins-markets.json"],
      ["global", "coingecko/global.json"],
    ]) {
      // The command has exited: the file is what is left, and it holds the bytes the run recorded.
      expect(files[key].startsWith(dataDir)).toBe(true);
      const bytes = readFileSync(files[key]);
      expect(lines[name]).toContain(`sha256 ${sha256(bytes)})`);
    }
    expect(JSON.parse(readFileSync(files["coingecko/coins-markets.json"], "utf8"))).toHaveLength(
      100,
    );
  });

  it("--export DIR writes each object as a plain JSON file at DIR/<key>, gzip-stored ones decompressed", async () => {
    const dataDir = join(setup.root, "data-export");
    const exportDir = join(setup.root, "exported");
    const { code, stdout } = await npmStart(setup.root, [
      "--stack",
      "two",
      "--base-url",
      setup.fake.baseUrl,
      "--data-dir",
      dataDir,
      "--export",
      exportDir,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain("Exported as plain JSON, readable after this command:");
    const markets = join(exportDir, "coingecko", "coins-markets.json");
    const global = join(exportDir, "coingecko", "global.json");
    expect(stdout).toContain(`  coingecko/coins-markets.json: ${markets}`);
    expect(stdout).toContain(`  coingecko/global.json: ${global}`);
    const lines = successLines(stdout);
    expect(lines["coins-markets"]).toContain(`sha256 ${sha256(readFileSync(markets))})`);
    expect(JSON.parse(readFileSync(markets, "utf8"))).toHaveLength(100);
    // Stored gzip-encoded, exported as the JSON it encodes.
    expect(JSON.parse(readFileSync(global, "utf8"))).toHaveProperty("data");
    // Written beside its place and renamed: no temporary file is left.
    expect(readdirSync(join(exportDir, "coingecko")).sort()).toEqual([
      "coins-markets.json",
      "global.json",
    ]);
  });

  it("reads a relative --export from the folder the command was typed in", async () => {
    const typedIn = join(setup.root, "somewhere");
    mkdirSync(typedIn, { recursive: true });
    const { code, stdout } = await npmStart(
      setup.root,
      [
        "--stack",
        "two",
        "--base-url",
        setup.fake.baseUrl,
        "--data-dir",
        join(setup.root, "data-relative"),
        "--export",
        "out",
      ],
      {},
      typedIn,
    );
    expect(code).toBe(0);
    const markets = join(typedIn, "out", "coingecko", "coins-markets.json");
    expect(stdout).toContain(`  coingecko/coins-markets.json: ${markets}`);
    expect(JSON.parse(readFileSync(markets, "utf8"))).toHaveLength(100);
  });

  it("refuses an --export path that is a file before it fetches anything", async () => {
    const file = join(setup.root, "package.json");
    setup.fake.reset();
    const { code, stderr } = await npmStart(setup.root, [
      "--stack",
      "two",
      "--base-url",
      setup.fake.baseUrl,
      "--data-dir",
      join(setup.root, "data-refused"),
      "--export",
      file,
    ]);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `error: \`--export ${file}\` is a file, not a folder: pass a folder for the JSON files (it is created if missing).\n`,
    );
    expect(setup.fake.count()).toBe(0);
    expect(existsSync(join(setup.root, "data-refused"))).toBe(false);
  });
});
