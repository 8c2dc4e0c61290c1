import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gzipSync } from "node:zlib";

/** One request as the fake server received it. Header names are lower-case. */
export interface RecordedRequest {
  method: string;
  /** Path and query, such as `/api/v3/coins/markets?page=2&vs_currency=usd`. */
  url: string;
  headers: Record<string, string>;
  /** What the fake answered (0 when it hung or dropped the connection). */
  status: number;
  at: number;
}

/** The four error-body shapes CoinGecko uses (reference §1). */
export type ErrorShape = "status" | "top-level-code" | "flat" | "nested";

/**
 * A misbehaviour. Each applies to the next `times` matching requests (default: all of them) and
 * then the server is healthy again. `match` limits it to requests whose path+query contains it.
 */
export type Fault = (
  | {
      kind: "rate-limit";
      retryAfter?: string;
      rateLimitReset?: string | "auto";
      bodyStatus?: number;
    }
  | { kind: "server-error"; status?: number; html?: boolean }
  | { kind: "hang" }
  /** Headers and half a `Content-Length` body, then silence with the connection held open. */
  | { kind: "stall" }
  | { kind: "reset" }
  /**
   * Half a body, then the connection is cut. `chunked` (default) framing lets the client see the
   * cut; with `content-length` framing node-fetch 2 alone only notices through its timeout.
   * `gzip` sends half of the gzip-encoded body (Content-Length then counts encoded bytes).
   */
  | { kind: "truncated"; framing?: "chunked" | "content-length"; gzip?: boolean }
  | { kind: "invalid-json" }
  | { kind: "html"; status?: number; title?: string }
  | { kind: "text"; status?: number; body?: string }
  | { kind: "error-body"; status: number; shape: ErrorShape; code?: number; message?: string }
  | { kind: "empty" }
  | { kind: "oversize"; bytes: number }
  | { kind: "redirect"; location: string; status?: number }
) & { times?: number; match?: string };

export interface FakeCoingeckoOptions {
  /** Coins in the `/coins/markets` and `/coins/list` catalogue. Defaults to 230. */
  catalogue?: number;
  /** Delay before every answer. Defaults to 0. */
  latencyMs?: number;
  /**
   * A server-side limit like CoinGecko's: more than `limit` requests (429s included) in any
   * sliding `windowMs` get a real 429 with `x-ratelimit-*` headers.
   */
  rateLimit?: { limit: number; windowMs: number };
  /** Sent as `x-ratelimit-limit` on every answer, to test that the client lowers its limit. */
  announceLimit?: number;
  /** Gzip answers when the client accepts it. Defaults to false. */
  gzip?: boolean;
  /** Faults to start with, in order (see `pushFault`). */
  faults?: Fault[];
}

export interface FakeCoingecko {
  /** API root to use as `baseUrl`: `http://127.0.0.1:<port>/api/v3`. */
  baseUrl: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Every request received, in order. Cleared by `reset()`. */
  requests: RecordedRequest[];
  /** Replaces all pending faults with this one (or none). */
  setFault(fault?: Fault): void;
  /** Adds a fault after the pending ones; faults are consumed in order. */
  pushFault(fault: Fault): void;
  /** Changes options at run time (latency, rate limit, gzip, announced limit). */
  setOptions(options: Omit<FakeCoingeckoOptions, "faults" | "catalogue">): void;
  /** Requests whose path+query contains `fragment` (all when omitted). */
  count(fragment?: string): number;
  /** Clears recorded requests, faults and the rate-limit window. */
  reset(): void;
  /** Closes the server and every open connection, hung ones included. */
  stop(): Promise<void>;
}

/** The data a healthy server answers; exported so tests can compare exact bytes. */
export function marketsItem(index: number): Record<string, unknown> {
  const rank = index + 1;
  return {
    id: `coin-${rank}`,
    symbol: `c${rank}`,
    name: `Coin ${rank}`,
    image: `https://assets.coingecko.com/coins/images/${rank}/large/coin.png`,
    current_price: 1000 / rank,
    market_cap: 1e9 / rank,
    market_cap_rank: rank <= 200 ? rank : null,
    fully_diluted_valuation: null,
    total_volume: 1e7 / rank,
    high_24h: 1010 / rank,
    low_24h: 990 / rank,
    price_change_24h: -0.5,
    price_change_percentage_24h: -0.05,
    market_cap_change_24h: null,
    market_cap_change_percentage_24h: null,
    circulating_supply: 1e6,
    total_supply: null,
    max_supply: null,
    ath: 2000 / rank,
    ath_change_percentage: -50,
    ath_date: "2024-03-14T07:10:36.635Z",
    atl: 1 / rank,
    atl_change_percentage: 99900,
    atl_date: "2015-10-20T00:00:00.000Z",
    roi: null,
    last_updated: "2025-07-25T14:53:00.000Z",
  };
}

