import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { maxAgePeriod } from "@api-s3-load/snapshot-engine";
import { runProgram, type ProgramRun } from "../helpers/programRun";

const SNAPSHOT = "pulumi-nodejs:dynamic/coingecko:Snapshot";

// The first run loads the whole program under mocks: on a loaded 2-core machine that takes a while.
jest.setTimeout(180_000);

/** What each Snapshot registers: its inputs, and a digest of its serialized provider. */
function snapshotInputs(run: ProgramRun) {
  return run.resources
    .filter((r) => r.type === SNAPSHOT)
    .map((r) => {
      const { __provider, ...inputs } = r.inputs as Record<string, unknown>;
      return {
        name: r.name,
        providerSha256: createHash("sha256").update(String(__provider)).digest("hex"),
        inputs,
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * Captured from main (d6edf6f) before sources existed: index.ts run under these same mocks for the
 * dev and prod stack files as they are (see the fixture's "//" note).
 */
const BEFORE = JSON.parse(
  readFileSync(join(__dirname, "fixtures", "coingeckoSnapshotInputs.json"), "utf8"),
) as Record<string, ReturnType<typeof snapshotInputs>>;

describe("a stack file written before sources existed (the built-in preset coingecko)", () => {
  it.each(["dev", "prod"] as const)(
    "Pulumi.%s.yaml registers exactly the Snapshot inputs it did before: no diff on deploy",
    async (stack) => {
      const now = Date.now();
      const after = snapshotInputs(await runProgram(stack));
      for (const snapshot of after) {
        const period = snapshot.inputs.maxAgePeriod;
        if (period !== undefined) {
          // The one clock-dependent input: the start of the current maxAge period, by one rule.
          expect(period).toBe(maxAgePeriod(snapshot.inputs.maxAge as string, now));
          snapshot.inputs.maxAgePeriod = "<start of the current PT1H period>";
        }
        // The bucket's name is the mock provider's auto-name (policy-runner/mockCloud.ts), whose
        // suffix changed when the mocks learned the AWS provider's naming; a deploy reads the real one.
        expect(snapshot.inputs.bucket).toMatch(new RegExp(`^api-s3-load-${stack}-[0-9a-f]{7}$`));
        snapshot.inputs.bucket = `<api-s3-load-${stack}'s auto-name>`;
      }
      expect(after).toEqual(BEFORE[stack]);
    },
  );
});

const GITHUB = {
  baseUrl: "https://api.github.com",
  auth: { in: "header", name: "Authorization", scheme: "Bearer", secret: "githubToken" },
  pagination: { type: "link-header" },
};
const TOKEN = "ghp_canary0123456789abcdef";

describe("a declared source in the stack file", () => {
  it("reaches its Snapshot with the source, maxPages and default key, the key only as a secret", async () => {
    const run = await runProgram("dev", {
      config: {
        "api-s3-load:sources": { github: GITHUB },
        "api-s3-load:snapshots": [
          { name: "releases", source: "github", endpoint: "repos/o/r/releases", maxPages: 3 },
          { name: "markets", endpoint: "coins/markets", params: { vs_currency: "usd" } },
        ],
        "api-s3-load:githubToken": TOKEN,
      },
      secretKeys: ["api-s3-load:githubToken"],
    });
    const [markets, releases] = snapshotInputs(run);
    expect(releases.inputs).toMatchObject({
      name: "releases",
      key: "github/releases.json",
      maxPages: 3,
      source: { ...GITHUB, name: "github" },
    });
    expect(releases.inputs.apiKey).toEqual(expect.objectContaining({ value: TOKEN }));
    expect(releases.inputs).not.toHaveProperty("baseUrl");
    expect(releases.inputs.plan).toBe("public");
    expect(markets.inputs).not.toHaveProperty("source");
    expect(markets.inputs).not.toHaveProperty("apiKey");
    expect(markets.inputs.key).toBe("coingecko/markets.json");
    const outputs = run.outputs.snapshots as Record<string, Record<string, unknown>>;
    expect(Object.keys(outputs.releases)).toContain("truncated");
    expect(Object.keys(outputs.markets)).not.toContain("truncated");
    const elsewhere = run.resources.filter((r) => r.name !== "releases");
    expect(JSON.stringify(elsewhere)).not.toContain(TOKEN);
    expect(JSON.stringify(run.outputs)).not.toContain(TOKEN);
  });

  it("is refused, every problem at once, before anything is registered", async () => {
    const attempt = runProgram("dev", {
      config: {
        "api-s3-load:sources": {
          github: { ...GITHUB, baseUrl: "http://api.github.com" },
          pokeapi: { baseUrl: "https://pokeapi.co/api/v2", pagination: { type: "next" } },
        },
        "api-s3-load:snapshots": [{ name: "pokemon", source: "pokeap", endpoint: "pokemon" }],
      },
    });
    const message = await attempt.then(
      () => "",
      (error: Error) => error.message,
    );
    expect(message.split("\n")).toEqual([
      "4 problems; fix them all, nothing was fetched or written:",
      '  - Config `api-s3-load:sources.github.baseUrl` is "http://api.github.com". Use https (plain http only to 127.0.0.1 or localhost), so neither the data nor a key travels readable.',
      "  - Config `api-s3-load:sources.github.auth.secret` names the config key `githubToken`, which is not set. Set it with `pulumi config set --secret githubToken <key>` (npm start: the environment variable API_S3_LOAD_SECRET_GITHUB_TOKEN).",
      '  - Config `api-s3-load:sources.pokeapi.pagination.type` is "next", which is not a pagination type. Use one of "none", "page", "offset", "cursor", "next-url", "link-header".',
      '  - Config `api-s3-load:snapshots[0].source` is "pokeap", which is not a declared source. Did you mean `pokeapi`? Declare it under `sources`, or use one of `coingecko`, `github`, `pokeapi`.',
    ]);
  });
});
