import { htmlTitle, isCloudflareRateLimit, misconfigurationHint, parseApiError } from "./apiErrors";
import type { ApiError } from "./apiErrors";
import { SnapshotError } from "./errors";
import { BodyBytes, JsonListScanner, parseJsonBytes, PrettyList } from "./payload";
import type { RateLimiter } from "./rateLimiter";
import { DEFAULT_RETRY_POLICY, retryDelayMs } from "./retryPolicy";
import type { HeaderReader, RetryPolicy } from "./retryPolicy";
import { Cancelled, TruncatedBodyError } from "./transport";
import type { FetchLike, FetchResponseLike } from "./transport";
import { authorize, judgeAnswer } from "./sources/answer";
import type { SourceRuntime } from "./sources/answer";
import type { Plan } from "./types";
import { USER_AGENT } from "./version";

/** Everything one snapshot's requests share. Holds the key only for the duration of a run. */
export interface FetchContext {
  snapshot: string;
  endpoint: string;
  plan: Plan;
  apiKey?: string;
  keyHeader?: string;
  fetch: FetchLike;
  limiter: RateLimiter;
  policy: RetryPolicy;
  /** Absolute time (ms since epoch) after which no request or wait starts. */
  deadline: number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  log: (line: string) => void;
  maxBytes: number;
  /**
   * Called once, soon after the first request has been handed to the transport, and those started
   * at the same time with it (the HEAD of the stored object waits for them: see `HeadAhead`).
   */
  onFirstRequest?: () => void;
  /** Shared tallies: HTTP requests made, requests timed out, and bytes of pages already accepted. */
  counter: { requests: number; timeouts: number; acceptedBytes: number };
  /** A declared source (docs/sources.md); CoinGecko's own rules apply when absent. */
  source?: SourceRuntime;
}

const MAX_REDIRECTS = 5;

/** How many times its encoded size a compressed answer is guessed to be (see `readBody`). */
const GZIP_RATIO_GUESS = 8;

interface AttemptFailure {
  error: SnapshotError;
  headers?: HeaderReader;
}

export interface FetchJsonOptions {
  /**
   * Makes the list a successful answer's items are written into while its body arrives (one per
   * attempt; the hint is the body's size, when its headers tell it): a JSON list is then answered as that `PrettyList`, and its body is never held whole
   * (issue 20). Any other answer (an object, an error page) is read and parsed as usual.
   */
  listInto?: (sizeHint: number) => PrettyList;
  /** Told the headers of the answer that succeeded (a `Link` or a cursor header is read there). */
  onHeaders?: (headers: HeaderReader) => void;
}

/** A JSON list whose body went, batch by batch, into a `PrettyList` as it arrived. */
interface StreamedList {
  list: PrettyList;
  /** Body bytes received. */
  bytes: number;
  /** Why the body is not a whole JSON list, when it is not. */
  error?: string;
}

/** Whether the response says its body is JSON (`application/json`, `…+json`). */
function isJsonType(response: FetchResponseLike): boolean {
  return /[/+]json\b/i.test(response.headers.get("content-type") ?? "");
}

/**
 * GETs one URL and returns its parsed JSON, retrying what may pass (429, 5xx, 408, network errors,
 * timeouts) within the policy's attempts and the context's deadline. Throws `SnapshotError`, or
 * `Cancelled` when `cancel` aborts.
 */
