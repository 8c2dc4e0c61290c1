/**
 * `npm start`: runs a stack's snapshots once, through the same engine the Pulumi provider uses,
 * into an S3-compatible server embedded in this process (or any S3 endpoint you name).
 *
 * It reads Pulumi.<stack>.yaml through the program's own config reading, and refuses bad input
 * (flags, config, bucket, port, data folder, credentials) before it starts a server or writes.
 */
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import {
  createS3Client,
  headSnapshot,
  runSnapshot,
  secretEnvName,
  snapshotRetryPolicy,
  type S3Target,
  type SnapshotResult,
  type SourceConfig,
} from "@api-s3-load/snapshot-engine";
import { readS3Endpoint } from "../config/s3Endpoint";
import { tellAboutDemo } from "../demo/hint";
import {
  BUCKET_NAME_RULES,
  bucketNameProblem,
  readStackConfig,
  type KeyAdvice,
  type StackSettings,
} from "../config/stackConfig";
import { checkSnapshotObject, formatResult, storedBytes } from "../verify";
import { parseFlags, UsageError } from "./args";
import { startEmbeddedS3, type EmbeddedS3 } from "./embeddedS3";
import { RunInterrupts } from "./interrupt";
import type { Io } from "./main";
import { checkExportDir, exportWritten, refuseFileAsFolder, tellWhereDataIs } from "./dataLocation";
import { checkS3Endpoint, type EndpointSource } from "./s3Check";
import { openStackFile } from "./stackFile";
import { count, describeRunError, noticingFetch, NoticingRateLimiter } from "./waits";

const ROOT = resolve(__dirname, "..");

