/**
 * What `npm start` tells a user while the engine waits, and how it words the engine's failures for
 * this command. The engine takes a rate limiter and a fetch from its caller; these wrap them, so the
 * engine itself stays silent and unchanged.
 */
import {
  defaultFetch,
  planDefaults,
  RateLimiter,
  type FetchLike,
  type Plan,
} from "@api-s3-load/snapshot-engine";

/** A wait shorter than this passes without a word. */
export const NOTICE_AFTER_MS = 3_000;

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The process's rate limiter for `npm start`, which says so when a request will wait for a slot
 * longer than `NOTICE_AFTER_MS`: how long, and why. It tracks the slots it hands out itself, so it
 * knows when the oldest one frees up.
 */
export class NoticingRateLimiter extends RateLimiter {
  private readonly window: number;
  private readonly threshold: number;
  private held = 0;
  /** When each released slot leaves the window, ascending. */
  private ends: number[] = [];
  private noticedUntil = 0;

  constructor(
    private readonly plan: Plan,
    callsPerMinute: number | undefined,
    private readonly notice: (line: string) => void,
    options: { windowMs?: number; maxConcurrency?: number; noticeAfterMs?: number } = {},
  ) {
    const windowMs = options.windowMs ?? 60_000;
    super({
      limit: callsPerMinute ?? planDefaults(plan).callsPerMinute,
      windowMs,
      maxConcurrency: options.maxConcurrency ?? 4,
    });
    this.window = windowMs;
    this.threshold = options.noticeAfterMs ?? NOTICE_AFTER_MS;
  }

  override acquire(signal?: AbortSignal): Promise<() => void> {
    const now = Date.now();
    this.ends = this.ends.filter((end) => end > now);
    if (this.held + this.ends.length >= this.limit && this.ends.length > 0) {
      const wait = this.ends[0] - now;
      // Pages queued together share one wait: one line for it, not one per page.
      if (wait >= this.threshold && now >= this.noticedUntil) {
        this.noticedUntil = this.ends[0];
        this.notice(
          `Waiting ${seconds(wait)} for the rate limit (${this.limit} calls a minute on the ${this.plan} plan) before the next request.`,
        );
      }
    }
    return super.acquire(signal).then((release) => {
      this.held += 1;
      let released = false;
      return () => {
        if (!released) {
          released = true;
          this.held -= 1;
          this.ends.push(Date.now() + this.window);
        }
        release();
      };
    });
  }
}

/**
 * The engine's own fetch, plus one line for `npm start` when an answer is slow to come. (A TLS
 * handshake failure, https meeting a plain-http server, is final in the engine itself.)
 */
export function noticingFetch(
  notice: (line: string) => void,
  inner: FetchLike = defaultFetch(),
  noticeAfterMs = NOTICE_AFTER_MS,
): FetchLike {
  return async (url, init) => {
    const timer = setTimeout(() => {
      notice(
        `Waiting for ${new URL(url).origin}: no answer to GET ${url} after ${seconds(noticeAfterMs)}; still waiting, up to the request timeout.`,
      );
    }, noticeAfterMs);
    timer.unref();
    try {
      return await inner(url, init);
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * Adds what only this command knows to an engine failure: for an answer that suggests a wrong API
 * root (HTTP 404), the base URL used and where it came from.
 */
export function describeRunError(
  message: string,
  context: { baseUrl: string; baseUrlOrigin: string },
): string {
  if (!/\bHTTP 404\b/.test(message)) {
    return message;
  }
  const root = new URL(context.baseUrl).pathname.replace(/\/+$/, "");
  const hint = root.endsWith("/api/v3")
    ? ""
    : `; CoinGecko's API root ends in /api/v3, such as https://api.coingecko.com/api/v3`;
  return `${message.replace(/\.$/, "")}. The base URL used was ${context.baseUrl} (from ${context.baseUrlOrigin})${hint}.`;
}
