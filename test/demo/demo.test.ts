/**
 * `npm run demo` as a user runs it: the real npm script in a child process, in this checkout. It
 * must land the dev snapshots from the fake CoinGecko in its data folder, say where they are and what
 * a real run does differently, connect to nothing but 127.0.0.1, and leave no server listening.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_HINT, demoHint, tellAboutDemo } from "../../demo/hint";
import { REAL_RUN } from "../../demo/main";
import { marketsItem } from "../helpers/fakeCoingecko";
import { PROJECT_ROOT } from "../helpers/programRun";

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

let scratch: string;
let guard: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "api-s3-load-demo-"));
  // Preloaded into the demo's node: any connection to a host other than loopback is reported on
  // stderr and refused, so "nothing leaves 127.0.0.1" is checked, not assumed.
  guard = join(scratch, "loopbackOnly.js");
  writeFileSync(
    guard,
    `const net = require("node:net");
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const options = typeof args[0] === "object" && args[0] !== null ? args[0] : { port: args[0], host: args[1] };
  const host = options.path ? "127.0.0.1" : (options.host ?? "localhost");
  if (!["127.0.0.1", "localhost", "::1"].includes(host)) {
    process.stderr.write("NON-LOOPBACK CONNECTION to " + host + "\\n");
    throw new Error("connection beyond loopback refused by the test");
  }
  return connect.apply(this, args);
};
`,
  );
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function npmRunDemo(args: string[]): Promise<Finished> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_OPTIONS: `--require ${guard}`,
    // npm's own update check is npm's, not the demo's.
    npm_config_update_notifier: "false",
    // A user's CoinGecko settings must not reach the demo.
    COINGECKO_BASE_URL: "https://api.coingecko.com/api/v3",
    COINGECKO_PLAN: "pro",
    COINGECKO_API_KEY: "CG-not-for-the-demo",
  };
  const child = spawn("npm", ["run", "demo", ...(args.length ? ["--", ...args] : [])], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

/** Resolves true when something accepts a connection on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function ports(stderr: string): { api: number; s3: number } {
  const api = /^demo: fake CoinGecko API on http:\/\/127\.0\.0\.1:(\d+)\/api\/v3/m.exec(stderr);
  const s3 = /^Embedded S3 on http:\/\/127\.0\.0\.1:(\d+), /m.exec(stderr);
  expect(api).not.toBeNull();
  expect(s3).not.toBeNull();
  return { api: Number(api?.[1]), s3: Number(s3?.[1]) };
}

describe("npm run demo", () => {
  it("lands the dev snapshot from the fake API in .data/demo, says where, and stops its servers", async () => {
    const dataDir = join(PROJECT_ROOT, ".data", "demo");
    rmSync(dataDir, { recursive: true, force: true });

    const run = await npmRunDemo([]);

    expect(run.code).toBe(0);
    const file = join(dataDir, "api-s3-load-dev", "coingecko", "coins-markets.json._S3rver_object");
    expect(run.stdout).toContain(
      "coins-markets: data successfully uploaded to s3://api-s3-load-dev/coingecko/coins-markets.json (90769 bytes, 100 items, sha256 ",
    );
    expect(run.stdout).toContain(`  coingecko/coins-markets.json: ${file}\n`);
    expect(run.stdout.endsWith(`${REAL_RUN.join("\n")}\n`)).toBe(true);
    // The stored object is the fake API's first page, pretty-printed.
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(
      Array.from({ length: 100 }, (_, i) => marketsItem(i)),
    );
    // stderr is the progress of the run and nothing else: no warning, no outside connection.
    const { api, s3 } = ports(run.stderr);
    expect(run.stderr.trimEnd().split("\n")).toEqual([
      `demo: fake CoinGecko API on http://127.0.0.1:${api}/api/v3; running npm start's dev snapshots against it.`,
      `Embedded S3 on http://127.0.0.1:${s3}, data in ${dataDir}, private bucket "api-s3-load-dev".`,
    ]);
    expect(await listening(api)).toBe(false);
    expect(await listening(s3)).toBe(false);
  });

  it("with --rate-limit, shows the run waiting out CoinGecko's 429 and then landing the data", async () => {
    const dataDir = join(scratch, "data");

    const run = await npmRunDemo(["--rate-limit", "--data-dir", dataDir]);

    expect(run.code).toBe(0);
    const { api, s3 } = ports(run.stderr);
    expect(run.stderr).toContain(
      `failed: the API answered HTTP 429; trying again in 3.0 s, as the API's Retry-After header asks (attempt 2 of 5).`,
    );
    expect(run.stdout).toContain("coins-markets: data successfully uploaded to ");
    expect(
      JSON.parse(
        readFileSync(
          join(dataDir, "api-s3-load-dev", "coingecko", "coins-markets.json._S3rver_object"),
          "utf8",
        ),
      ),
    ).toHaveLength(100);
    expect(run.stderr).not.toContain("NON-LOOPBACK");
    expect(await listening(api)).toBe(false);
    expect(await listening(s3)).toBe(false);
  });
});

describe("the hint npm start gives when CoinGecko is out of reach", () => {
  it("follows npm start's DNS failure", async () => {
    const child = spawn(
      "npm",
      [
        "start",
        "--silent",
        "--",
        "--base-url",
        "https://api.coingecko.invalid/api/v3",
        "--data-dir",
        join(scratch, "start"),
      ],
      { cwd: PROJECT_ROOT, env: { ...process.env, npm_config_update_notifier: "false" } },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));

    expect(code).toBe(1);
    const lines = stderr.trimEnd().split("\n");
    expect(lines[lines.length - 2]).toMatch(/^coins-markets: failed: .*\(DNS: ENOTFOUND\)/);
    expect(lines[lines.length - 1]).toBe(DEMO_HINT);
  });

  it.each([
    "failed: the host api.coingecko.com could not be found (DNS: ENOTFOUND). Check the base URL's host",
    "failed: nothing accepted the connection to 10.0.0.1:3128 (ECONNREFUSED).",
    "failed: the connection failed (ETIMEDOUT)",
    "failed after 5 attempts: the API answered HTTP 429",
  ])("names npm run demo for %s", (message) => {
    expect(demoHint(message)).toBe(DEMO_HINT);
  });

  it("is said once a run, however many snapshots could not reach the API", () => {
    const lines: string[] = [];
    const io = { stderr: (line: string) => lines.push(line) };
    tellAboutDemo("the connection failed (ETIMEDOUT)", io);
    tellAboutDemo("the host api.coingecko.com could not be found (DNS: ENOTFOUND)", io);
    expect(lines).toEqual([DEMO_HINT]);
  });

  it.each(["http://127.0.0.1:8080/api/v3", "http://localhost:8080/api/v3"])(
    "says nothing when the run already talks to an API on this machine (%s)",
    (baseUrl) => {
      expect(demoHint("nothing accepted the connection (ECONNREFUSED)", baseUrl)).toBeUndefined();
      expect(
        demoHint(
          "nothing accepted the connection (ECONNREFUSED)",
          "https://api.coingecko.com/api/v3",
        ),
      ).toBe(DEMO_HINT);
    },
  );

  it("says nothing for a failure that is about the config", () => {
    expect(
      demoHint("the API answered HTTP 401: API Key Missing (coingeckoApiKey)"),
    ).toBeUndefined();
  });
});
