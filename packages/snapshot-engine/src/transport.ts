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

/** node-fetch, required on first use so that requiring the engine stays cheap. */
export function defaultFetch(): FetchLike {
  const nodeFetch = require("node-fetch") as typeof import("node-fetch");
  const fn = (nodeFetch.default ?? nodeFetch) as unknown as FetchLike;
  return (url, init) => fn(url, init);
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
