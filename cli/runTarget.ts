/**
 * Where `npm start` writes: the bucket, and the S3 endpoint (`--s3-endpoint`, the stack's
 * `aws:endpoints`, or the embedded server on `--port`). Pure checks; nothing is contacted here.
 */
import type { S3Target } from "@api-s3-load/snapshot-engine";
import { readS3Endpoint } from "../config/s3Endpoint";
import { BUCKET_NAME_RULES, bucketNameProblem } from "../config/stackConfig";
import { openStackFile } from "./stackFile";

/** The bucket a stack gets locally when neither `--bucket` nor its `bucketName` names one. */
export function localBucket(stack: string): string {
  return `api-s3-load-${stack.toLowerCase()}`;
}

/** An S3 endpoint other than the embedded server, and where it was named. */
export interface ExternalEndpoint {
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
export function chooseEndpoint(
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

/** `--bucket`, else the stack's `bucketName`, else the stack's local bucket. */
export function chooseBucket(
  flag: string | undefined,
  bucketName: string | undefined,
  stack: string,
): string {
  if (flag !== undefined) {
    const problem = bucketNameProblem(flag);
    if (problem) {
      throw new Error(`\`--bucket\` ${problem}. ${BUCKET_NAME_RULES}.`);
    }
    return flag;
  }
  if (bucketName) {
    return bucketName;
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

/** `--port`: 0 (any free port) when not given. */
export function parsePort(value: string | undefined): number {
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

/** Flags that only one kind of endpoint takes, given with the other: one sentence each. */
export function misplacedFlagProblems(
  flags: { region?: string; "data-dir"?: string; port?: string },
  external: ExternalEndpoint | undefined,
): Error[] {
  if (!external) {
    return flags.region === undefined
      ? []
      : [
          new Error(
            "`--region` applies only with `--s3-endpoint`: the embedded server has no regions. Drop it, or add `--s3-endpoint <url>`.",
          ),
        ];
  }
  return (["data-dir", "port"] as const)
    .filter((flag) => flags[flag] !== undefined)
    .map(
      (flag) =>
        new Error(
          `\`--${flag}\` applies only to the embedded S3 server, and this run writes to ${external.endpoint} (from ${external.origin}). Drop it, or pass \`--s3-endpoint\` to write elsewhere.`,
        ),
    );
}