export async function fetchJson(
  ctx: FetchContext,
  url: string,
  cancel?: AbortSignal,
  options: FetchJsonOptions = {},
): Promise<unknown> {
  const started = Date.now();
  let last: AttemptFailure | undefined;
  let attempts = 0;
  while (attempts < ctx.policy.maxAttempts) {
    if (Date.now() >= ctx.deadline) {
      break;
    }
    attempts += 1;
    const outcome = await attempt(ctx, url, cancel, options);
    if (!("error" in outcome)) {
      if (outcome.headers) {
        options.onHeaders?.(outcome.headers);
      }
      return outcome.data;
    }
    last = outcome;
    if (!outcome.error.retryable) {
      throw finalError(ctx, url, outcome.error, attempts, started, false);
    }
    if (outcome.error.kind === "timeout") {
      // A hang costs a whole request timeout per attempt, so hangs get fewer retries than answers.
      ctx.counter.timeouts += 1;
      if (ctx.counter.timeouts >= ctx.policy.maxTimeouts) {
        throw finalError(ctx, url, outcome.error, attempts, started, false);
      }
    }
    if (attempts >= ctx.policy.maxAttempts) {
      break;
    }
    // A declared reset header is read only for a rate limit: GitHub sends it on every answer.
    const reset = ctx.source
      ? outcome.error.kind === "rate-limited"
        ? (ctx.source.reset ?? null)
        : null
      : undefined;
    const { delayMs, reason } = retryDelayMs(
      attempts,
      outcome.headers,
      ctx.policy,
      undefined,
      undefined,
      reset,
    );
    if (Date.now() + delayMs >= ctx.deadline) {
      throw finalError(ctx, url, outcome.error, attempts, started, true);
    }
    ctx.log(
      `snapshot ${ctx.snapshot}: GET ${url} failed: ${ctx.source ? outcome.error.message : describe(outcome.error)}; trying again in ${seconds(delayMs)}, ${WAIT_REASONS[reason] ?? `when the API's ${reason} header says its limit resets`} (attempt ${attempts + 1} of ${ctx.policy.maxAttempts}).`,
    );
    await ctx.sleep(delayMs, cancel);
  }
  const error =
    last?.error ??
    new SnapshotError("timeout", "the fetch deadline passed before a request could start", {});
  throw finalError(
    ctx,
    url,
    error,
    attempts,
    started,
    last === undefined || Date.now() >= ctx.deadline,
  );
}

/** What went wrong, as the middle of a retry line. */
function describe(error: SnapshotError): string {
  return error.status ? `the API answered HTTP ${error.status}` : error.message;
}

/** Why a retry waits as long as it does, by `retryDelayMs`'s reason. */
const WAIT_REASONS: Record<string, string> = {
  "Retry-After": "as the API's Retry-After header asks",
  "x-ratelimit-reset": "when the API's x-ratelimit-reset header says its limit resets",
  backoff: "backing off",
};

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

function finalError(
  ctx: FetchContext,
  url: string,
  error: SnapshotError,
  attempts: number,
  started: number,
  deadlineHit: boolean,
): SnapshotError {
  const tried =
    attempts <= 1 && !error.retryable
      ? ""
      : ` after ${attempts} attempt${attempts === 1 ? "" : "s"} over ${seconds(Date.now() - started)}${error.status ? ` (last status ${error.status})` : ""}${deadlineHit ? ", stopping at the deadline" : ""}`;
  const kind = deadlineHit && error.kind === "network" ? "timeout" : error.kind;
  const hint =
    kind === "timeout"
      ? `. If the API is only slow (a slow link, a large payload), raise \`timeoutSeconds\` of this snapshot (its \`snapshots\` entry; the limit per request, now ${seconds(ctx.policy.requestTimeoutMs)}, default ${DEFAULT_RETRY_POLICY.requestTimeoutMs / 1000} s)`
      : "";
  return new SnapshotError(
    kind,
    `Snapshot "${ctx.snapshot}": GET ${url} failed${tried}: ${error.message}${hint}`,
    {
      status: error.status,
      apiCode: error.apiCode,
      attempts,
      retryable: false,
    },
  );
}

function originOf(url: string): string {
  return new URL(url).origin;
}

async function attempt(
  ctx: FetchContext,
  firstUrl: string,
  cancel: AbortSignal | undefined,
  options: FetchJsonOptions,
): Promise<{ data: unknown; headers?: HeaderReader } | AttemptFailure> {
  let url = firstUrl;
  const apiOrigin = originOf(firstUrl);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
    const result = await request(ctx, url, cancel, options.listInto);
    if ("error" in result) {
      return result;
    }
    const { response, body } = result;
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get("location");
      if (!location) {
        return fail(
          "http",
          `the API answered HTTP ${response.status} without a Location`,
          response,
        );
      }
      const next = new URL(location, url);
      if (next.origin !== apiOrigin) {
        // Following would either send the key to a host we were not told to trust or fetch data
        // from a source nobody configured; refusing is the only safe choice.
        return fail(
          "http",
          `the API redirected to another host (${next.origin}); the engine does not follow redirects off the API host so the API key never leaves it. If that host is intended, set ${ctx.source ? `the baseUrl of source "${ctx.source.name}"` : "coingeckoBaseUrl"} to it`,
          response,
        );
      }
      url = next.toString();
      continue;
    }
    const judged = classify(ctx, response, body);
    return "error" in judged ? judged : { data: judged.data, headers: response.headers };
  }
  return {
    error: new SnapshotError("http", `the API redirected more than ${MAX_REDIRECTS} times`),
  };
}

