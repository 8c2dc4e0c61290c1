import { formatFlags, parseFlags, type FlagTable } from "../flags/parseFlags";
import type { ExpectedObject } from "./snapshotObject";

export const DEFAULT_KEY = "coingecko/coins-markets.json";

/** What `npm run verify` was asked to check, after flags and stack outputs are merged. */
export interface VerifyOptions {
  bucket?: string;
  objects: ExpectedObject[];
  region?: string;
  endpoint?: string;
  forcePathStyle: boolean;
  /** The stack's account, to compare with the caller's. */
  expectedAccountId?: string;
  help: boolean;
}

/** Raw flags as given on the command line. */
export interface VerifyFlags {
  bucket?: string;
  keys: string[];
  region?: string;
  endpoint?: string;
  pathStyle: boolean;
  stackOutputs?: string;
  help: boolean;
}

/** The flags of `npm run verify`: how each is parsed and its line in `--help`. */
const VERIFY_FLAGS = {
  bucket: {
    type: "string",
    value: "NAME",
    help: "bucket to check (default: bucketName from --stack-outputs)",
  },
  key: {
    type: "string",
    multiple: true,
    value: "KEY",
    help: `snapshot object key; repeatable (default: the stack's snapshot keys, else ${DEFAULT_KEY})`,
  },
  "stack-outputs": {
    type: "string",
    value: "FILE",
    help: "JSON from `pulumi stack output --json > FILE`: bucket, keys, region, account, sha256",
  },
  region: {
    type: "string",
    value: "REGION",
    help: "AWS region (default: the stack's region, else AWS_REGION or the profile's)",
  },
  endpoint: {
    type: "string",
    value: "URL",
    help: "S3-compatible endpoint (LocalStack); also used for STS",
  },
  "path-style": { type: "boolean", help: "path-style S3 URLs (needed by most emulators)" },
  help: { type: "boolean", short: "h", help: "this text" },
} as const satisfies FlagTable;

export const USAGE = `Usage: npm run verify -- [options]

Shows the caller identity and the buckets it can list; given a bucket, checks its guard rails
(public access block, ownership controls, default encryption, versioning, TLS-only policy) and
each snapshot object (present, body sha256 equals its sha256 metadata). Exit code 0 only when all hold.

Options:
${formatFlags(VERIFY_FLAGS)}
`;

/** Parses argv; throws a `UsageError` naming every mistake, or a sentence on a bad endpoint. */
export function parseVerifyFlags(argv: string[]): VerifyFlags {
  const values = parseFlags(argv, VERIFY_FLAGS, "npm run verify");
  if (values.endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(values.endpoint)) {
    throw new Error(
      `Option \`--endpoint\` must be an http(s) URL (got ${JSON.stringify(values.endpoint)}). Fix: \`--endpoint http://localhost:4566\`.`,
    );
  }
  return {
    bucket: values.bucket,
    keys: (values.key ?? []).map((key) => key.replace(/^\/+/, "")),
    region: values.region,
    endpoint: values.endpoint,
    pathStyle: values["path-style"] ?? false,
    stackOutputs: values["stack-outputs"],
    help: values.help ?? false,
  };
}

/** The part of the producer's `pulumi stack output --json` the check uses. */
export interface StackOutputsForVerify {
  bucketName: string;
  region?: string;
  accountId?: string;
  objects: ExpectedObject[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads `pulumi stack output --json`. Outputs shown as `[secret]` (without `--show-secrets`) are
 * treated as unknown rather than as values.
 */
export function parseStackOutputs(text: string, file: string): StackOutputsForVerify {
  const fix = `Fix: write it with \`pulumi stack output --json > ${file}\` in the api-s3-load project.`;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`\`--stack-outputs ${file}\` is not JSON. ${fix}`);
  }
  if (
    !isRecord(doc) ||
    typeof doc.bucketName !== "string" ||
    doc.bucketName === "" ||
    doc.bucketName === "[secret]"
  ) {
    throw new Error(`\`--stack-outputs ${file}\` has no \`bucketName\` string output. ${fix}`);
  }
  const str = (v: unknown): string | undefined =>
    typeof v === "string" && v !== "" && v !== "[secret]" ? v : undefined;
  const objects: ExpectedObject[] = [];
  if (isRecord(doc.snapshots)) {
    for (const [name, snapshot] of Object.entries(doc.snapshots)) {
      const key = isRecord(snapshot) ? str(snapshot.key) : undefined;
      if (!key) {
        throw new Error(
          `\`--stack-outputs ${file}\`: \`snapshots.${name}.key\` is missing. ${fix}`,
        );
      }
      objects.push({ key, sha256: isRecord(snapshot) ? str(snapshot.sha256) : undefined });
    }
  }
  return {
    bucketName: doc.bucketName,
    region: str(doc.region),
    accountId: str(doc.accountId),
    objects,
  };
}

/** Flags win over stack outputs; keys default to the stack's snapshots, then to the default key. */
export function resolveOptions(flags: VerifyFlags, stack?: StackOutputsForVerify): VerifyOptions {
  const bucket = flags.bucket ?? stack?.bucketName;
  let objects: ExpectedObject[];
  if (flags.keys.length > 0) {
    // The stack's sha256 only applies when checking the stack's own bucket.
    const known = new Map(
      (flags.bucket === undefined || flags.bucket === stack?.bucketName
        ? (stack?.objects ?? [])
        : []
      ).map((o) => [o.key, o]),
    );
    objects = flags.keys.map((key) => known.get(key) ?? { key });
  } else if (
    stack &&
    stack.objects.length > 0 &&
    (flags.bucket === undefined || flags.bucket === stack.bucketName)
  ) {
    objects = stack.objects;
  } else {
    objects = bucket ? [{ key: DEFAULT_KEY }] : [];
  }
  return {
    bucket,
    objects,
    region: flags.region ?? stack?.region,
    endpoint: flags.endpoint,
    forcePathStyle: flags.pathStyle,
    expectedAccountId: flags.endpoint ? undefined : stack?.accountId,
    help: flags.help,
  };
}
