import type { Agent as HttpAgent, ClientRequest, IncomingMessage } from "node:http";
import type { Readable } from "node:stream";

/**
 * The slice of a fetch implementation the engine uses. node-fetch 2 (the default) satisfies it, so
 * does Node's global fetch; tests may pass either.
 */
export interface FetchResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  /** node-fetch gives a Node stream, global fetch a web stream: both are async-iterable. */
  body: AsyncIterable<Uint8Array | string> | null;
}

export interface FetchInitLike {
  method: "GET";
  headers: Record<string, string>;
  /** Always manual: the engine decides per hop whether the key may follow a redirect. */
  redirect: "manual";
  signal: AbortSignal;
  /** node-fetch: accept and decode gzip/deflate transfer. */
  compress: boolean;
}

export type FetchLike = (url: string, init: FetchInitLike) => Promise<FetchResponseLike>;

/**
 * The connection closed before the body announced by the response was complete. node-fetch 2
 * never ends or errors its body stream when a `Content-Length` body is cut short
 * (node-fetch/node-fetch#1604), so `defaultFetch` raises this itself.
 */
export class TruncatedBodyError extends Error {
  readonly code = "ERR_BODY_TRUNCATED";
  constructor(
    readonly receivedBytes: number,
    readonly declaredBytes: number | undefined,
  ) {
    super(
      declaredBytes === undefined
        ? `the connection closed before the body was complete (${receivedBytes} bytes received)`
        : `the connection closed before the body was complete (${receivedBytes} of the ${declaredBytes} bytes its Content-Length announced)`,
    );
    this.name = "TruncatedBodyError";
  }
}

/** Receives the cut of the one request it was handed to. */
type CutListener = (error: TruncatedBodyError) => void;

interface Guarded {
  /** The listener of the request node-fetch is about to send; taken by the next `addRequest`. */
  pending?: CutListener;
}

/**
 * Watches each response this agent carries: when its connection closes before the message is
 * complete (Node's `res.complete`, or fewer raw bytes than `Content-Length`), the request's
 * listener hears of it at once. Keep-alive as Node's global agent, so pages reuse connections.
 */
function guardedAgent(protocol: "http:" | "https:"): HttpAgent & Guarded {
  const base = (
    protocol === "https:" ? require("node:https").Agent : require("node:http").Agent
  ) as typeof HttpAgent;
  class GuardedAgent extends base implements Guarded {
    pending?: CutListener;
    // `addRequest` is how every client request reaches its agent (agent-base and the proxy agents
    // hook it the same way); it runs synchronously inside `http.request`.
    addRequest(req: ClientRequest, options: unknown): void {
      const listener = this.pending;
      this.pending = undefined;
      if (listener) {
        req.once("response", (res: IncomingMessage) => watch(res, listener));
      }
      (
        base.prototype as unknown as { addRequest(r: ClientRequest, o: unknown): void }
      ).addRequest.call(this, req, options);
    }
  }
  return new GuardedAgent({ keepAlive: true });
}

function watch(res: IncomingMessage, listener: CutListener): void {
  const framed = res.headers["transfer-encoding"] === undefined;
  const length = Number(res.headers["content-length"]);
  const declared = framed && Number.isSafeInteger(length) && length >= 0 ? length : undefined;
  let received = 0;
  // A second 'data' listener only observes: node-fetch's pipe still pauses the response on
  // backpressure, and these are the raw bytes Content-Length counts (before any gzip decoding).
  res.on("data", (chunk: Buffer) => {
    received += chunk.length;
  });
  res.once("close", () => {
    if (!res.complete || (declared !== undefined && received < declared)) {
      listener(new TruncatedBodyError(received, declared));
    }
  });
}

let agents: { "http:": HttpAgent & Guarded; "https:": HttpAgent & Guarded } | undefined;

/**
 * node-fetch 2, required on first use so that requiring the engine stays cheap, with a guard
 * against bodies cut short: a connection that closes before the body is complete fails the body
 * stream at once with `TruncatedBodyError` instead of leaving it open until the request timeout.
 * See docs/engine.md ("Cut connections") for why this guard rather than node-fetch 3.
 */
export function defaultFetch(): FetchLike {
  const nodeFetch = require("node-fetch") as typeof import("node-fetch");
  const fn = (nodeFetch.default ?? nodeFetch) as unknown as (
    url: string,
    init: FetchInitLike & { agent: (url: URL) => HttpAgent },
  ) => Promise<FetchResponseLike>;
  agents ??= { "http:": guardedAgent("http:"), "https:": guardedAgent("https:") };
  const pool = agents;
  return (url, init) => {
    let body: Readable | undefined;
    let cut: TruncatedBodyError | undefined;
    const fail = () => {
      // An abort of ours (timeout, cancel, maxBytes) also closes the connection early; node-fetch
      // already reports that one.
      if (body && cut && !init.signal.aborted) {
        body.destroy(cut);
      }
    };
    const listener: CutListener = (error) => {
      cut = error;
      fail();
    };
    const protocol = new URL(url).protocol === "https:" ? "https:" : "http:";
    // node-fetch builds the request synchronously inside fetch(): the agent hands `listener` to
    // exactly this request, and clearing it afterwards keeps it from reaching any other.
    pool[protocol].pending = listener;
    let response: Promise<FetchResponseLike>;
    try {
      response = fn(url, { ...init, agent: () => pool[protocol] });
    } finally {
      pool[protocol].pending = undefined;
    }
    return response.then((res) => {
      body = (res.body as Readable | null) ?? undefined;
      // The cut may come before anyone reads the body; without a listener its error would be
      // thrown as uncaught. The engine's reader sees the error through the stream itself.
      body?.on("error", () => undefined);
      fail();
      return res;
    });
  };
}

/** A sleep that ends early (rejecting) when the signal aborts. */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Thrown when a page is no longer needed (an earlier page ended the list). */
export class Cancelled extends Error {
  constructor() {
    super("cancelled");
    this.name = "Cancelled";
  }
}

function cancelled(): Error {
  return new Cancelled();
}