const OPTIONS = {
  stack: { type: "string" },
  plan: { type: "string" },
  "base-url": { type: "string" },
  "s3-endpoint": { type: "string" },
  bucket: { type: "string" },
  region: { type: "string" },
  "data-dir": { type: "string" },
  export: { type: "string" },
  port: { type: "string" },
  verify: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

export const RUN_USAGE = `Usage: npm start -- [--stack dev] [--plan public|demo|pro] [--base-url URL]
                 [--s3-endpoint URL [--region REGION]] [--bucket NAME] [--data-dir DIR] [--port N]
                 [--export DIR] [--verify] [--quiet] [--help]
Runs the snapshots of Pulumi.<stack>.yaml (default dev) once, read as \`pulumi up\` reads them.
Flags override the stack file only when given. The API key is read from the environment variable
COINGECKO_API_KEY, never from a flag; COINGECKO_PLAN and COINGECKO_BASE_URL stand for --plan and
--base-url. Objects go to --s3-endpoint, else to the stack's aws:endpoints s3 entry (with its
aws:s3UsePathStyle and aws:region, as pulumi up writes them), else to an embedded S3 server on
127.0.0.1 keeping its data in --data-dir (default .data/s3), in the bucket api-s3-load-<stack>
unless --bucket or the stack's bucketName says otherwise. --export DIR also writes each object to
DIR/<key> as a plain JSON file. --verify reads every object back and checks its sha256 before the
server stops. --quiet (-q) prints only results and errors, not progress or long-wait notices.`;

/** How `npm start` takes the key and the plan, for config errors about them. */
export const NPM_START_KEY_ADVICE: KeyAdvice = {
  key: "COINGECKO_API_KEY",
  plan: "the plan (--plan, COINGECKO_PLAN or the stack's coingeckoPlan)",
  setKey: "Set it in the environment, e.g. `COINGECKO_API_KEY=<key> npm start`",
  setPlan: (plan) => `pass \`--plan ${plan}\` (or set COINGECKO_PLAN=${plan})`,
  removeKey: "unset COINGECKO_API_KEY",
  plaintextKey:
    "remove it from the stack file and give it to `npm start` as `COINGECKO_API_KEY=<key> npm start`",
};

/** The bucket a stack gets locally when neither `--bucket` nor its `bucketName` names one. */
export function localBucket(stack: string): string {
  return `api-s3-load-${stack.toLowerCase()}`;
}

/**
 * @param root The project folder holding Pulumi.yaml and the stack files; tests pass a copy.
 */
export async function runCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
  root: string = ROOT,
): Promise<number> {
  let flags;
  try {
    flags = parseFlags(argv, OPTIONS, "npm start");
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}`);
      io.stderr(RUN_USAGE);
      return 2;
    }
    throw error;
  }
  if (flags.help) {
    io.stdout(RUN_USAGE);
    return 0;
  }
  const quiet = flags.quiet ?? false;
  const progress = (line: string) => {
    if (!quiet) {
      io.stderr(line);
    }
  };

  // Everything below up to the server start only reads and checks: a refusal leaves no trace.
  const stack = flags.stack ?? "dev";
  const given = (value: string | undefined) => (value === "" ? undefined : value);
  const baseUrlFlag = flags["base-url"] ?? given(env.COINGECKO_BASE_URL);
  const planFlag = flags.plan ?? given(env.COINGECKO_PLAN);
  const file = openStackFile(root, stack);
  const plaintextKey = file.get("coingeckoApiKey") ?? "";
  const apiKey = given(env.COINGECKO_API_KEY);
  const settings = readStackConfig(
    file.with({
      coingeckoPlan: planFlag,
      coingeckoBaseUrl: baseUrlFlag,
    }),
    {
      hasApiKey: apiKey !== undefined || plaintextKey !== "",
      // A key written into the stack file in plaintext is refused here as the program refuses it.
      apiKeyIsSecret: plaintextKey !== "" ? false : undefined,
      advice: NPM_START_KEY_ADVICE,
      configKeys: file.keys(),
      // A declared source's key comes from the environment (docs/sources.md).
      isSet: (key) => given(env[secretEnvName(key)]) !== undefined,
      // A bad value given by flag or environment is named as the user gave it.
      origins: {
        coingeckoPlan: origin(flags.plan, "--plan", planFlag, "COINGECKO_PLAN"),
        coingeckoBaseUrl: origin(
          flags["base-url"],
          "--base-url",
          baseUrlFlag,
          "COINGECKO_BASE_URL",
        ),
      },
    },
  );
  const source: SourceConfig = {
    plan: settings.plan,
    apiKey,
    baseUrl: settings.baseUrl,
    callsPerMinute: settings.callsPerMinute,
  };
  const baseUrlOrigin =
    origin(flags["base-url"], "--base-url", baseUrlFlag, "COINGECKO_BASE_URL") ??
    (file.get("coingeckoBaseUrl")
      ? `coingeckoBaseUrl in Pulumi.${stack}.yaml`
      : `the ${settings.plan} plan's default`);

  const bucket = chooseBucket(flags.bucket, settings, stack);
  const external = chooseEndpoint(flags, root, stack, env);
  const port = parsePort(flags.port);
  if (flags.region !== undefined && !external) {
    throw new Error(
      "`--region` applies only with `--s3-endpoint`: the embedded server has no regions. Drop it, or add `--s3-endpoint <url>`.",
    );
  }
  for (const flag of ["data-dir", "port"] as const) {
    if (flags[flag] !== undefined && external) {
      throw new Error(
        `\`--${flag}\` applies only to the embedded S3 server, and this run writes to ${external.endpoint} (from ${external.origin}). Drop it, or pass \`--s3-endpoint\` to write elsewhere.`,
      );
    }
  }
  // npm runs a script in the project folder; a relative path means one from where the user typed.
  const userPath = (path: string) => resolve(env.INIT_CWD ?? process.cwd(), path);
  const exportDir = flags.export === undefined ? undefined : checkExportDir(userPath(flags.export));

  let embedded: EmbeddedS3 | undefined;
  let client: S3Client;
  let target: S3Target;
  if (external) {
    target = { bucket, ...external.target };
    client = createS3Client(target);
    await requireCredentials(client, external);
    const source: EndpointSource = {
      endpoint: external.endpoint,
      origin: external.origin,
      bucket,
      stack: external.fromStack ? stack : undefined,
      forcePathStyle: target.forcePathStyle ?? false,
    };
    try {
      await checkS3Endpoint(client, source, settings.snapshots[0].key);
    } catch (error) {
      client.destroy();
      throw error;
    }
    progress(
      `S3 endpoint ${external.endpoint} (from ${external.origin}${target.forcePathStyle ? ", path-style" : ""}), bucket "${bucket}".`,
    );
  } else {
    // s3rver makes its bucket folders before it listens, and reports a busy port as an uncaught
    // error: the port is tried first, so a refusal leaves nothing behind.
    await requireFreePort(port);
    const directory = prepareDataDir(
      flags["data-dir"] === undefined ? join(root, ".data", "s3") : userPath(flags["data-dir"]),
    );
    embedded = await startServer(directory, port, bucket);
    progress(
      `Embedded S3 on ${embedded.endpoint}, data in ${directory}, private bucket "${bucket}".`,
    );
    target = { bucket, endpoint: embedded.endpoint, forcePathStyle: true, region: "us-east-1" };
    client = embedded.client;
  }

  const limiter = new NoticingRateLimiter(settings.plan, settings.callsPerMinute, progress);
  let failures = 0;
  const written: SnapshotResult[] = [];
  // From here on, Ctrl-C and SIGTERM stop the run with a sentence on what was written.
  const interrupts = new RunInterrupts(bucket, settings.snapshots, io);
  interrupts.guard(client);
  try {
    for (const spec of settings.snapshots) {
      interrupts.begin(spec.name);
      try {
        // This job owns the objects it wrote before (they carry our sha256 metadata), so a re-run
        // updates them; anything else at the key is refused rather than overwritten. "Ours and
        // unchanged" needs the stored bytes to be the ones the metadata describes, or a corrupted
        // object would stay corrupted.
        const stored = await headSnapshot(target, spec.key, { s3: client });
        let previous = stored?.sha256 ? { etag: stored.etag, sha256: stored.sha256 } : undefined;
        let adopt = false;
        if (stored?.sha256) {
          const bytes = await storedBytes(client, bucket, spec.key, stored.sha256);
          if (!bytes.intact) {
            io.stderr(
              `${spec.name}: s3://${bucket}/${spec.key} holds bytes with sha256 ${bytes.sha256}, not the ${stored.sha256} its metadata records: writing the snapshot again.`,
            );
            previous = undefined;
            adopt = true;
          }
        }
        const auth = spec.source?.auth;
        const result = await runSnapshot(
          spec,
          spec.source
            ? {
                plan: settings.plan,
                definition: spec.source,
                apiKey: auth ? given(env[secretEnvName(auth.secret)]) : undefined,
              }
            : source,
          target,
          {
            s3: client,
            previous,
            adopt,
            log: progress,
            // A declared source has its own limit; this one is CoinGecko's.
            limiter: spec.source ? undefined : limiter,
            fetch: noticingFetch(
              progress,
              snapshotRetryPolicy(undefined, spec.timeoutSeconds).requestTimeoutMs,
            ),
          },
        );
        written.push(result);
        interrupts.end(spec.name, result.unchanged ? "unchanged" : "written");
        io.stdout(successLine(spec.name, result));
      } catch (error) {
        interrupts.end(spec.name, "failed");
        failures++;
        // CoinGecko's base URL says nothing about a declared source, whose errors name its own.
        const message = spec.source
          ? (error as Error).message
          : describeRunError((error as Error).message, {
              baseUrl: settings.baseUrl,
              baseUrlOrigin,
            });
        io.stderr(`${spec.name}: failed: ${message}`);
        tellAboutDemo(message, io);
        if (message.includes("coingeckoPlan") || message.includes("coingeckoApiKey")) {
          // The engine speaks in stack config keys; say how this command takes the same settings.
          io.stderr(
            "npm start takes the plan from --plan or COINGECKO_PLAN and the key from COINGECKO_API_KEY, e.g. COINGECKO_PLAN=demo COINGECKO_API_KEY=<key> npm start.",
          );
        }
      }
    }
    if (flags.verify) {
      failures += await verifyWritten(client, bucket, written, io);
    }
    if (exportDir !== undefined) {
      failures += await exportWritten(client, bucket, written, exportDir, io);
    } else {
      tellWhereDataIs(io, bucket, written, {
        embeddedDirectory: embedded?.directory,
        endpoint: external?.endpoint,
        gzip: settings.snapshots.some((spec) => spec.gzip),
      });
    }
  } finally {
    interrupts.dispose();
    if (embedded) {
      await embedded.stop();
    } else {
      client.destroy();
    }
  }
  return failures === 0 ? 0 : 1;
}

