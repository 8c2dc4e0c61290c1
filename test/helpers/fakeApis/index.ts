/**
 * Fakes of six public APIs on 127.0.0.1, each shaped as its documentation shows it (docs/sources.md
 * lists the styles): PokeAPI, OpenAlex, GitHub, World Bank, an offset/limit API with `total`, and
 * Open-Meteo. One server, one path prefix per API, and faults switched on per test.
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One request as received; header names lower-case. */
export interface ApiRequest {
  url: string;
  headers: Record<string, string>;
  status: number;
}

/** Misbehaviours, each for the requests whose path+query contains `match` (default: all). */
export type ApiFault = (
  | { kind: "next-other-port"; port: number }
  | { kind: "repeat-cursor" }
  | { kind: "error-under-200"; body: unknown }
  | { kind: "rate-limit-http-date"; seconds: number }
  | { kind: "forbidden-remaining-0"; resetIn: number }
  | { kind: "drop-mid-body" }
  | { kind: "html-200" }
  /** Answers after `ms`, to show which requests overlap. */
  | { kind: "slow"; ms: number }
) & { match?: string; times?: number };

export interface FakeApis {
  baseUrl: string;
  port: number;
  requests: ApiRequest[];
  /** Most requests in flight at once since the last reset. */
  maxInFlight: number;
  /** Items every list API serves, numbered from 1. */
  catalogue: number;
  fail(fault: ApiFault): void;
  reset(): void;
  stop(): Promise<void>;
}

export const GITHUB_TOKEN = "ghp_canary0123456789abcdef";
export const QUERY_KEY = "qk-canary-5c1d9e7a";

const item = (n: number) => ({ id: n, name: `item-${n}` });

type Answer = { status: number; headers?: Record<string, string>; body: unknown };

/** The slice of the catalogue a page covers. */
function slice(total: number, from: number, size: number): ReturnType<typeof item>[] {
  const items = [];
  for (let n = from + 1; n <= Math.min(total, from + size); n += 1) {
    items.push(item(n));
  }
  return items;
}