const CLOUDFLARE_PAGE = (title: string) =>
  `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><h1>Sorry, you have been blocked</h1><p>Cloudflare Ray ID: 8a1b2c3d4e5f</p></body></html>\n`;

const MESSAGES: Record<number, string> = {
  429: "You've exceeded the Rate Limit. Please visit https://www.coingecko.com/en/api/pricing to subscribe to our API plans for higher rate limits.",
  10002: "API Key Missing",
  10005:
    "This request is limited Pro API subscribers. You may wish to subscribe to our paid plan here: https://www.coingecko.com/en/api/pricing",
  10010:
    "If you are using Pro API key, please change your root URL from api.coingecko.com to pro-api.coingecko.com",
  10011:
    "If you are using Demo API key, please change your root URL from pro-api.coingecko.com to api.coingecko.com",
};

/** An error body in one of CoinGecko's shapes. */
export function errorBody(
  shape: ErrorShape,
  code: number,
  message = MESSAGES[code] ?? "error",
): object {
  switch (shape) {
    case "status":
      return { status: { error_code: code, error_message: message } };
    case "top-level-code":
      return {
        timestamp: "2025-07-25T14:53:00.000+00:00",
        error_code: code,
        status: { error_message: message },
      };
    case "flat":
      return { error: message };
    case "nested":
      return {
        error: {
          status: {
            timestamp: "2025-07-25T14:53:00.000+00:00",
            error_code: code,
            error_message: message,
          },
        },
      };
  }
}

