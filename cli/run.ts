/**
 * `npm start`: runs a stack's snapshots once, through the same engine the Pulumi provider uses,
 * into an S3-compatible server embedded in this process (or any S3 endpoint you name).
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import {
  createS3Client,
  headSnapshot,
  runSnapshot,
  type S3Target,
  type SourceConfig,
} from "@api-s3-load/snapshot-engine";
import { assertKnownFlags, flag, parseArgs } from "./args";
import { startEmbeddedS3, type EmbeddedS3 } from "./embeddedS3";
import type { Io } from "./main";
import { readStackSettings } from "./stackFile";

const ROOT = resolve(__dirname, "..");
const FLAGS = [
  "stack",
  "plan",
  "base-url",
  "s3-endpoint",
  "bucket",
  "region",
  "data-dir",
  "port",
] as const;
export const LOCAL_BUCKET = "api-s3-load-local";

export const RUN_USAGE = `Usage: npm start -- [--stack dev] [--plan public|demo|pro] [--base-url URL]
                 [--s3-endpoint URL --region REGION] [--bucket NAME] [--data-dir DIR] [--port N]
The API key is read from the environment variable COINGECKO_API_KEY, never from a flag.
Without --s3-endpoint, objects go to an embedded S3 server keeping its data in --data-dir (default .data/s3).`;

export async function runCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const args = parseArgs(argv);
  if (args.positionals.includes("help")) {
    io.stdout(RUN_USAGE);
    return 0;
  }
  assertKnownFlags(args, FLAGS, "npm start");
  const apiKey = env.COINGECKO_API_KEY || undefined;
  const settings = readStackSettings(ROOT, flag(args, "stack") ?? "dev", apiKey !== undefined, {
    coingeckoPlan: flag(args, "plan") ?? env.COINGECKO_PLAN,
    coingeckoBaseUrl: flag(args, "base-url") ?? env.COINGECKO_BASE_URL,
  });
  const source: SourceConfig = {
    plan: settings.plan,
    apiKey,
    baseUrl: settings.baseUrl,
    callsPerMinute: settings.callsPerMinute,
  };

  const externalEndpoint = flag(args, "s3-endpoint") ?? env.S3_ENDPOINT;
  const bucket = flag(args, "bucket") ?? settings.bucketName ?? LOCAL_BUCKET;
  let embedded: EmbeddedS3 | undefined;
  let client: S3Client;
  let target: S3Target;
  if (externalEndpoint) {
    target = {
      bucket,
      endpoint: externalEndpoint,
      forcePathStyle: true,
      region: flag(args, "region") ?? env.AWS_REGION ?? "us-east-1",
    };
    client = createS3Client(target);
  } else {
    const directory = resolve(flag(args, "data-dir") ?? join(ROOT, ".data", "s3"));
    mkdirSync(directory, { recursive: true });
    embedded = await startEmbeddedS3({
      directory,
      port: Number(flag(args, "port") ?? 0),
      buckets: [bucket],
    });
    io.stdout(
      `Embedded S3 on ${embedded.endpoint}, data in ${directory}, private bucket "${bucket}".`,
    );
    target = { bucket, endpoint: embedded.endpoint, forcePathStyle: true, region: "us-east-1" };
    client = embedded.client;
  }

  let failures = 0;
  try {
    for (const spec of settings.snapshots) {
      try {
        // This job owns the objects it wrote before (they carry our sha256 metadata), so a re-run
        // updates them; anything else at the key is refused rather than overwritten.
        const stored = await headSnapshot(target, spec.key, { s3: client });
        const previous = stored?.sha256 ? { etag: stored.etag, sha256: stored.sha256 } : undefined;
        const result = await runSnapshot(spec, source, target, {
          s3: client,
          previous,
          log: (line) => io.stderr(line),
        });
        io.stdout(
          `${spec.name}: ${result.s3Uri}  ${result.bytes} bytes  ${result.itemCount} items  sha256 ${result.sha256}`,
        );
        io.stdout(
          result.unchanged
            ? `Data unchanged at ${result.s3Uri}: nothing written.`
            : `Data successfully uploaded to ${result.s3Uri}`,
        );
      } catch (error) {
        failures++;
        const message = (error as Error).message;
        io.stderr(`${spec.name}: failed: ${message}`);
        if (message.includes("coingeckoPlan") || message.includes("coingeckoApiKey")) {
          // The engine speaks in stack config keys; say how this command takes the same settings.
          io.stderr(
            "npm start takes the plan from --plan or COINGECKO_PLAN and the key from COINGECKO_API_KEY, e.g. COINGECKO_PLAN=demo COINGECKO_API_KEY=<key> npm start.",
          );
        }
      }
    }
  } finally {
    if (embedded) {
      await embedded.stop();
    } else {
      client.destroy();
    }
  }
  return failures === 0 ? 0 : 1;
}