function fail(
  kind: SnapshotError["kind"],
  message: string,
  response: FetchResponseLike,
  extra: { retryable?: boolean; apiCode?: number } = {},
): AttemptFailure {
  return {
    error: new SnapshotError(kind, message, { status: response.status, ...extra }),
    headers: response.headers,
  };
}

async function request(
  ctx: FetchContext,
  url: string,
  cancel?: AbortSignal,
  listInto?: (sizeHint: number) => PrettyList,
): Promise<{ response: FetchResponseLike; body: BodyBytes | StreamedList } | AttemptFailure> {
  let release: (() => void) | undefined;
  const queued = Date.now();
  try {
    release = await ctx.limiter.acquire(cancel);
  } catch {
    throw new Cancelled();
  }
  // Time queued behind our own limiter is not the API's slowness: it does not use up the deadline.
  ctx.deadline += Date.now() - queued;
  const controller = new AbortController();
  const timeoutMs = Math.max(1, Math.min(ctx.policy.requestTimeoutMs, ctx.deadline - Date.now()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onCancel = () => controller.abort();
  cancel?.addEventListener("abort", onCancel, { once: true });
  const headers: Record<string, string> = {
    accept: "application/json",
    "accept-encoding": "gzip, deflate",
    "user-agent": USER_AGENT,
  };
  if (ctx.apiKey && ctx.keyHeader) {
    headers[ctx.keyHeader] = ctx.apiKey;
  }
  // The key of a declared source goes only to its baseUrl's origin, and only into what is sent:
  // `url`, which messages quote, never carries it.
  const sent = ctx.source ? authorize(ctx.source, url, headers) : url;
  try {
    ctx.counter.requests += 1;
    const answer = ctx.fetch(sent, {
      method: "GET",
      headers,
      redirect: "manual",
      signal: controller.signal,
      compress: true,
    });
    const first = ctx.onFirstRequest;
    if (first) {
      ctx.onFirstRequest = undefined;
      // After the requests that start beside this one (the other pages' workers) are sent too.
      setImmediate(first);
    }
    const response = await answer;
    const announced = Number(response.headers.get("x-ratelimit-limit"));
    // CoinGecko's per-minute limit; another API's header may count another window.
    if (!ctx.source && Number.isFinite(announced) && announced > 0) {
      ctx.limiter.lower(announced);
    }
    const body = await readBody(
      ctx,
      response,
      controller,
      response.status === 200 && isJsonType(response) && !ctx.source ? listInto : undefined,
    );
    return { response, body };
  } catch (error) {
    if (cancel?.aborted) {
      throw new Cancelled();
    }
    if (error instanceof SnapshotError) {
      return { error };
    }
    if (timedOut) {
      return {
        error: new SnapshotError("timeout", `no complete answer within ${seconds(timeoutMs)}`, {
          retryable: true,
        }),
      };
    }
    if (isCutShort(error)) {
      const message =
        error instanceof TruncatedBodyError
          ? error.message
          : "the connection closed before the body was complete";
      return { error: new SnapshotError("network", message, { retryable: true }) };
    }
    const code = (error as { code?: string }).code;
    if (isTlsMismatch(error)) {
      // Not transient: the server on that port does not speak TLS, so retrying only costs time.
      const { origin, host } = new URL(url);
      return {
        error: new SnapshotError(
          "misconfigured",
          `the TLS handshake with ${origin} failed (${code ?? "TLS error"}): the server there does not speak https. If it is a plain-HTTP server, use http://${host} in the base URL instead of https://`,
        ),
      };
    }
    if (code === "ENOTFOUND") {
      // The name does not exist (a temporary resolver failure is EAI_AGAIN, which is retried):
      // a typo in the base URL or no DNS at all, neither of which a retry mends.
      const { hostname } = new URL(url);
      return {
        error: new SnapshotError(
          "misconfigured",
          `the host ${hostname} could not be found (DNS: ENOTFOUND). Check the base URL's host for a typo, and that this machine can resolve internet names`,
        ),
      };
    }
    if (code === "ECONNREFUSED") {
      // Often a server that is not running or a wrong port; a restarting server passes, so retry.
      const { host } = new URL(url);
      return {
        error: new SnapshotError(
          "network",
          `nothing accepted the connection to ${host} (ECONNREFUSED). Check the base URL's host and port, and that the API server there is running`,
          { retryable: true },
        ),
      };
    }
    const reason = code ?? (error as Error).message ?? "unknown error";
    return {
      error: new SnapshotError("network", `the connection failed (${reason})`, { retryable: true }),
    };
  } finally {
    clearTimeout(timer);
    cancel?.removeEventListener("abort", onCancel);
    release();
  }
}

/**
 * A body that ended early: our guard on node-fetch 2 (`TruncatedBodyError`), node-fetch's own
 * chunked check ("Premature close"), or Node's global fetch ("terminated").
 */
function isCutShort(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return (
    error instanceof TruncatedBodyError ||
    code === "ERR_STREAM_PREMATURE_CLOSE" ||
    (error instanceof TypeError && message === "terminated")
  );
}

/**
 * Reads the body, counting bytes against `maxBytes` and the `Content-Length` as they arrive. Given
 * `listInto`, a body that turns out to be a JSON list goes into the list batch by batch and only its
 * count is kept; anything else (and whitespace before the first byte that tells) is kept as bytes.
 */
async function readBody(
  ctx: FetchContext,
  response: FetchResponseLike,
  controller: AbortController,
  listInto?: (sizeHint: number) => PrettyList,
): Promise<BodyBytes | StreamedList> {
  const limit = ctx.maxBytes;
  const tooLarge = (bytes: number) =>
    new SnapshotError(
      "too-large",
      `the payload exceeded maxBytes (${limit} bytes; ${bytes} reached) and the download was aborted: raise maxBytes or fetch fewer items per page`,
      { status: response.status },
    );
  const length = response.headers.get("content-length");
  const declared = length === null || length.trim() === "" ? Number.NaN : Number(length);
  if (!response.headers.get("content-encoding") && declared > limit - ctx.counter.acceptedBytes) {
    controller.abort();
    throw tooLarge(declared + ctx.counter.acceptedBytes);
  }
  if (!response.body) {
    return new BodyBytes([], 0);
  }
  // The chunks are kept as they came: joining them would copy the body and leave the chunks as
  // garbage of the same size until V8 next collects (issue 11).
  const framed = !response.headers.get("content-encoding") && Number.isSafeInteger(declared);
  let list: PrettyList | undefined;
  let scanner: JsonListScanner | undefined;
  if (listInto) {
    // The decoded size of a gzip answer is unknown; JSON lists compress about 5–10×, and a buffer
    // reserved too large costs no memory until written, while one grown by copies holds two.
    const sizeHint = Number.isSafeInteger(declared)
      ? framed
        ? declared
        : declared * GZIP_RATIO_GUESS
      : 0;
    const into = listInto(sizeHint);
    list = into;
    scanner = new JsonListScanner((items) => into.add(items));
  }
  let chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of response.body) {
    const part = bytesOf(chunk);
    bytes += part.length;
    if (bytes + ctx.counter.acceptedBytes > limit) {
      controller.abort();
      throw tooLarge(bytes + ctx.counter.acceptedBytes);
    }
    if (framed && bytes > declared) {
      // HTTP/1.1 framing cannot deliver more than Content-Length; only a broken transport can.
      controller.abort();
      throw new SnapshotError(
        "network",
        `the body was longer than the ${declared} bytes its Content-Length announced`,
        { retryable: true },
      );
    }
    if (scanner) {
      scanner.push(part);
      if (scanner.notAList) {
        // An object or an error body: read it whole, as without `listInto`.
        scanner = undefined;
        list = undefined;
      } else if (!scanner.undecided) {
        // A list: its bytes went into `list` (those of a batch not yet complete stay in `scanner`).
        chunks = [];
        continue;
      }
    }
    chunks.push(part);
  }
  if (framed && bytes < declared) {
    // A transport without node-fetch's guard may end the stream quietly at a cut connection.
    throw new TruncatedBodyError(bytes, declared);
  }
  if (scanner && list && !scanner.undecided) {
    const whole = scanner.end();
    return {
      list,
      bytes,
      error: whole ? undefined : (scanner.batchError ?? "the list ended before its closing ]"),
    };
  }
  return new BodyBytes(chunks, bytes);
}

/** A chunk as a Buffer, without copying the bytes of a Uint8Array. */
function bytesOf(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === "string") {
    return Buffer.from(chunk);
  }
  return Buffer.isBuffer(chunk)
    ? chunk
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function quote(apiError: ApiError | undefined): string {
  if (!apiError) {
    return "";
  }
  const parts = [
    apiError.code !== undefined ? `error_code ${apiError.code}` : undefined,
    apiError.message !== undefined ? `"${apiError.message.slice(0, 300)}"` : undefined,
  ].filter(Boolean);
  return parts.length ? `; the API said: ${parts.join(" ")}` : "";
}

function snippet(text: string): string {
  const clean = text.replace(/\s+/g, " ").trim().slice(0, 80);
  return clean ? ` ("${clean}")` : " (empty body)";
}

function classify(
  ctx: FetchContext,
  response: FetchResponseLike,
  body: BodyBytes | StreamedList,
): { data: unknown } | AttemptFailure {
  if (ctx.source && body instanceof BodyBytes) {
    const judged = judgeAnswer(ctx.source, response.status, response.headers, body);
    if ("error" in judged) {
      return { error: judged.error, headers: response.headers };
    }
    ctx.counter.acceptedBytes += body.length;
    return judged;
  }
  if (!(body instanceof BodyBytes)) {
    // Only a 200 with a JSON content-type is streamed, and a list is no error body.
    if (body.error !== undefined) {
      return fail(
        "invalid-payload",
        `the API answered invalid or truncated JSON (${body.bytes} bytes: ${body.error}); nothing was stored`,
        response,
      );
    }
    ctx.counter.acceptedBytes += body.bytes;
    return { data: body.list };
  }
  const status = response.status;
  const contentType = response.headers.get("content-type") ?? "";
  const isJson = isJsonType(response);
  // The whole body becomes a string only when a message needs it (error pages are small); a JSON
  // payload is parsed from its bytes.
  let whole: string | undefined;
  const text = () => (whole ??= body.text());
  const isHtml =
    /html/i.test(contentType) ||
    /^\s*<(!doctype|html)/i.test(body.text(0, Math.min(1024, body.length)));
  let parsed: unknown;
  let parseError: string | undefined;
  if (isJson) {
    try {
      parsed = parseJsonBytes(body);
    } catch (error) {
      parseError = (error as Error).message;
    }
  }
  const apiError = isJson && parseError === undefined ? parseApiError(parsed) : undefined;
  const said = quote(apiError);
  const page = isHtml
    ? `an HTML page${htmlTitle(text()) ? ` ("${htmlTitle(text())}")` : ""}`
    : undefined;

  const rateLimited =
    status === 429 || apiError?.code === 429 || (!isJson && isCloudflareRateLimit(text()));
  if (rateLimited) {
    return fail(
      "rate-limited",
      `the API rate limit was hit (HTTP ${status}${isCloudflareRateLimit(text()) ? ", Cloudflare error code 1015" : ""})${said}. Use fewer snapshots or pages per deploy, lower coingeckoCallsPerMinute, or use a plan with a higher limit`,
      response,
      { retryable: true, apiCode: apiError?.code },
    );
  }
  const hint = misconfigurationHint(ctx.plan, status, apiError, ctx.endpoint);
  if (hint && (status !== 200 || apiError)) {
    return fail("misconfigured", `HTTP ${status}${said}: ${hint}`, response, {
      apiCode: apiError?.code,
    });
  }
  if (status >= 500 || status === 408) {
    return fail(
      "http",
      `the API answered HTTP ${status}${said || (page ? ` with ${page}` : snippet(text()))}; it may be down (see status.coingecko.com)`,
      response,
      { retryable: true, apiCode: apiError?.code },
    );
  }
  if (status !== 200) {
    return fail(
      "http",
      `the API answered HTTP ${status}${said || (page ? ` with ${page}` : snippet(text()))}; check the endpoint and params`,
      response,
      { apiCode: apiError?.code },
    );
  }
  if (!isJson) {
    return fail(
      "invalid-payload",
      page
        ? `the API answered HTTP 200 with ${page} instead of JSON, typically a Cloudflare or proxy page; nothing was stored`
        : `the API answered content-type "${contentType || "none"}" instead of JSON${snippet(text())}; nothing was stored`,
      response,
    );
  }
  if (parseError !== undefined) {
    return fail(
      "invalid-payload",
      `the API answered invalid or truncated JSON (${body.length} bytes: ${parseError}); nothing was stored`,
      response,
    );
  }
  if (apiError) {
    return fail(
      "api-error",
      `the API answered HTTP 200 with an error body${said}; nothing was stored`,
      response,
      {
        apiCode: apiError.code,
      },
    );
  }
  ctx.counter.acceptedBytes += body.length;
  return { data: parsed };
}

/** TLS errors that mean the server does not speak TLS on that port (https met plain http). */
export function isTlsMismatch(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return (
    code === "EPROTO" ||
    (code?.startsWith("ERR_SSL_") ?? false) ||
    /wrong version number|packet length too long|ssl3_get_record/i.test(message ?? "")
  );
}
