/**
 * `npm run demo`: `npm start` of the `dev` stack against a fake CoinGecko on 127.0.0.1, for a first
 * look without the internet, a proxy in the way or CoinGecko's rate limit. It is a thin adapter: it
 * starts the fake API, calls the command `npm start` runs (cli/run.ts) with that base URL, says what a
 * real run does differently, and stops everything it started. Nothing leaves 127.0.0.1.
 */
import "../startup/supportedNode";
import { resolve } from "node:path";
import type { Io } from "../cli/io";
import { runCommand } from "../cli/run";
import { stopWithParent } from "../cli/stopSignals";
import { flagsOrMistakes, formatFlags, parseFlags } from "../flags/parseFlags";
import { startFakeCoingecko, type Fault } from "./fakeCoingecko";

const ROOT = resolve(__dirname, "..");

/** Delay of each fake answer: about what CoinGecko's public API takes for a page of markets. */
export const DEMO_LATENCY_MS = 300;
/** How long the fake's 429 asks the client to wait with `--rate-limit`. */
export const DEMO_RETRY_AFTER_SECONDS = 3;

const OPTIONS = {
  "rate-limit": {
    type: "boolean",
    help: "the fake API answers the first request with CoinGecko's 429, so you see the wait",
  },
  "data-dir": {
    type: "string",
    value: "DIR",
    help: "where the embedded S3 server keeps its data (default .data/demo)",
  },
  help: { type: "boolean", short: "h", help: "this text" },
} as const;

export const DEMO_USAGE = `Usage: npm run demo [-- --rate-limit] [--data-dir DIR]
Runs \`npm start\` on the dev stack (Pulumi.dev.yaml) against a fake CoinGecko API served on
127.0.0.1 (made-up coins in the real API's response shapes, ${DEMO_LATENCY_MS} ms an answer), into the embedded
S3 server with its data in DIR (default .data/demo, apart from npm start's .data/s3). Nothing goes
beyond 127.0.0.1, and every server it starts stops with it. --rate-limit makes the fake API answer
the first request with CoinGecko's 429, so you see the run wait and retry.

Options:
${formatFlags(OPTIONS)}`;

/** What a real run does that the demo did not, printed after a successful demo. */
export const REAL_RUN = [
  "That was the demo: the data above came from a fake CoinGecko on 127.0.0.1 (coins named coin-1, coin-2, …).",
  "A real run differs only in where it reads and writes:",
  "  npm start   fetches https://api.coingecko.com/api/v3 (public plan: no key, 5 calls a minute, every wait announced) into the same embedded S3 server, data in .data/s3",
  "  pulumi up   runs the same snapshots as Pulumi resources into a private S3 bucket on AWS with its guard rails (README, Deploy with pulumi up)",
];

/** The fake API's faults for this demo: with `--rate-limit`, one 429 as CoinGecko sends it. */
function demoFaults(rateLimit: boolean): Fault[] {
  return rateLimit
    ? [{ kind: "rate-limit", retryAfter: String(DEMO_RETRY_AFTER_SECONDS), times: 1 }]
    : [];
}

/** The user's environment without CoinGecko settings: the demo always talks to its own fake. */
function demoEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = { ...env };
  for (const name of ["COINGECKO_API_KEY", "COINGECKO_PLAN", "COINGECKO_BASE_URL"]) {
    delete clean[name];
  }
  return clean;
}

export async function demoCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const flags = flagsOrMistakes(
    () => parseFlags(argv, OPTIONS, "npm run demo"),
    (problem) => io.stderr(`error: ${problem}`),
  );
  if (flags === undefined) {
    return 2;
  }
  if (flags.help) {
    io.stdout(DEMO_USAGE);
    return 0;
  }
  // npm runs a script in the project folder; a relative path means one from where the user typed.
  const dataDir =
    flags["data-dir"] === undefined
      ? resolve(ROOT, ".data", "demo")
      : resolve(env.INIT_CWD ?? process.cwd(), flags["data-dir"]);
  const rateLimit = flags["rate-limit"] ?? false;
  const api = await startFakeCoingecko({
    latencyMs: DEMO_LATENCY_MS,
    faults: demoFaults(rateLimit),
  });
  io.stderr(
    `demo: fake CoinGecko API on ${api.baseUrl}${rateLimit ? `, answering the first request with a 429 (Retry-After: ${DEMO_RETRY_AFTER_SECONDS})` : ""}; running npm start's dev snapshots against it.`,
  );
  let code: number;
  try {
    code = await runCommand(
      ["--stack", "dev", "--plan", "public", "--base-url", api.baseUrl, "--data-dir", dataDir],
      io,
      demoEnv(env),
    );
  } finally {
    await api.stop();
  }
  if (code === 0) {
    REAL_RUN.forEach((line) => io.stdout(line));
  }
  return code;
}

if (require.main === module) {
  stopWithParent();
  demoCommand(process.argv.slice(2), {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error) => {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
