import type { S3Client } from "@aws-sdk/client-s3";
import { SnapshotError } from "./errors";
import type { FormattedPayload } from "./payload";
import type { S3Target, StoredObject } from "./types";

export interface S3ClientOptions {
  /**
   * Attempts per S3 call, retries of throttling (SlowDown, 503) and dropped connections included,
   * with the SDK's standard backoff. Defaults to 5.
   */
  maxAttempts?: number;
  /** Let a client in one region reach a bucket in another (account checks). Defaults to false. */
  followRegionRedirects?: boolean;
  /**
   * Fixed credentials, only for local stand-ins such as s3rver. Defaults to the standard AWS
   * credential chain, which is what every deploy uses.
   */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Where a client connects; the bucket itself does not matter for that. */
export type S3Endpoint = Pick<S3Target, "region" | "endpoint" | "forcePathStyle">;

function sdk(): typeof import("@aws-sdk/client-s3") {
  // Required on first use: the SDK's eager requires are slow and break Pulumi's closure
  // serializer (pulumi/pulumi#13960) when they sit at module level.

  return require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
}

/**
 * The one place S3 clients are made: the engine, `npm start`, `npm run verify`, the post-deploy
 * check and the benchmarks all use it. Credentials come from the standard AWS credential chain
 * (environment, shared config, SSO, instance role) unless a local stand-in's are given; none are
 * ever stored.
 */
export function createS3Client(target: S3Endpoint, options: S3ClientOptions = {}): S3Client {
  const { S3Client: Client } = sdk();
  return new Client({
    credentials: options.credentials,
    followRegionRedirects: options.followRegionRedirects,
    // A custom endpoint (s3rver, LocalStack) needs some region to sign with; AWS uses the chain's.
    region: target.region ?? (target.endpoint ? "us-east-1" : undefined),
    endpoint: target.endpoint,
    forcePathStyle: target.forcePathStyle,
    maxAttempts: options.maxAttempts ?? 5,
    // Checksums only where an operation requires them or we set one (our SHA-256 on PutObject):
    // no CRC32 computed for every request, and GETs of old objects without one still validate.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** ETags come quoted from S3 and unquoted from some emulators; compare them without quotes. */
export function sameEtag(a: string | undefined, b: string | undefined): boolean {
  const strip = (value: string | undefined) => (value ?? "").replace(/^W\//, "").replace(/"/g, "");
  return a !== undefined && b !== undefined && strip(a) === strip(b);
}

interface AwsErrorLike {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

function statusOf(error: unknown): number | undefined {
  return (error as AwsErrorLike).$metadata?.httpStatusCode;
}

/** Turns an SDK or socket error into a `SnapshotError` whose message says what to do. */
export function s3Error(
  error: unknown,
  action: string,
  target: S3Target,
  key: string,
): SnapshotError {
  if (error instanceof SnapshotError) {
    return error;
  }
  const e = error as AwsErrorLike;
  const code = e.Code ?? e.name ?? "Error";
  const status = statusOf(error);
  const attempts = e.$metadata?.attempts;
  const where = `s3://${target.bucket}/${key}`;
  const endpoint = target.endpoint ?? "AWS S3";
  const network =
    e.code ?? /(ECONN\w+|ENOTFOUND|EPIPE|ETIMEDOUT|socket hang up)/.exec(e.message ?? "")?.[1];
  let message: string;
  let kind: SnapshotError["kind"] = "s3";
  if (code === "NoSuchBucket") {
    message = `bucket "${target.bucket}" does not exist at ${endpoint}: create it first (the PrivateBucket component does) or fix the bucket name, region or S3 endpoint`;
  } else if (code === "AccessDenied" || code === "Forbidden" || status === 403) {
    message = `S3 denied ${action} on ${where} (AccessDenied): grant the identity of the AWS credential chain s3:GetObject, s3:PutObject and s3:DeleteObject on the bucket's objects (and kms:GenerateDataKey when the bucket uses SSE-KMS)`;
  } else if (code === "PreconditionFailed" || status === 412) {
    kind = "conflict";
    message = `another writer changed ${where} between this run's read and its write (S3 answered PreconditionFailed); nothing was overwritten. Run again to compare with the new object`;
  } else if (code === "SlowDown" || code === "ServiceUnavailable" || status === 503) {
    message = `S3 kept throttling ${action} on ${where} (SlowDown) after ${attempts ?? "several"} attempts: run again later, or deploy fewer snapshots at once`;
  } else if (
    code === "BadDigest" ||
    code === "InvalidDigest" ||
    code === "XAmzContentSHA256Mismatch"
  ) {
    message = `S3 rejected ${action} on ${where} because the bytes it received do not match the SHA-256 checksum (${code}); the upload was corrupted in transit and not stored. Run again`;
  } else if (network || code === "TimeoutError") {
    message = `could not reach S3 at ${endpoint} for ${action} on ${where} (${network ?? code}): check the S3 endpoint (aws:endpoints / s3Endpoint), the region and the network`;
  } else {
    message = `S3 ${action} on ${where} failed (${code}${status ? `, HTTP ${status}` : ""}): ${(e.message ?? "").slice(0, 200)}`;
  }
  return new SnapshotError(kind, message, { status });
}

/** Reads what is stored at the key; undefined when nothing is. `signal` abandons the request. */
export async function headSnapshot(
  target: S3Target,
  key: string,
  options: { s3?: S3Client; signal?: AbortSignal } = {},
): Promise<StoredObject | undefined> {
  const s3 = options.s3 ?? createS3Client(target);
  try {
    const head = await s3.send(new (sdk().HeadObjectCommand)({ Bucket: target.bucket, Key: key }), {
      abortSignal: options.signal,
    });
    const metadata = head.Metadata ?? {};
    return {
      etag: head.ETag ?? "",
      versionId: head.VersionId,
      sha256: metadata.sha256,
      bytes: head.ContentLength ?? 0,
      fetchedAt: metadata["fetched-at"],
      writeId: metadata["write-id"],
      source: metadata.source,
      contentType: head.ContentType,
    };
  } catch (error) {
    const e = error as AwsErrorLike;
    if (
      e.name === "NotFound" ||
      e.name === "NoSuchKey" ||
      (statusOf(error) === 404 && e.name !== "NoSuchBucket")
    ) {
      return undefined;
    }
    throw s3Error(error, "HeadObject", target, key);
  } finally {
    if (!options.s3) {
      s3.destroy();
    }
  }
}

/**
 * Whether the bucket exists. A HEAD of a missing object and of a missing bucket both answer a bare
 * 404, so this tells "object deleted" from "bucket gone" before we blame the former.
 */
export async function assertBucketExists(
  s3: S3Client,
  target: S3Target,
  key: string,
): Promise<void> {
  try {
    await s3.send(new (sdk().HeadBucketCommand)({ Bucket: target.bucket }));
  } catch (error) {
    const e = error as AwsErrorLike;
    if (e.name === "NotFound" || e.name === "NoSuchBucket" || statusOf(error) === 404) {
      throw s3Error(
        Object.assign(new Error("no such bucket"), { name: "NoSuchBucket" }),
        "HeadBucket",
        target,
        key,
      );
    }
    throw s3Error(error, "HeadBucket", target, key);
  }
}

/** What `deleteSnapshot` did. */
export type DeleteOutcome = "deleted" | "absent" | "kept";

/**
 * Deletes the object; a missing object or bucket counts as deleted. Given `expected` (what the
 * caller wrote), it deletes only that write: when the stored object is another version (ETag on an
 * unversioned bucket), someone else now owns the key (a replacement resource, a person), and the
 * object is kept. With versioning on, the delete leaves the history as noncurrent versions.
 */
export async function deleteSnapshot(
  target: S3Target,
  key: string,
  options: {
    s3?: S3Client;
    expected?: { etag: string; versionId?: string; writeId?: string };
  } = {},
): Promise<DeleteOutcome> {
  const s3 = options.s3 ?? createS3Client(target);
  try {
    if (options.expected) {
      const stored = await headSnapshot(target, key, { s3 });
      if (!stored) {
        return "absent";
      }
      const expected = options.expected;
      // Versions are exact; without them equal bytes give equal ETags, so the write id decides.
      const same =
        expected.versionId && stored.versionId
          ? expected.versionId === stored.versionId
          : expected.writeId && stored.writeId
            ? expected.writeId === stored.writeId
            : sameEtag(stored.etag, expected.etag);
      if (!same) {
        return "kept";
      }
    }
    await s3.send(new (sdk().DeleteObjectCommand)({ Bucket: target.bucket, Key: key }));
    return "deleted";
  } catch (error) {
    const name = (error as AwsErrorLike).name;
    if (name === "NoSuchKey" || name === "NoSuchBucket" || name === "NotFound") {
      return "absent";
    }
    throw s3Error(error, "DeleteObject", target, key);
  } finally {
    if (!options.s3) {
      s3.destroy();
    }
  }
}

export interface PutConditions {
  /** Only write when nothing is stored (create). */
  ifNoneMatch?: boolean;
  /** Only write when the stored object has this ETag (update, adopt). */
  ifMatch?: string;
}

/** The conditional, checksummed PUT. Returns the new object's ETag and version. */
export async function putSnapshot(
  s3: S3Client,
  target: S3Target,
  key: string,
  formatted: FormattedPayload,
  metadata: Record<string, string>,
  conditions: PutConditions,
  cacheControl?: string,
  tags?: Record<string, string>,
): Promise<{ etag: string; versionId?: string }> {
  const encryption = target.encryption;
  try {
    const command = new (sdk().PutObjectCommand)({
      Bucket: target.bucket,
      Key: key,
      Body: formatted.body,
      ContentLength: formatted.body.length,
      ContentType: "application/json",
      ContentEncoding: formatted.gzip ? "gzip" : undefined,
      CacheControl: cacheControl,
      Tagging:
        tags && Object.keys(tags).length > 0 ? new URLSearchParams(tags).toString() : undefined,
      ChecksumSHA256: formatted.checksumBase64,
      ServerSideEncryption: encryption?.algorithm,
      SSEKMSKeyId: encryption?.algorithm === "aws:kms" ? encryption.kmsKeyId : undefined,
      // Matches the bucket's default encryption, which turns the bucket key on to cut KMS calls.
      BucketKeyEnabled: encryption?.algorithm === "aws:kms" ? true : undefined,
      Metadata: metadata,
      IfNoneMatch: conditions.ifNoneMatch ? "*" : undefined,
      IfMatch: conditions.ifMatch,
    });
    // SigV4 signs a hash of the body, `x-amz-content-sha256`. The run already took the body's
    // SHA-256, so it is given here: otherwise the signer hashes the whole body again, after the
    // last page and on the critical path (about 1 ms per 1.5 MB). S3 checks it against the body
    // (XAmzContentSHA256Mismatch) whichever side computed it.
    command.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { headers?: Record<string, string> };
        if (request.headers) {
          request.headers["x-amz-content-sha256"] = formatted.sha256;
        }
        return next(args);
      },
      { step: "build", name: "snapshotPayloadHash" },
    );
    const out = await s3.send(command);
    return { etag: out.ETag ?? "", versionId: out.VersionId };
  } catch (error) {
    throw s3Error(error, "PutObject", target, key);
  }
}