/**
 * `--verify`: the object check of `npm run verify`, run while the embedded server still serves the
 * data: each object is read back and its body's sha256 compared with its metadata and with what
 * this run wrote. The bucket guard rails are AWS settings the embedded server does not have; check
 * them on AWS with `npm run verify`.
 */
async function verifyWritten(
  s3: S3Client,
  bucket: string,
  written: SnapshotResult[],
  io: Io,
): Promise<number> {
  let failed = 0;
  for (const result of written) {
    const check = await checkSnapshotObject(s3, bucket, {
      key: result.key,
      sha256: result.sha256,
    });
    if (!check.ok) {
      failed++;
    }
    io.stdout(formatResult(check));
  }
  io.stdout(
    failed === 0
      ? `verify: ${written.length === 1 ? "the 1 object holds" : `all ${written.length} objects hold`}`
      : `verify: ${failed} of ${count(written.length, "object")} failed`,
  );
  return failed;
}

/**
 * Where a setting that flag or environment can give came from: the flag when given, else the
 * environment variable when set (`value` is the flag's value or the variable's); undefined when
 * neither, so the stack file's own value is meant.
 */
function origin(
  flag: string | undefined,
  flagName: string,
  value: string | undefined,
  variable: string,
): string | undefined {
  return flag !== undefined ? flagName : value !== undefined ? variable : undefined;
}

