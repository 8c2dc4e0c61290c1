/**
 * `npm start` reads the whole stack file once, and names the source of a bad value (issue 18 §4,
 * §5): a flag or environment variable is named as the user gave it, the stack file by its key,
 * file and line. Each through the real `npm start` process; none of them fetches or writes.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { npmStart, useFakeApiAndProject, writeStack } from "./npmStart";

const setup = useFakeApiAndProject();

/** Runs `npm start` on stack `t` with the given stack config; expects a refusal before any work. */
async function refused(config: Record<string, unknown>, args: string[] = [], env = {}) {
  writeStack(setup.root, "t", config);
  const dataDir = join(setup.root, "data");
  const result = await npmStart(
    setup.root,
    ["--stack", "t", "--base-url", setup.fake.baseUrl, "--data-dir", dataDir, ...args],
    env,
  );
  expect(result.code).toBe(1);
  expect(existsSync(dataDir)).toBe(false);
  expect(setup.fake.count()).toBe(0);
  return result.stderr.trim();
}

describe("npm start names the source of a bad value", () => {
  it.each<[string, string[], NodeJS.ProcessEnv, string]>([
    [
      "--plan",
      ["--plan", "gold"],
      {},
      'error: `--plan` is "gold", which is not a CoinGecko plan. Use one of "public", "demo", "pro".',
    ],
    [
      "COINGECKO_PLAN",
      [],
      { COINGECKO_PLAN: "gold" },
      'error: `COINGECKO_PLAN` is "gold", which is not a CoinGecko plan. Use one of "public", "demo", "pro".',
    ],
    [
      "--base-url",
      ["--base-url", "ftp://127.0.0.1/api/v3"],
      {},
      'error: `--base-url` uses the scheme "ftp:". Use an http:// or https:// URL.',
    ],
  ])("a bad %s is named as given", async (_, args, env, message) => {
    expect(await refused({}, args, env)).toBe(message);
  });

  it("a bad coingeckoBaseUrl in the stack file is named by its key", async () => {
    writeStack(setup.root, "t", { coingeckoBaseUrl: "not a url" });
    const result = await npmStart(setup.root, [
      "--stack",
      "t",
      "--data-dir",
      join(setup.root, "data"),
    ]);
    expect(result.stderr.trim()).toBe(
      'error: Config `api-s3-load:coingeckoBaseUrl` is "not a url", which is not a URL. Use an absolute URL such as https://api.coingecko.com/api/v3.',
    );
  });

  it("a plaintext key in the stack file names coingeckoApiKey, with the fix for npm start too", async () => {
    expect(await refused({ coingeckoPlan: "demo", coingeckoApiKey: "CG-plain-key-123" })).toBe(
      "error: Config `api-s3-load:coingeckoApiKey` is stored in plaintext in the stack's config file. Set it again with `pulumi config set --secret api-s3-load:coingeckoApiKey <key>` so it is encrypted, or remove it from the stack file and give it to `npm start` as `COINGECKO_API_KEY=<key> npm start`; rotate the key if that file was shared.",
    );
  });

  it("broken YAML names the file and the line", async () => {
    writeFileSync(
      join(setup.root, "Pulumi.t.yaml"),
      "config:\n  api-s3-load:protect: true\n   aws:region: us-east-1\n",
    );
    const result = await npmStart(setup.root, [
      "--stack",
      "t",
      "--data-dir",
      join(setup.root, "data"),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `error: ${join(setup.root, "Pulumi.t.yaml")} is not valid YAML at line 3, column 14: bad indentation of a mapping entry. Fix the file there (Pulumi reads the same file).`,
    );
  });
});

describe("npm start refuses what pulumi up would refuse", () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      "a number with trailing text",
      { coingeckoCallsPerMinute: "10abc" },
      'error: Config `api-s3-load:coingeckoCallsPerMinute` is "10abc", not a number. Use a whole number, such as 30.',
    ],
    [
      "a misspelt snapshot field",
      {
        snapshots: [
          { name: "m", endpoint: "coins/markets", params: { vs_currency: "usd" }, pagse: 3 },
        ],
      },
      "error: Config `api-s3-load:snapshots[0].pagse` is not a snapshot field. Did you mean `pages`?",
    ],
    [
      "a snapshot's pages with trailing text",
      {
        snapshots: [
          { name: "m", endpoint: "coins/markets", params: { vs_currency: "usd" }, pages: "10abc" },
        ],
      },
      "error: Config `api-s3-load:snapshots[0].pages` is invalid:",
    ],
  ])("%s", async (_, config, message) => {
    expect(await refused(config)).toContain(message);
  });

  it("a flag's number with trailing text", async () => {
    expect(await refused({}, ["--port", "10abc"])).toBe(
      "error: `--port 10abc` is not a TCP port: pass a whole number from 1 to 65535, or leave it out to pick a free port.",
    );
  });
});
