/** The flags of `npm start` and its `--help`, from one table. */
import { formatFlags, parseFlags, type FlagTable, type FlagValues } from "../flags/parseFlags";

const RUN_FLAGS = {
  stack: {
    type: "string",
    value: "NAME",
    help: "the stack file to run, Pulumi.NAME.yaml (default dev)",
  },
  plan: {
    type: "string",
    value: "PLAN",
    help: "CoinGecko plan: public, demo or pro (default COINGECKO_PLAN, else the stack's)",
  },
  "base-url": {
    type: "string",
    value: "URL",
    help: "API root (default COINGECKO_BASE_URL, else the stack's, else the plan's)",
  },
  "s3-endpoint": {
    type: "string",
    value: "URL",
    help: "write to this S3 endpoint instead of the stack's aws:endpoints or the embedded server",
  },
  region: {
    type: "string",
    value: "REGION",
    help: "region of the S3 endpoint (default AWS_REGION or the stack's aws:region, else us-east-1)",
  },
  bucket: {
    type: "string",
    value: "NAME",
    help: "bucket to write to (default the stack's bucketName, else api-s3-load-<stack>)",
  },
  "data-dir": {
    type: "string",
    value: "DIR",
    help: "where the embedded S3 server keeps its data (default .data/s3)",
  },
  port: {
    type: "string",
    value: "N",
    help: "port of the embedded S3 server on 127.0.0.1 (default: a free one)",
  },
  export: {
    type: "string",
    value: "DIR",
    help: "also write each object to DIR/<key> as a plain JSON file",
  },
  verify: {
    type: "boolean",
    help: "read every object back and check its sha256 before the server stops",
  },
  quiet: { type: "boolean", short: "q", help: "print only results and errors" },
  help: { type: "boolean", short: "h", help: "this text" },
} as const satisfies FlagTable;

export type RunFlags = FlagValues<typeof RUN_FLAGS>;

export const RUN_USAGE = `Usage: npm start -- [options]

Runs the snapshots of Pulumi.<stack>.yaml once, read as \`pulumi up\` reads them, into an S3
server embedded in this command (or the S3 endpoint the stack or --s3-endpoint names).

Options:
${formatFlags(RUN_FLAGS)}

Environment:
  COINGECKO_API_KEY   the API key (never a flag)
  COINGECKO_PLAN      stands for --plan
  COINGECKO_BASE_URL  stands for --base-url`;

/** Reads `npm start`'s command line; throws a `UsageError` naming every mistake in it. */
export function parseRunFlags(argv: string[]): RunFlags {
  return parseFlags(argv, RUN_FLAGS, "npm start");
}
