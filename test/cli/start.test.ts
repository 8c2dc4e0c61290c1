import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { startEmbeddedS3 } from "../../cli/embeddedS3";
import { runCommand } from "../../cli/run";
import { RUN_USAGE } from "../../cli/runFlags";
import { startFakeCoingecko, type FakeCoingecko } from "../helpers/fakeCoingecko";
import { PROJECT_ROOT } from "../helpers/programRun";
import { stackFolder } from "./npmStart";

const run = promisify(execFile);
const KEY = "coingecko/coins-markets.json";

/** The stored object's bytes, read by opening a job's data folder again. */
async function storedObject(
  dataDir: string,
  bucket = "api-s3-load-dev",
  key = KEY,
): Promise<{ body: Buffer; contentType?: string }> {
  const s3 = await startEmbeddedS3({ directory: dataDir });
  try {
    const object = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return {
      body: Buffer.from(await object.Body!.transformToByteArray()),
      contentType: object.ContentType,
    };
  } finally {
    await s3.stop();
  }
}

/** Runs `npm start` as a user would, against the fake API, with its data in `dataDir`. */
function npmStart(
  fake: FakeCoingecko,
  dataDir: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
) {
  return run(
    "npm",
    ["start", "--silent", "--", "--base-url", fake.baseUrl, "--data-dir", dataDir, ...extra],
    { cwd: PROJECT_ROOT, env: { ...process.env, ...env } },
  );
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "api-s3-load-start-"));
}

/** A project folder with the real Pulumi.yaml and the given stack files. */
const projectWith = stackFolder;

/** `npm start` in this process, as cli/main.ts runs it, with its output collected. */
async function start(argv: string[], root: string, env: NodeJS.ProcessEnv = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io = { stdout: (l: string) => stdout.push(l), stderr: (l: string) => stderr.push(l) };
  let code: number;
  try {
    code = await runCommand(argv, io, env, root);
  } catch (error) {
    stderr.push(`error: ${(error as Error).message}`);
    code = 1;
  }
  return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
}

