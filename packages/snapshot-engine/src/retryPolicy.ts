import type { ResetFormat } from "./sources/model";

/** How hard the engine tries before giving up on the API. Defaults follow the reference §1. */
export interface RetryPolicy {
  /** Requests per page, first one included. Defaults to 5. */
  maxAttempts: number;
  /** First backoff delay; doubles per attempt. Defaults to 2 s. */
  baseDelayMs: number;
  /** Cap of any single wait, including a server's `Retry-After`. Defaults to 60 s. */
  maxDelayMs: number;
  /**
   * Per-request timeout (headers and body). Defaults to 30 s; a snapshot's `timeoutSeconds`
   * replaces it.
   */
  requestTimeoutMs: number;
  /**
   * Timed-out requests a snapshot tolerates, all its pages together: the one that reaches this
   * count is not retried. Defaults to 2, so an API that never answers fails a snapshot after two
   * request timeouts and one backoff (about 62 s) instead of five attempts (about 170 s). A 5xx or
   * a 429 answers at once, so those keep the full `maxAttempts` (issue 11).
   */
  maxTimeouts: number;
  /**
   * Deadline of the whole fetch (all pages, retries and waits). Defaults to 5 minutes, and is
   * never shorter than `maxTimeouts` request timeouts plus one longest wait (`fetchDeadlineMs`).
   */
  deadlineMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 2_000,
  maxDelayMs: 60_000,
  requestTimeoutMs: 30_000,
  maxTimeouts: 2,
  deadlineMs: 5 * 60_000,
};

/** Longest accepted `timeoutSeconds` of a snapshot: 15 minutes per request. */
export const MAX_TIMEOUT_SECONDS = 900;

/**
 * The policy a snapshot runs with: the defaults, then the caller's overrides, then the snapshot's
 * own `timeoutSeconds` (a slow link's setting wins over a programmatic default).
 */
export function snapshotRetryPolicy(
  overrides: Partial<RetryPolicy> | undefined,
  timeoutSeconds: number | undefined,
): RetryPolicy {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...overrides };
  if (timeoutSeconds !== undefined) {
    policy.requestTimeoutMs = timeoutSeconds * 1000;
  }
  return policy;
}

/**
 * The whole fetch's deadline: `deadlineMs`, raised when a long `timeoutSeconds` needs more, so the
 * deadline never cuts short the attempts a raised timeout is meant to allow.
 */
export function fetchDeadlineMs(policy: RetryPolicy): number {
  return Math.max(
    policy.deadlineMs,
    policy.maxTimeouts * policy.requestTimeoutMs + policy.maxDelayMs,
  );
}

/** Minimal header access, so this module needs no fetch implementation. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === "") {
    return undefined;
  }
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    return Math.round(Number(text) * 1000);
  }
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * CoinGecko's `x-ratelimit-reset`, a date string like `2025-07-25 14:54:00 +0000` that
 * `Date.parse` does not read reliably; returns the wait until then, or undefined.
 */
export function parseRateLimitReset(value: string | null, now: number): number | undefined {
  if (value === null) {
    return undefined;
  }
  const match =
    /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?\s*(?:([+-])(\d{2}):?(\d{2})|Z|UTC)?$/i.exec(
      value.trim(),
    );
  let date: number;
  if (match) {
    const [, day, time, sign, hh, mm] = match;
    const offset = sign ? `${sign}${hh}:${mm}` : "Z";
    date = Date.parse(`${day}T${time}${offset}`);
  } else if (/^\d{9,11}$/.test(value.trim())) {
    // Some gateways send epoch seconds; accept them too.
    date = Number(value.trim()) * 1000;
  } else {
    date = Date.parse(value);
  }
  if (Number.isNaN(date)) {
    return undefined;
  }
  const wait = date - now;
  return wait > 0 ? wait : undefined;
}

/**
 * The wait before attempt `attempt + 1`: the server's `Retry-After`, else its `x-ratelimit-reset`,
 * else exponential backoff with jitter (half fixed, half random, so retries of concurrent pages
 * spread out); always capped at `maxDelayMs`.
 */
export function retryDelayMs(
  attempt: number,
  headers: HeaderReader | undefined,
  policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">,
  now: number = Date.now(),
  random: () => number = Math.random,
  declaredReset?: { header: string; format: ResetFormat } | null,
): { delayMs: number; reason: string } {
  const retryAfter = headers ? parseRetryAfter(headers.get("retry-after"), now) : undefined;
  if (retryAfter !== undefined) {
    return { delayMs: Math.min(retryAfter, policy.maxDelayMs), reason: "Retry-After" };
  }
  // A declared source's reset header, read as it declares (docs/sources.md); `null` is a declared
  // source without one, which gets no guess at CoinGecko's header.
  if (declaredReset !== undefined) {
    const declared =
      headers && declaredReset
        ? parseReset(headers.get(declaredReset.header), declaredReset.format, now)
        : undefined;
    if (declared !== undefined && declaredReset) {
      return { delayMs: Math.min(declared, policy.maxDelayMs), reason: declaredReset.header };
    }
  }
  const reset =
    headers && declaredReset === undefined
      ? parseRateLimitReset(headers.get("x-ratelimit-reset"), now)
      : undefined;
  if (reset !== undefined) {
    return { delayMs: Math.min(reset, policy.maxDelayMs), reason: "x-ratelimit-reset" };
  }
  const exponential = Math.min(
    policy.maxDelayMs,
    policy.baseDelayMs * 2 ** Math.max(0, attempt - 1),
  );
  return { delayMs: Math.round(exponential / 2 + (exponential / 2) * random()), reason: "backoff" };
}

/**
 * The wait until a rate limit resets, from a header read as `format`; undefined when absent,
 * unreadable or already past.
 */
export function parseReset(
  value: string | null,
  format: ResetFormat,
  now: number,
): number | undefined {
  if (value === null || value.trim() === "") {
    return undefined;
  }
  const text = value.trim();
  const number = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  const wait =
    format === "epoch-seconds"
      ? number * 1000 - now
      : format === "delta-seconds"
        ? number * 1000
        : format === "http-date"
          ? Date.parse(text) - now
          : /^\d{4}-\d{2}-\d{2}T/.test(text)
            ? Date.parse(text) - now
            : Number.NaN;
  return Number.isFinite(wait) && wait > 0 ? Math.ceil(wait) : undefined;
}
