/**
 * What `npm start` tells a user while the engine waits, and how it words the engine's failures for
 * this command. The engine takes a rate limiter and a fetch from its caller; these wrap them, so the
 * engine itself stays silent and unchanged.
 */
import {
  count,
  defaultFetch,
  planDefaults,
  RateLimiter,
  type FetchLike,
  type Plan,
  type RateLimitWait,
  type SourceDefinition,
} from "@api-s3-load/snapshot-engine";

/** A wait shorter than this passes without a word. */
export const NOTICE_AFTER_MS = 3_000;

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

export { count };

/** A client-side rate limit and how `npm start` names it when a request must wait for it. */
export interface LimitRule {
  limit: number;
  windowMs: number;
  /** The rule in words, for the current limit: "5 calls a minute on the public plan". */
  describe: (limit: number) => string;
}

/** CoinGecko's limit: the plan's, or `callsPerMinute` when set. */
export function coingeckoRule(plan: Plan, callsPerMinute: number | undefined): LimitRule {
  return {
    limit: callsPerMinute ?? planDefaults(plan).callsPerMinute,
    windowMs: 60_000,
    describe: (limit) => `${count(limit, "call")} a minute on the ${plan} plan`,
  };
}

/**
 * A declared source's `rateLimit`, in the window the engine applies it (docs/sources.md), or
 * undefined when it declares none: then only the API's own answers make a run wait.
 */
export function sourceRule(source: SourceDefinition): LimitRule | undefined {
  const declared = source.rateLimit;
  if (declared?.calls === undefined) {
    return undefined;
  }
  const windowSeconds = declared.windowSeconds ?? 1;
  return {
    limit: declared.calls,
    windowMs: windowSeconds * 1000,
    describe: (limit) =>
      `${count(limit, "call")} every ${count(windowSeconds, "second")}, as source ${source.name} declares`,
  };
}

/**
 * The process's rate limiter for `npm start`, which says so when requests must wait for the rate
 * limit `NOTICE_AFTER_MS` or longer: how long, and why. The limiter tells it each wait as the
 * request is queued; requests queued in one tick (the pages of one snapshot) share one line.
 */
export class NoticingRateLimiter extends RateLimiter {
  /** Waits reported in this tick, printed together once it ends. */
  private batch: RateLimitWait[] = [];
  /** Until when the waits already announced last: a request freed by then is not announced again. */
  private noticedUntil = 0;

  constructor(
    private readonly rule: LimitRule,
    private readonly notice: (line: string) => void,
    options: { windowMs?: number; maxConcurrency?: number; noticeAfterMs?: number } = {},
  ) {
    const threshold = options.noticeAfterMs ?? NOTICE_AFTER_MS;
    super({
      limit: rule.limit,
      windowMs: options.windowMs ?? rule.windowMs,
      maxConcurrency: options.maxConcurrency ?? 4,
      onWait: (wait) => {
        if (wait.waitMs >= threshold && Date.now() + wait.waitMs > this.noticedUntil) {
          if (this.batch.length === 0) {
            queueMicrotask(() => this.announce());
          }
          this.batch.push(wait);
        }
      },
    });
  }

  private announce(): void {
    const waits = this.batch.sort((a, b) => a.waitMs - b.waitMs);
    this.batch = [];
    const first = waits[0];
    const last = waits[waits.length - 1];
    this.noticedUntil = Date.now() + last.waitMs;
    const length = (wait: RateLimitWait) =>
      `${wait.atLeast ? "at least " : ""}${seconds(wait.waitMs)}`;
    const rule = this.rule.describe(first.limit);
    this.notice(
      waits.length === 1
        ? `Waiting ${length(first)} for the rate limit (${rule}) before the next request.`
        : `Waiting ${length(first)} for the rate limit (${rule}) before the next of ${waits.length} queued requests, ${length(last)} before the last.`,
    );
  }
}

/**
 * The engine's own fetch, plus one line for `npm start` when an answer is slow to come, naming the
 * request timeout that will end the wait. (A TLS handshake failure, https meeting a plain-http
 * server, is final in the engine itself.)
 */
export function noticingFetch(
  notice: (line: string) => void,
  requestTimeoutMs: number,
  inner: FetchLike = defaultFetch(),
  noticeAfterMs = NOTICE_AFTER_MS,
): FetchLike {
  return async (url, init) => {
    const timer = setTimeout(() => {
      notice(
        `Waiting for ${new URL(url).origin}: no answer to GET ${url} after ${seconds(noticeAfterMs)}; still waiting, up to the request timeout of ${seconds(requestTimeoutMs)} (the snapshot's timeoutSeconds).`,
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
 * Adds what only this command knows to an engine failure that suggests a wrong API root (HTTP 404)
 * or host (refused connection, unknown name): the base URL used and where it came from.
 */
export function describeRunError(
  message: string,
  context: { baseUrl: string; baseUrlOrigin: string },
): string {
  const notFound = /\bHTTP 404\b/.test(message);
  if (!notFound && !/\b(ECONNREFUSED|ENOTFOUND)\b/.test(message)) {
    return message;
  }
  const root = new URL(context.baseUrl).pathname.replace(/\/+$/, "");
  const hint =
    !notFound || root.endsWith("/api/v3")
      ? ""
      : `; CoinGecko's API root ends in /api/v3, such as https://api.coingecko.com/api/v3`;
  return `${message.replace(/\.$/, "")}. The base URL used was ${context.baseUrl} (from ${context.baseUrlOrigin})${hint}.`;
}
