/**
 * What went wrong, as a caller branches on it:
 * - `misconfigured`: the inputs or the key/plan/host combination are wrong; retrying will not help.
 * - `rate-limited`: the API kept answering 429 (or its Cloudflare 1015 page) after the retries.
 * - `timeout`: no complete answer within the per-request timeout or the overall deadline.
 * - `network`: the connection failed (refused, reset, cut mid-body) after the retries.
 * - `http`: an HTTP status other than 200 that is not one of the cases above.
 * - `api-error`: the API answered with one of its error bodies.
 * - `invalid-payload`: the answer is not the JSON data expected (HTML, text, bad JSON, too few items…).
 * - `too-large`: the payload exceeded `maxBytes`; the download was aborted.
 * - `s3`: S3 refused or could not be reached.
 * - `conflict`: the stored object is not the one this stack wrote; nothing was overwritten.
 */
export type SnapshotErrorKind =
  | "misconfigured"
  | "rate-limited"
  | "timeout"
  | "network"
  | "http"
  | "api-error"
  | "invalid-payload"
  | "too-large"
  | "s3"
  | "conflict";

export interface SnapshotErrorDetails {
  /** Last HTTP status seen, if any. */
  status?: number;
  /** CoinGecko's own `error_code`, if its body carried one. */
  apiCode?: number;
  /** HTTP requests made before giving up. */
  attempts?: number;
  /** Whether another attempt may succeed (used by the retry loop). */
  retryable?: boolean;
}

/**
 * The one error type the engine throws. Its message names the snapshot and the endpoint and says
 * how to fix the problem; it never contains the API key (messages pass through redaction).
 */
export class SnapshotError extends Error {
  readonly kind: SnapshotErrorKind;
  readonly status?: number;
  readonly apiCode?: number;
  readonly attempts?: number;
  readonly retryable: boolean;

  constructor(kind: SnapshotErrorKind, message: string, details: SnapshotErrorDetails = {}) {
    super(message);
    this.name = "SnapshotError";
    this.kind = kind;
    this.status = details.status;
    this.apiCode = details.apiCode;
    this.attempts = details.attempts;
    this.retryable = details.retryable ?? false;
  }

  /** A copy with another message and the same classification. */
  withMessage(message: string, extra: SnapshotErrorDetails = {}): SnapshotError {
    return new SnapshotError(this.kind, message, {
      status: this.status,
      apiCode: this.apiCode,
      attempts: this.attempts,
      retryable: this.retryable,
      ...extra,
    });
  }
}

/** Replaces every occurrence of the secret; a defence in case an error page echoes a header. */
export function redact(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) {
    return text;
  }
  return text.split(secret).join("***");
}