/** `2025-07-25 14:54:00 +0000`, the format of CoinGecko's `x-ratelimit-reset`. */
export function rateLimitResetHeader(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} +0000`;
}

/**
 * Starts a fake CoinGecko API v3 on 127.0.0.1 with a free port.
 *
 * Healthy answers have the real shapes (reference §2): `/ping`, `/simple/price`, `/coins/markets`
 * (paginated over a finite catalogue: `per_page` ≤ 250, `[]` past the end), `/coins/list`,
 * `/global`, `/search/trending`. Faults (`setFault`, `pushFault`) reproduce what the real API and
 * Cloudflare do: 429s with `Retry-After` or `x-ratelimit-reset`, 5xx, hangs, resets, truncated or
 * invalid bodies, HTML and plain-text pages, error bodies in all four shapes, empty and oversize
 * payloads, redirects. Every request is recorded with its headers, so tests can check where the
 * key went and count requests. Used by `npm run demo` (demo/main.ts), the engine tests (through
 * test/helpers/fakeCoingecko.ts) and the benchmark script:
 *
 * ```ts
 * const api = await startFakeCoingecko({ rateLimit: { limit: 5, windowMs: 300 } });
 * api.pushFault({ kind: "rate-limit", retryAfter: "1", times: 1 });
 * // ... runSnapshot(spec, { plan: "demo", apiKey, baseUrl: api.baseUrl }, target)
 * expect(api.count("/coins/markets")).toBe(2);
 * await api.stop();
 * ```
 */
export async function startFakeCoingecko(
  options: FakeCoingeckoOptions = {},
): Promise<FakeCoingecko> {
  const catalogue = options.catalogue ?? 230;
  let settings: Omit<FakeCoingeckoOptions, "faults" | "catalogue"> = {
    latencyMs: options.latencyMs,
    rateLimit: options.rateLimit,
    announceLimit: options.announceLimit,
    gzip: options.gzip,
  };
  let faults: (Fault & { left: number })[] = [];
  const requests: RecordedRequest[] = [];
  let windowHits: number[] = [];
  const sockets = new Set<Socket>();

  const addFault = (fault: Fault) => faults.push({ ...fault, left: fault.times ?? Infinity });

  const takeFault = (url: string): Fault | undefined => {
    const index = faults.findIndex((f) => f.left > 0 && (!f.match || url.includes(f.match)));
    if (index < 0) {
      return undefined;
    }
    const fault = faults[index];
    fault.left -= 1;
    if (fault.left <= 0) {
      faults.splice(index, 1);
    }
    return fault;
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    const record: RecordedRequest = {
      method: req.method ?? "GET",
      url,
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [
          k,
          Array.isArray(v) ? v.join(", ") : (v ?? ""),
        ]),
      ),
      status: 0,
      at: Date.now(),
    };
    requests.push(record);
    if (settings.latencyMs) {
      await new Promise((resolve) => setTimeout(resolve, settings.latencyMs));
    }

    const send = (
      status: number,
      body: string | Buffer,
      headers: Record<string, string | number> = {},
    ) => {
      record.status = status;
      let payload = typeof body === "string" ? Buffer.from(body) : body;
      const out: Record<string, string | number> = {
        server: "cloudflare",
        "cf-ray": "8a1b2c3d4e5f-AMS",
        ...headers,
      };
      if (settings.announceLimit) {
        out["x-ratelimit-limit"] = settings.announceLimit;
      }
      if (settings.gzip && /\bgzip\b/.test(req.headers["accept-encoding"] ?? "")) {
        payload = gzipSync(payload);
        out["content-encoding"] = "gzip";
      }
      out["content-length"] = payload.length;
      res.writeHead(status, out);
      res.end(payload);
    };
    const json = (status: number, body: unknown, headers: Record<string, string | number> = {}) =>
      send(status, JSON.stringify(body), {
        "content-type": "application/json; charset=utf-8",
        ...headers,
      });

    if (settings.rateLimit) {
      const now = Date.now();
      windowHits = windowHits.filter((t) => t > now - settings.rateLimit!.windowMs);
      windowHits.push(now);
      if (windowHits.length > settings.rateLimit.limit) {
        json(429, errorBody("status", 429), {
          "x-ratelimit-limit": settings.rateLimit.limit,
          "x-ratelimit-remaining": 0,
          "x-ratelimit-reset": rateLimitResetHeader(new Date(now + settings.rateLimit.windowMs)),
        });
        return;
      }
    }

    const fault = takeFault(url);
    if (fault) {
      switch (fault.kind) {
        case "rate-limit": {
          const headers: Record<string, string> = {};
          if (fault.retryAfter !== undefined) {
            headers["retry-after"] = fault.retryAfter;
          }
          if (fault.rateLimitReset !== undefined) {
            headers["x-ratelimit-limit"] = "30";
            headers["x-ratelimit-remaining"] = "0";
            headers["x-ratelimit-reset"] =
              fault.rateLimitReset === "auto"
                ? rateLimitResetHeader(new Date(Date.now() + 2000))
                : fault.rateLimitReset;
          }
          json(fault.bodyStatus ?? 429, errorBody("status", 429), headers);
          return;
        }
        case "server-error": {
          const status = fault.status ?? 503;
          if (fault.html) {
            send(
              status,
              `<html><head><title>${status}: Gateway time-out</title></head><body></body></html>`,
              {
                "content-type": "text/html",
              },
            );
          } else {
            json(status, { error: "Internal server error" });
          }
          return;
        }
        case "hang":
          return; // Never answers; stop() or the client's timeout ends it.
        case "stall": {
          record.status = 200;
          const text = JSON.stringify([marketsItem(0), marketsItem(1)]);
          res.writeHead(200, { "content-type": "application/json", "content-length": text.length });
          res.write(text.slice(0, Math.floor(text.length / 2)));
          return; // The rest never comes; stop() or the client's timeout ends it.
        }
        case "reset":
          req.socket.destroy();
          return;
        case "truncated": {
          record.status = 200;
          const text = JSON.stringify(Array.from({ length: 10 }, (_, i) => marketsItem(i)));
          const body = fault.gzip ? gzipSync(text) : text;
          res.writeHead(200, {
            "content-type": "application/json",
            ...(fault.gzip ? { "content-encoding": "gzip" } : {}),
            ...(fault.framing === "content-length"
              ? { "content-length": body.length }
              : { "transfer-encoding": "chunked" }),
          });
          res.write(body.slice(0, Math.floor(body.length / 2)));
          setTimeout(() => req.socket.destroy(), 10);
          return;
        }
        case "invalid-json":
          send(200, '{"id":"bitcoin","current_price":', { "content-type": "application/json" });
          return;
        case "html":
          send(
            fault.status ?? 200,
            CLOUDFLARE_PAGE(fault.title ?? "Attention Required! | Cloudflare"),
            {
              "content-type": "text/html; charset=UTF-8",
            },
          );
          return;
        case "text":
          send(fault.status ?? 429, fault.body ?? "error code: 1015", {
            "content-type": "text/plain; charset=UTF-8",
          });
          return;
        case "error-body":
          json(fault.status, errorBody(fault.shape, fault.code ?? fault.status, fault.message));
          return;
        case "empty":
          json(200, []);
          return;
        case "oversize": {
          record.status = 200;
          res.writeHead(200, { "content-type": "application/json" });
          const item = JSON.stringify(marketsItem(0));
          const count = Math.ceil(fault.bytes / (item.length + 1));
          let written = 0;
          res.write("[");
          const pump = () => {
            while (written < count && !res.destroyed) {
              const ok = res.write(`${written ? "," : ""}${item}`);
              written += 1;
              if (!ok) {
                res.once("drain", pump);
                return;
              }
            }
            if (!res.destroyed) {
              res.end("]");
            }
          };
          res.on("error", () => undefined);
          pump();
          return;
        }
        case "redirect":
          record.status = fault.status ?? 302;
          res.writeHead(fault.status ?? 302, { location: fault.location, "content-length": 0 });
          res.end();
          return;
      }
    }
    route(new URL(url, "http://fake"), json);
  }

  function route(url: URL, json: (status: number, body: unknown) => void): void {
    const path = url.pathname.replace(/^\/api\/v3/, "");
    const q = url.searchParams;
    switch (path) {
      case "/ping":
        return json(200, { gecko_says: "(V3) To the Moon!" });
      case "/coins/markets": {
        if (!q.get("vs_currency")) {
          return json(400, { error: "Missing parameter vs_currency" });
        }
        const perPage = Math.min(250, Math.max(1, Number(q.get("per_page") ?? 100)));
        const page = Math.max(1, Number(q.get("page") ?? 1));
        const start = (page - 1) * perPage;
        const items = [];
        for (let i = start; i < Math.min(catalogue, start + perPage); i += 1) {
          items.push(marketsItem(i));
        }
        return json(200, items);
      }
      case "/coins/list":
        return json(
          200,
          Array.from({ length: catalogue }, (_, i) => ({
            id: `coin-${i + 1}`,
            symbol: `c${i + 1}`,
            name: `Coin ${i + 1}`,
          })),
        );
      case "/simple/price": {
        const vs = (q.get("vs_currencies") ?? "").split(",").filter(Boolean);
        if (vs.length === 0) {
          return json(400, { error: "Missing parameter vs_currencies" });
        }
        const out: Record<string, Record<string, number>> = {};
        for (const id of (q.get("ids") ?? "")
          .split(",")
          .filter((id) => /^coin-\d+$|^bitcoin$|^ethereum$/.test(id))) {
          out[id] = Object.fromEntries(vs.map((c) => [c, 42.5]));
          if (q.get("include_last_updated_at") === "true") {
            out[id].last_updated_at = 1753455180;
          }
        }
        return json(200, out);
      }
      case "/global":
        return json(200, {
          data: {
            active_cryptocurrencies: catalogue,
            markets: 1200,
            total_market_cap: { usd: 3.9e12 },
            total_volume: { usd: 1.4e11 },
            market_cap_percentage: { btc: 60.1 },
            market_cap_change_percentage_24h_usd: 1.2,
            volume_change_percentage_24h_usd: -3.4,
            ongoing_icos: 49,
            upcoming_icos: 0,
            ended_icos: 3376,
            updated_at: 1753455180,
          },
        });
      case "/search/trending":
        return json(200, {
          coins: [
            {
              item: {
                id: "coin-1",
                coin_id: 1,
                name: "Coin 1",
                symbol: "C1",
                market_cap_rank: 1,
                thumb: "t",
                small: "s",
                large: "l",
                slug: "coin-1",
                price_btc: 1,
                score: 0,
                data: {
                  price: 1000,
                  price_btc: "1.0",
                  market_cap: "$1,000,000,000",
                  total_volume: "$10,000,000",
                  sparkline: "",
                  price_change_percentage_24h: { usd: -0.05 },
                  content: null,
                },
              },
            },
          ],
          nfts: [],
          categories: [],
        });
      default:
        return json(404, { error: "Incorrect path. Please check https://www.coingecko.com/api/" });
    }
  }

  for (const fault of options.faults ?? []) {
    addFault(fault);
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    baseUrl: `${origin}/api/v3`,
    origin,
    requests,
    setFault(fault) {
      faults = [];
      if (fault) {
        addFault(fault);
      }
    },
    pushFault: addFault,
    setOptions(next) {
      settings = { ...settings, ...next };
      windowHits = [];
    },
    count(fragment) {
      return fragment === undefined
        ? requests.length
        : requests.filter((r) => r.url.includes(fragment)).length;
    },
    reset() {
      requests.length = 0;
      faults = [];
      windowHits = [];
    },
    async stop() {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