export async function startFakeApis(catalogue = 23): Promise<FakeApis> {
  const requests: ApiRequest[] = [];
  let faults: ApiFault[] = [];
  const sockets = new Set<Socket>();
  let base = "";
  const fakes = { requests, catalogue, maxInFlight: 0 } as FakeApis;

  const fault = <K extends ApiFault["kind"]>(kind: K, url: string) => {
    const found = faults.find((f) => f.kind === kind && (!f.match || url.includes(f.match)));
    if (found && found.times !== undefined) {
      found.times -= 1;
      if (found.times <= 0) {
        faults = faults.filter((f) => f !== found);
      }
    }
    return found as Extract<ApiFault, { kind: K }> | undefined;
  };

  const routes: Record<string, (u: URL, req: IncomingMessage) => Answer> = {
    // PokeAPI: {count, next, previous, results}, next an absolute URL or null.
    "/pokeapi/pokemon": (u) => {
      const limit = Number(u.searchParams.get("limit") ?? 20);
      const offset = Number(u.searchParams.get("offset") ?? 0);
      const other = fault("next-other-port", u.href);
      const origin = other ? `http://127.0.0.1:${other.port}` : base;
      const next =
        offset + limit < catalogue
          ? `${origin}/pokeapi/pokemon?offset=${offset + limit}&limit=${limit}`
          : null;
      return {
        status: 200,
        body: { count: catalogue, next, previous: null, results: slice(catalogue, offset, limit) },
      };
    },
    // OpenAlex: cursor paging, meta.next_cursor, first cursor "*".
    "/openalex/works": (u) => {
      const size = Number(u.searchParams.get("per-page") ?? 25);
      const cursor = u.searchParams.get("cursor");
      const from =
        cursor === "*" || cursor === null ? 0 : Number(Buffer.from(cursor, "base64url").toString());
      const results = slice(catalogue, from, size);
      const repeat = fault("repeat-cursor", u.href);
      const nextFrom = repeat ? size : from + size;
      return {
        status: 200,
        body: {
          meta: {
            count: catalogue,
            next_cursor: results.length
              ? Buffer.from(String(nextFrom)).toString("base64url")
              : null,
          },
          results,
        },
      };
    },
    // GitHub: a bare list, Link rel="next" on another path, x-ratelimit-* in epoch seconds.
    "/github/repos/o/r/releases": (u, req) => github(u, req),
    "/github/repositories/1/releases": (u, req) => github(u, req),
    // World Bank: [ {page, pages, per_page, total}, [ … ] ].
    "/worldbank/country/all/indicator/SP.POP.TOTL": (u) => {
      const perPage = Number(u.searchParams.get("per_page") ?? 50);
      const page = Number(u.searchParams.get("page") ?? 1);
      const pages = Math.ceil(catalogue / perPage);
      return {
        status: 200,
        body: [
          { page, pages, per_page: perPage, total: catalogue },
          slice(catalogue, (page - 1) * perPage, perPage),
        ],
      };
    },
    // An offset/limit API with total, its key in the query string.
    "/offset/items": (u) => {
      if (u.searchParams.get("api_key") !== QUERY_KEY) {
        return { status: 401, body: { message: "invalid api_key" } };
      }
      const limit = Number(u.searchParams.get("limit"));
      const offset = Number(u.searchParams.get("offset") ?? 0);
      return { status: 200, body: { total: catalogue, items: slice(catalogue, offset, limit) } };
    },
    // Fields the six do not show: pages numbered from 0 with has_more, and a cursor in a header.
    "/custom/things": (u) => {
      const size = Number(u.searchParams.get("size"));
      const page = Number(u.searchParams.get("page"));
      return {
        status: 200,
        body: {
          data: slice(catalogue, page * size, size),
          has_more: (page + 1) * size < catalogue,
        },
      };
    },
    "/custom/feed": (u) => {
      const after = Number(u.searchParams.get("after") ?? 0);
      const data = slice(catalogue, after, 10);
      const next = after + 10 < catalogue ? { "x-next-cursor": String(after + 10) } : undefined;
      return { status: 200, headers: next, body: { data } };
    },
    // Open-Meteo: one object, no paging.
    "/openmeteo/v1/forecast": (u) => ({
      status: 200,
      body: {
        latitude: Number(u.searchParams.get("latitude")),
        longitude: Number(u.searchParams.get("longitude")),
        hourly_units: { temperature_2m: "°C" },
        hourly: { time: ["2026-12-01T00:00"], temperature_2m: [3.4] },
      },
    }),
  };

  function github(u: URL, req: IncomingMessage): Answer {
    const limits = {
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
    };
    if (req.headers.authorization !== `Bearer ${GITHUB_TOKEN}`) {
      return { status: 401, headers: limits, body: { message: "Bad credentials" } };
    }
    const perPage = Number(u.searchParams.get("per_page") ?? 30);
    const page = Number(u.searchParams.get("page") ?? 1);
    const last = Math.ceil(catalogue / perPage);
    const link = (p: number, rel: string) =>
      `<${base}/github/repositories/1/releases?per_page=${perPage}&page=${p}>; rel="${rel}"`;
    const links = [
      ...(page < last ? [link(page + 1, "next"), link(last, "last")] : []),
      ...(page > 1 ? [link(1, "first"), link(page - 1, "prev")] : []),
    ];
    return {
      status: 200,
      headers: { ...limits, ...(links.length ? { link: links.join(", ") } : {}) },
      body: slice(catalogue, (page - 1) * perPage, perPage),
    };
  }

  let inFlight = 0;
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? "/", base);
    inFlight += 1;
    fakes.maxInFlight = Math.max(fakes.maxInFlight, inFlight);
    res.on("close", () => (inFlight -= 1));
    const slow = fault("slow", u.href);
    if (slow) {
      await new Promise((resolve) => setTimeout(resolve, slow.ms));
    }
    const record: ApiRequest = {
      url: req.url ?? "",
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [
          k,
          Array.isArray(v) ? v.join(",") : (v ?? ""),
        ]),
      ),
      status: 0,
    };
    requests.push(record);
    const send = (answer: Answer, type = "application/json; charset=utf-8") => {
      record.status = answer.status;
      const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, { "content-type": type, ...answer.headers });
      res.end(text);
    };
    const limited = fault("rate-limit-http-date", u.href);
    if (limited) {
      const at = new Date(Date.now() + limited.seconds * 1000).toUTCString();
      return send({ status: 429, headers: { "retry-after": at }, body: { message: "slow down" } });
    }
    const forbidden = fault("forbidden-remaining-0", u.href);
    if (forbidden) {
      return send({
        status: 403,
        headers: {
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + forbidden.resetIn),
        },
        body: { message: "API rate limit exceeded" },
      });
    }
    if (fault("html-200", u.href)) {
      return send(
        {
          status: 200,
          body: "<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>",
        },
        "text/html",
      );
    }
    const under200 = fault("error-under-200", u.href);
    if (under200) {
      return send({ status: 200, body: under200.body });
    }
    const route = routes[u.pathname];
    const answer = route ? route(u, req) : { status: 404, body: { message: "Not Found" } };
    if (fault("drop-mid-body", u.href)) {
      const text = JSON.stringify(answer.body);
      record.status = answer.status;
      res.writeHead(answer.status, {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(text)),
      });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      setTimeout(() => res.socket?.destroy(), 5);
      return;
    }
    send(answer);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  Object.assign(fakes, {
    baseUrl: base,
    port,
    fail: (f: ApiFault) => faults.push({ ...f }),
    reset: () => {
      faults = [];
      requests.length = 0;
      fakes.maxInFlight = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) {
          socket.destroy();
        }
        server.close(() => resolve());
      }),
  });
  return fakes;
}
