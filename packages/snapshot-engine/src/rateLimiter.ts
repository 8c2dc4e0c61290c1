export interface RateLimiterOptions {
  /** Requests allowed per window. */
  limit: number;
  /** The window; one minute for CoinGecko's "calls per minute". */
  windowMs: number;
  /** Requests in flight at once. */
  maxConcurrency: number;
  /**
   * Told, as a request is queued, when the rate limit (not the concurrency) holds it back: a CLI
   * announces long waits with it. Called synchronously, so requests queued in one tick each see
   * the slots the ones before them took.
   */
  onWait?: (wait: RateLimitWait) => void;
}

/** A request held back by the rate limit, as the limiter sees it when the request is queued. */
export interface RateLimitWait {
  /** Until its slot frees, in ms; a lower bound when `atLeast`. */
  waitMs: number;
  /**
   * True when the slot it needs is still held by a request in flight: that slot frees one window
   * after the request ends, which nobody knows yet.
   */
  atLeast: boolean;
  /** Requests of the window, as now in force. */
  limit: number;
  windowMs: number;
}

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (error: Error) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * A client-side limit of `limit` requests per `windowMs`, with at most `maxConcurrency` in flight.
 *
 * A request holds its slot from the moment it is sent until one full window after its response
 * ended. Because the server sees the request at some moment between those two, any window of the
 * server's clock contains at most `limit` requests, whatever the network delay: a burst never
 * earns a 429 from a server whose limit is the same.
 */
export class RateLimiter {
  private currentLimit: number;
  private readonly windowMs: number;
  private readonly maxConcurrency: number;
  private readonly onWait?: (wait: RateLimitWait) => void;
  private inFlight = 0;
  /** End times of released slots still inside their window, ascending. */
  private cooling: number[] = [];
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(options: RateLimiterOptions) {
    if (!(options.limit >= 1) || !(options.windowMs > 0) || !(options.maxConcurrency >= 1)) {
      throw new Error("RateLimiter needs limit >= 1, windowMs > 0 and maxConcurrency >= 1.");
    }
    this.currentLimit = Math.floor(options.limit);
    this.windowMs = options.windowMs;
    this.maxConcurrency = Math.floor(options.maxConcurrency);
    this.onWait = options.onWait;
  }

  get limit(): number {
    return this.currentLimit;
  }

  /** Applies a lower limit announced by the server (`x-ratelimit-limit`); never raises it. */
  lower(limit: number): void {
    if (Number.isFinite(limit) && limit >= 1 && limit < this.currentLimit) {
      this.currentLimit = Math.floor(limit);
    }
  }

  /** Waits for a slot; call the returned function when the response has ended (or failed). */
  acquire(signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError());
        return;
      }
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) {
            this.queue.splice(index, 1);
            reject(abortError());
          }
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      this.pump();
      this.reportWait(waiter);
    });
  }

  /** Tells `onWait` how long a waiter still queued after a pump must wait for the rate limit. */
  private reportWait(waiter: Waiter): void {
    const position = this.queue.indexOf(waiter);
    if (!this.onWait || position < 0) {
      return;
    }
    // Slots that must free before this waiter's turn: the excess over the limit, plus one for it
    // and one for each waiter ahead of it. None means only the concurrency holds it back.
    const needed = this.inFlight + this.cooling.length - this.currentLimit + 1 + position;
    if (needed <= 0) {
      return;
    }
    const known = needed <= this.cooling.length;
    this.onWait({
      // A cooling slot frees at a known time; one held in flight (or granted to a waiter ahead)
      // frees a full window after its release, so at least that long from now.
      waitMs: known
        ? Math.max(0, this.cooling[needed - 1] - Date.now())
        : this.windowMs * Math.ceil((needed - this.cooling.length) / this.currentLimit),
      atLeast: !known,
      limit: this.currentLimit,
      windowMs: this.windowMs,
    });
  }

  private pump(): void {
    const now = Date.now();
    while (this.cooling.length > 0 && this.cooling[0] <= now) {
      this.cooling.shift();
    }
    while (
      this.queue.length > 0 &&
      this.inFlight < this.maxConcurrency &&
      this.inFlight + this.cooling.length < this.currentLimit
    ) {
      const waiter = this.queue.shift() as Waiter;
      if (waiter.signal && waiter.onAbort) {
        waiter.signal.removeEventListener("abort", waiter.onAbort);
      }
      this.inFlight += 1;
      let released = false;
      waiter.resolve(() => {
        if (released) {
          return;
        }
        released = true;
        this.inFlight -= 1;
        this.cooling.push(Date.now() + this.windowMs);
        this.pump();
      });
    }
    if (this.queue.length > 0 && this.cooling.length > 0 && !this.timer) {
      // Only a cooling slot can free room without a release; wake when the oldest expires.
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.pump();
        },
        Math.max(1, this.cooling[0] - now),
      );
      // A pending wait should not by itself keep a CLI process alive after everything else ended.
      this.timer.unref?.();
    }
  }
}

function abortError(): Error {
  const error = new Error("The wait for a rate-limit slot was cancelled.");
  error.name = "AbortError";
  return error;
}

const REGISTRY = Symbol.for("@api-s3-load/snapshot-engine/rateLimiters");
type Registry = Map<string, RateLimiter>;

/**
 * The limiter shared by every snapshot of the process for one plan and API origin, so many
 * snapshots in one deploy stay under the plan's limit together. Kept on `globalThis` so two copies
 * of this module (source and dist) in one process still share it; it holds no secret.
 */
export function sharedRateLimiter(key: string, options: RateLimiterOptions): RateLimiter {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  const registry = (holder[REGISTRY] ??= new Map<string, RateLimiter>());
  const id = `${key} ${options.windowMs} ${options.maxConcurrency}`;
  let limiter = registry.get(id);
  if (!limiter) {
    limiter = new RateLimiter(options);
    registry.set(id, limiter);
  } else {
    limiter.lower(options.limit);
  }
  return limiter;
}