/** The one line a snapshot gets on stdout when it succeeds. */
function successLine(name: string, result: SnapshotResult): string {
  const facts = `${count(result.bytes, "byte")}, ${count(result.itemCount, "item")}, sha256 ${result.sha256}`;
  return result.unchanged
    ? `${name}: data unchanged at ${result.s3Uri}, nothing written (${facts})`
    : `${name}: data successfully uploaded to ${result.s3Uri} (${facts})`;
}

/** An S3 endpoint other than the embedded server, and where it was named. */
interface ExternalEndpoint {
  endpoint: string;
  origin: string;
  /** Named by the stack's `aws:endpoints`, so `pulumi up` of the stack writes there too. */
  fromStack: boolean;
  target: Omit<S3Target, "bucket">;
}

/**
 * Where objects go, as `pulumi up` of the stack would write them: `--s3-endpoint` when given,
 * else the stack's `aws:endpoints` s3 entry with its `aws:s3UsePathStyle` and `aws:region` (read
 * by the program's own function), else nowhere outside: the embedded server.
 */
function chooseEndpoint(
  flags: { "s3-endpoint"?: string; region?: string },
  root: string,
  stack: string,
  env: NodeJS.ProcessEnv,
): ExternalEndpoint | undefined {
  const flag = flags["s3-endpoint"];
  const region = flags.region ?? (env.AWS_REGION || undefined);
  if (flag !== undefined) {
    return {
      endpoint: parseEndpoint(flag),
      origin: "`--s3-endpoint`",
      fromStack: false,
      target: { endpoint: flag, forcePathStyle: true, region: region ?? "us-east-1" },
    };
  }
  const aws = openStackFile(root, stack, "aws");
  const { endpoint, forcePathStyle } = readS3Endpoint(aws);
  if (endpoint === undefined) {
    return undefined;
  }
  return {
    endpoint,
    origin: `\`aws:endpoints\` in Pulumi.${stack}.yaml`,
    fromStack: true,
    target: { endpoint, forcePathStyle, region: flags.region ?? aws.get("region") ?? "us-east-1" },
  };
}

function chooseBucket(flag: string | undefined, settings: StackSettings, stack: string): string {
  if (flag !== undefined) {
    const problem = bucketNameProblem(flag);
    if (problem) {
      throw new Error(`\`--bucket\` ${problem}. ${BUCKET_NAME_RULES}.`);
    }
    return flag;
  }
  if (settings.bucketName) {
    return settings.bucketName;
  }
  const name = localBucket(stack);
  const problem = bucketNameProblem(name);
  if (problem) {
    throw new Error(
      `The local bucket name for stack "${stack}" ${problem}. Pass one with \`--bucket <name>\`: ${BUCKET_NAME_RULES.charAt(0).toLowerCase()}${BUCKET_NAME_RULES.slice(1)}.`,
    );
  }
  return name;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) {
    return 0;
  }
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new Error(
      `\`--port ${value}\` is not a TCP port: pass a whole number from 1 to 65535, or leave it out to pick a free port.`,
    );
  }
  return port;
}

function parseEndpoint(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new Error(
      `\`--s3-endpoint ${value}\` is not an http(s) URL: pass one such as http://127.0.0.1:4566.`,
    );
  }
  return value;
}

function prepareDataDir(directory: string): string {
  refuseFileAsFolder("--data-dir", directory, "");
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `\`--data-dir ${directory}\` cannot be created (${code ?? (error as Error).message}): pass a folder you can write to.`,
    );
  }
  return directory;
}

async function startServer(directory: string, port: number, bucket: string): Promise<EmbeddedS3> {
  try {
    return await startEmbeddedS3({ directory, port, buckets: [bucket] });
  } catch (error) {
    throw portError(error, port) ?? error;
  }
}

function portError(error: unknown, port: number): Error | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") {
    return new Error(
      `Port ${port} on 127.0.0.1 is already in use: pass another \`--port\`, or leave it out to pick a free port.`,
    );
  }
  if (code === "EACCES") {
    return new Error(
      `Port ${port} on 127.0.0.1 needs privileges to listen on: pass a port above 1023, or leave \`--port\` out.`,
    );
  }
  return undefined;
}

async function requireFreePort(port: number): Promise<void> {
  if (port === 0) {
    return;
  }
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", (error) => reject(portError(error, port) ?? error));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

/** Resolves the AWS credential chain once, so a missing credential is one sentence, not a stack. */
async function requireCredentials(
  client: S3Client,
  { endpoint, origin }: ExternalEndpoint,
): Promise<void> {
  try {
    await client.config.credentials();
  } catch {
    client.destroy();
    throw new Error(
      `No AWS credentials were found for the S3 endpoint ${endpoint} (from ${origin}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) to the server's keys; the embedded server of \`npm start\` takes S3RVER and S3RVER, LocalStack and moto take test and test.`,
    );
  }
}