/** Every file under `dir`, relative. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) =>
    statSync(join(dir, f)).isFile(),
  );
}

let fake: FakeCoingecko;
const cleanup: string[] = [];
beforeAll(async () => {
  fake = await startFakeCoingecko();
});
beforeEach(() => fake.reset());
afterAll(async () => {
  await fake.stop();
  for (const dir of cleanup) {
    rmSync(dir, { recursive: true, force: true });
  }
});
function own(dir: string): string {
  cleanup.push(dir);
  return dir;
}

describe("npm start (spawned)", () => {
  it("lands the default snapshot in the stack's own local bucket as pretty JSON whose sha256 it prints", async () => {
    const dataDir = own(tempDir());
    const { stdout, stderr } = await npmStart(fake, dataDir);
    // One line per result, on stdout: the engine's own "wrote s3://…" is not repeated on stderr.
    expect(`${stdout}${stderr}`.match(/s3:\/\/api-s3-load-dev\/coingecko/g)).toHaveLength(1);
    const line = stdout.split("\n").find((l) => l.startsWith("coins-markets: "));
    const [, uri, bytes, items, sha256] =
      /^coins-markets: data successfully uploaded to (s3:\/\/\S+) \((\d+) bytes, (\d+) items, sha256 ([0-9a-f]{64})\)$/.exec(
        line ?? "",
      ) ?? [];
    expect(uri).toBe(`s3://api-s3-load-dev/${KEY}`);
    expect(Number(items)).toBe(100);
    expect(fake.count("/coins/markets")).toBe(1);

    const { body, contentType } = await storedObject(dataDir);
    expect(body.length).toBe(Number(bytes));
    expect(createHash("sha256").update(body).digest("hex")).toBe(sha256);
    const parsed = JSON.parse(body.toString("utf8"));
    expect(body.toString("utf8")).toBe(`${JSON.stringify(parsed, null, 2)}\n`);
    expect(parsed).toHaveLength(100);
    expect(contentType).toBe("application/json");
  });

  it("writes nothing on a second run when the stored bytes are the ones it would write", async () => {
    const dataDir = own(tempDir());
    await npmStart(fake, dataDir);
    const { stdout, stderr } = await npmStart(fake, dataDir);
    expect(stdout).toContain(
      `coins-markets: data unchanged at s3://api-s3-load-dev/${KEY}, nothing written (`,
    );
    expect(stderr).not.toContain("payload unchanged");
  });

  it("repairs an object whose bytes were corrupted behind its metadata, and --verify proves it", async () => {
    const dataDir = own(tempDir());
    await npmStart(fake, dataDir);
    const good = await storedObject(dataDir);
    const file = filesUnder(dataDir).find((f) => f.endsWith("coins-markets.json._S3rver_object"));
    writeFileSync(join(dataDir, file!), good.body.toString("utf8").replace('"coin-1"', '"coin-X"'));

    const { stdout, stderr } = await npmStart(fake, dataDir, ["--verify"]);
    expect(stderr).toContain(`s3://api-s3-load-dev/${KEY} holds bytes with sha256 `);
    expect(stdout).toContain(
      `coins-markets: data successfully uploaded to s3://api-s3-load-dev/${KEY}`,
    );
    expect(stdout).toMatch(
      new RegExp(`^ok +object ${KEY}: .*sha256 [0-9a-f]{64} matches its metadata`, "m"),
    );
    expect(stdout).toContain("verify: the 1 object holds");
    expect((await storedObject(dataDir)).body.equals(good.body)).toBe(true);
  });

  it("fails with the API's reason and keeps the stored object when the API answers an error", async () => {
    const dataDir = own(tempDir());
    await npmStart(fake, dataDir);
    const before = await storedObject(dataDir);
    fake.setFault({ kind: "error-body", status: 401, shape: "status", code: 10002 });
    await expect(npmStart(fake, dataDir)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /coins-markets: failed:[^]*COINGECKO_PLAN=demo COINGECKO_API_KEY=<key> npm start/,
      ),
    });
    fake.setFault();
    expect((await storedObject(dataDir)).body.equals(before.body)).toBe(true);
  });

  it("names the AWS variables to set when --s3-endpoint finds no credentials", async () => {
    const dataDir = own(tempDir());
    const s3 = await startEmbeddedS3({ directory: dataDir, buckets: ["api-s3-load-dev"] });
    try {
      const env: NodeJS.ProcessEnv = {
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_SHARED_CREDENTIALS_FILE: join(dataDir, "none"),
        AWS_CONFIG_FILE: join(dataDir, "none"),
      };
      for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"]) {
        env[name] = "";
      }
      // No --data-dir: it belongs to the embedded server, which this run does not use.
      const spawned = run(
        "npm",
        ["start", "--silent", "--", "--base-url", fake.baseUrl, "--s3-endpoint", s3.endpoint],
        { cwd: PROJECT_ROOT, env: { ...process.env, ...env } },
      );
      await expect(spawned).rejects.toMatchObject({
        code: 1,
        stderr: `error: No AWS credentials were found for the S3 endpoint ${s3.endpoint} (from \`--s3-endpoint\`): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) to the server's key pair: S3RVER / S3RVER for the embedded server of \`npm start\`, test / test for LocalStack and moto.\n`,
      });
      expect(fake.count()).toBe(0);
    } finally {
      await s3.stop();
    }
  });
});

describe("npm start reads the stack file as the program does", () => {
  it("takes coingeckoBaseUrl from the stack file when no flag is given", async () => {
    const root = own(projectWith({ t: { coingeckoBaseUrl: fake.baseUrl } }));
    const result = await start(["--stack", "t", "--data-dir", join(root, "data")], root);
    expect(result).toMatchObject({ code: 0 });
    expect(fake.count("/api/v3/coins/markets")).toBe(1);
  });

  it("lets a flag override the stack file only when given", async () => {
    const root = own(projectWith({ t: { coingeckoBaseUrl: "http://127.0.0.1:9/api/v3" } }));
    const result = await start(
      ["--stack", "t", "--base-url", fake.baseUrl, "--data-dir", join(root, "data")],
      root,
    );
    expect(result.code).toBe(0);
    expect(fake.count("/api/v3/coins/markets")).toBe(1);
  });

  it.each([
    [
      { coingeckoCallsPerMinute: "ten" },
      'Config `api-s3-load:coingeckoCallsPerMinute` is "ten", not a number. Use a whole number, such as 30.',
    ],
    [
      { protect: "yes" },
      'Config `api-s3-load:protect` is "yes", not a boolean. Use true or false.',
    ],
    [
      { coingeckoPlan: "demo" },
      'COINGECKO_API_KEY is required when the plan (--plan, COINGECKO_PLAN or the stack\'s coingeckoPlan) is "demo". Set it in the environment, e.g. `COINGECKO_API_KEY=<key> npm start`, or pass `--plan public` (or set COINGECKO_PLAN=public).',
    ],
    [
      {
        snapshots: [
          { name: "a", endpoint: "coins/markets", params: { vs_currency: "usd", per_page: 500 } },
        ],
      },
      "Config `api-s3-load:snapshots[0].params.per_page` is invalid: `params.per_page` must be a whole number from 1 to 250; got number 500. Correct it in the stack file.",
    ],
    [
      {
        snapshots: [
          { name: "a", endpoint: "global", params: {}, key: "b.json" },
          { name: "b", endpoint: "global", params: {}, key: "x/../b.json" },
        ],
      },
      "Config `api-s3-load:snapshots[1].key`",
    ],
  ])("refuses %j before it touches anything", async (config, message) => {
    const root = own(projectWith({ t: { coingeckoBaseUrl: fake.baseUrl, ...config } }));
    const dataDir = join(root, "data");
    const result = await start(["--stack", "t", "--data-dir", dataDir], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: ${message}`);
    expect(existsSync(dataDir)).toBe(false);
    expect(fake.count()).toBe(0);
  });

  it("keeps stacks apart: each stack writes its own local bucket", async () => {
    const root = own(projectWith({ a: {}, b: {} }));
    const dataDir = join(root, "data");
    for (const stack of ["a", "b"]) {
      const result = await start(
        ["--stack", stack, "--base-url", fake.baseUrl, "--data-dir", dataDir],
        root,
      );
      expect(result.stdout).toContain(
        `coins-markets: data successfully uploaded to s3://api-s3-load-${stack}/${KEY}`,
      );
    }
    expect((await storedObject(dataDir, "api-s3-load-a")).body.length).toBeGreaterThan(0);
    expect((await storedObject(dataDir, "api-s3-load-b")).body.length).toBeGreaterThan(0);
  });
});

describe("npm start refuses bad input before it touches anything", () => {
  it.each([
    [
      ["--bucket", "../escape"],
      'error: `--bucket` is "../escape", which is not a valid S3 bucket name. Use 3-63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit.',
    ],
    [["--bucket", ""], "error: Option `--bucket` needs a value. Fix: `--bucket <value>`."],
    [["--bucket", "Bad_Name"], 'error: `--bucket` is "Bad_Name", which is not a valid S3'],
    [
      ["--port", "abc"],
      "error: `--port abc` is not a TCP port: pass a whole number from 1 to 65535, or leave it out to pick a free port.",
    ],
    [["--port", "99999"], "error: `--port 99999` is not a TCP port"],
    [
      ["prod"],
      "error: Unexpected argument `prod`: `npm start` takes only options. Fix: see `npm start -- --help` for the options.",
    ],
    [
      ["--stak", "prod"],
      "error: Unknown option `--stak`. Did you mean `--stack`? Fix: see `npm start -- --help` for the options.",
    ],
    [["-x"], "error: Unknown option `-x`."],
    [["--verify=yes"], "error: Option `--verify` takes no value. Fix: write `--verify` alone."],
    [["--region", "eu-west-1"], "error: `--region` applies only with `--s3-endpoint`"],
  ])("%j", async (argv, message) => {
    const root = own(projectWith({ dev: {} }));
    const dataDir = join(root, "data");
    const result = await start([...argv, "--base-url", fake.baseUrl, "--data-dir", dataDir], root);
    expect(result.code).toBeGreaterThan(0);
    expect(result.stderr).toContain(message);
    expect(existsSync(dataDir)).toBe(false);
    expect(existsSync(join(root, "escape"))).toBe(false);
    expect(fake.count()).toBe(0);
  });

  it("says a flag mistake in one line with the way to --help, and prints --help on request", async () => {
    const root = own(projectWith({ dev: {} }));
    expect(await start(["--stak", "prod"], root)).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "error: Unknown option `--stak`. Did you mean `--stack`? Fix: see `npm start -- --help` for the options.",
    });
    for (const flag of ["--help", "-h"]) {
      expect(await start([flag], root)).toEqual({ code: 0, stdout: RUN_USAGE, stderr: "" });
    }
    expect(fake.count()).toBe(0);
  });

  it("--help lists one flag a line", () => {
    const options = RUN_USAGE.split("\n\n").find((block) => block.startsWith("Options:"))!;
    const lines = options.split("\n").slice(1);
    expect(lines.length).toBe(12);
    for (const line of lines) {
      const [flag, help] = line.trim().split(/ {2,}/);
      expect(flag).toMatch(/^(-\w, )?--[\w-]+( [A-Z]+)?$/);
      expect(help).not.toBe("");
    }
  });

  it("names every mistake of the command line at once", async () => {
    const root = own(projectWith({ dev: {} }));
    const result = await start(["--stak", "prod", "--verify=yes", "stray"], root);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")).toEqual([
      "error: Unknown option `--stak`. Did you mean `--stack`? Fix: see `npm start -- --help` for the options.",
      "error: Option `--verify` takes no value. Fix: write `--verify` alone.",
      "error: Unexpected argument `stray`: `npm start` takes only options. Fix: see `npm start -- --help` for the options.",
    ]);
  });

  it("names every mistake of flags and stack file at once, before any request", async () => {
    const root = own(
      projectWith({
        dev: { snapshots: [{ name: "m", endpiont: "coins/markets", pagse: 2, params: {} }] },
      }),
    );
    const dataDir = join(root, "data");
    const result = await start(
      ["--base-url", fake.baseUrl, "--data-dir", dataDir, "--port", "99999", "--region", "x"],
      root,
    );
    expect(result.code).toBe(1);
    const lines = result.stderr.split("\n");
    expect(lines[0]).toBe("error: 5 problems; fix them all, nothing was fetched or written:");
    expect(lines.slice(1)).toEqual([
      "  - Config `api-s3-load:snapshots[0].endpiont` is not a snapshot field. Did you mean `endpoint`?",
      "  - Config `api-s3-load:snapshots[0].pagse` is not a snapshot field. Did you mean `pages`?",
      expect.stringContaining("  - Config `api-s3-load:snapshots[0].endpoint` is invalid:"),
      expect.stringContaining("  - `--region` applies only with `--s3-endpoint`"),
      expect.stringContaining("  - `--port 99999` is not a TCP port"),
    ]);
    expect(existsSync(dataDir)).toBe(false);
    expect(fake.count()).toBe(0);
  });

  it("names a misspelt namespace in the stack file with the key it most likely meant", async () => {
    const root = own(projectWith({ dev: { "api-s3-lod:forceDestroy": true } }));
    const result = await start(
      ["--base-url", fake.baseUrl, "--data-dir", join(root, "data")],
      root,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "error: Config `api-s3-lod:forceDestroy` is in the namespace `api-s3-lod`, which nothing reads. Did you mean `api-s3-load:forceDestroy`? Fix the namespace in the stack file.",
    );
    expect(fake.count()).toBe(0);
  });

  it("refuses an --export folder that cannot be made before any request reaches the API", async () => {
    const root = own(projectWith({ dev: {} }));
    const dataDir = join(root, "data");
    const result = await start(
      ["--base-url", fake.baseUrl, "--data-dir", dataDir, "--export", "/proc/nope"],
      root,
    );
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "error: `--export /proc/nope` cannot be created (ENOENT in /proc): pass a folder for the JSON files you can write to.",
    });
    expect(fake.count()).toBe(0);
    expect(existsSync(dataDir)).toBe(false);
  });

  it("says a --data-dir that is a file is not a folder", async () => {
    const root = own(projectWith({ dev: {} }));
    const file = join(root, "a-file");
    writeFileSync(file, "x");
    const result = await start(["--base-url", fake.baseUrl, "--data-dir", file], root);
    expect(result.stderr).toBe(
      `error: \`--data-dir ${file}\` is a file, not a folder: pass a folder (it is created if missing).`,
    );
  });

  it("says a busy --port is in use, in one sentence", async () => {
    const root = own(projectWith({ dev: {} }));
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const dataDir = join(root, "data");
      const result = await start(
        ["--base-url", fake.baseUrl, "--data-dir", dataDir, "--port", String(port)],
        root,
      );
      expect(existsSync(dataDir)).toBe(false);
      expect(result.stderr).toBe(
        `error: Port ${port} on 127.0.0.1 is already in use: pass another \`--port\`, or leave it out to pick a free port.`,
      );
      expect(fake.count()).toBe(0);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});

describe("npm start says the fix for its own failures", () => {
  it("fails at once, naming http vs https, when https:// meets a plain-HTTP server", async () => {
    const root = own(projectWith({ dev: {} }));
    const httpsUrl = fake.baseUrl.replace("http://", "https://");
    const result = await start(["--base-url", httpsUrl, "--data-dir", join(root, "data")], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `the server there does not speak https. If it is a plain-HTTP server, use http://${new URL(fake.baseUrl).host} in the base URL instead of https://`,
    );
    expect(result.stderr).not.toContain("attempts");
  });

  it("says which base URL was used when the API root lacks /api/v3", async () => {
    const root = own(projectWith({ dev: {} }));
    const baseUrl = `${fake.origin}/api`;
    const result = await start(["--base-url", baseUrl, "--data-dir", join(root, "data")], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `The base URL used was ${baseUrl} (from --base-url); CoinGecko's API root ends in /api/v3, such as https://api.coingecko.com/api/v3.`,
    );
  });

  it("prints progress and long-wait lines unless --quiet, and results either way", async () => {
    const root = own(projectWith({ dev: {} }));
    const dataDir = join(root, "data");
    // A slow answer: past the notice threshold, the wait is announced once.
    fake.setOptions({ latencyMs: 3_300 });
    const loud = await start(["--base-url", fake.baseUrl, "--data-dir", dataDir], root).finally(
      () => fake.setOptions({ latencyMs: 0 }),
    );
    expect(loud.stderr).toContain("Embedded S3 on http://127.0.0.1:");
    expect(loud.stderr.split("\n").filter((l) => l.startsWith("Waiting for "))).toEqual([
      `Waiting for ${fake.origin}: no answer to GET ${fake.baseUrl}/coins/markets?order=market_cap_desc&page=1&per_page=100&vs_currency=usd after 3.0 s; still waiting, up to the request timeout of 30 s (the snapshot's timeoutSeconds).`,
    ]);
    const quiet = await start(["--base-url", fake.baseUrl, "--data-dir", dataDir, "-q"], root);
    expect(quiet).toMatchObject({ code: 0, stderr: "" });
    expect(quiet.stdout).toContain(`coins-markets: data unchanged at s3://api-s3-load-dev/${KEY}`);
  });
});
