/** How hard the engine tries before giving up on the API. Defaults follow the reference §1. */
export interface RetryPolicy {
  /** Requests per page, first one included. Defaults to 5. */
  maxAttempts: number;
  /** First backoff delay; doubles per attempt. Defaults to 2 s. */
  baseDelayMs: number;
  /** Cap of any single wait, including a server's `Retry-After`. Defaults to 60 s. */
  maxDelayMs: number;
  /** Per-request timeout (headers and body). Defaults to 30 s. */
  requestTimeoutMs: number;
  /** Deadline of the whole fetch (all pages, retries and waits). Defaults to 5 minutes. */
  deadlineMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 2_000,
  maxDelayMs: 60_000,
  requestTimeoutMs: 30_000,
  deadlineMs: 5 * 60_000,
};

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
): { delayMs: number; reason: string } {
  const retryAfter = headers ? parseRetryAfter(headers.get("retry-after"), now) : undefined;
  if (retryAfter !== undefined) {
    return { delayMs: Math.min(retryAfter, policy.maxDelayMs), reason: "Retry-After" };
  }
  const reset = headers ? parseRateLimitReset(headers.get("x-ratelimit-reset"), now) : undefined;
  if (reset !== undefined) {
    return { delayMs: Math.min(reset, policy.maxDelayMs), reason: "x-ratelimit-reset" };
  }
  const exponential = Math.min(
    policy.maxDelayMs,
    policy.baseDelayMs * 2 ** Math.max(0, attempt - 1),
  );
  return { delayMs: Math.round(exponential / 2 + (exponential / 2) * random()), reason: "backoff" };
}
