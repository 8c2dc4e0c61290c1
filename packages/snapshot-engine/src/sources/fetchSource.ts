/**
 * Fetches the pages of a declared source, by its pagination type, and gathers what is stored.
 *
 * `page` and `offset` fetch pages side by side once the first page has told the total (so no page
 * beyond a declared total is asked for); `cursor`, `next-url` and `link-header` learn each next page
 * from the one before, so they go one round trip a page. Every type stops on an empty page and at
 * `maxPages`; a repeated cursor or next URL is an error, never a loop.
 */
import { SnapshotError } from "../errors";
import { fetchJson } from "../fetchJson";
import type { FetchContext } from "../fetchJson";
import { pageUrl } from "../pages";
import type { HeaderReader } from "../retryPolicy";
import { Cancelled } from "../transport";
import type { ParamValue } from "../types";
import { nextLink } from "./linkHeader";
import { declaredPageSize, DEFAULT_MAX_PAGES } from "./model";
import type { SourceDefinition } from "./model";
import { readPath } from "./path";

/** What the pages gave: the stored payload's parts in page order, and whether more were offered. */
export interface SourcePages {
  /** The records of every page (with `records`), or each page's body. */
  pages: { body: unknown; records: unknown[] | undefined }[];
  firstUrl: string;
  /** The run stopped at `maxPages` while the API still offered a next page. */
  truncated: boolean;
  /** Where the next page was when `truncated`. */
  nextPage?: string;
}

export interface SourceRequest {
  endpoint: string;
  params: Record<string, ParamValue>;
  maxPages?: number;
}

type Page = SourcePages["pages"][number];

/** The records of one page: at `records`, or the body itself when it is a list. */
function recordsOf(ctx: FetchContext, def: SourceDefinition, body: unknown, url: string): Page {
  if (def.records === undefined) {
    return { body, records: Array.isArray(body) ? body : undefined };
  }
  const at = readPath(body, def.records);
  if (!at.found || !Array.isArray(at.value)) {
    throw new SnapshotError(
      "invalid-payload",
      `Snapshot "${ctx.snapshot}": GET ${url} answered a body whose records path ${def.records} ${at.found ? `holds ${at.value === null ? "null" : typeof at.value}, not a list` : "does not exist"}; nothing was stored. Check the source's \`records\``,
    );
  }
  return { body: undefined, records: at.value };
}

function urlWith(
  baseUrl: string,
  request: SourceRequest,
  extra: Record<string, ParamValue>,
): string {
  return pageUrl(baseUrl, request.endpoint, { ...request.params, ...extra });
}

/** Fetches every page a source's pagination gives, up to `maxPages`. */
export async function fetchSourcePages(
  ctx: FetchContext,
  def: SourceDefinition,
  request: SourceRequest,
  concurrency: number,
): Promise<SourcePages> {
  const maxPages = request.maxPages ?? DEFAULT_MAX_PAGES;
  const type = def.pagination?.type ?? "none";
  if (type === "page" || type === "offset") {
    return indexedPages(ctx, def, request, maxPages, concurrency);
  }
  return linkedPages(ctx, def, request, type === "none" ? 1 : maxPages);
}

/** `none`, `cursor`, `next-url` and `link-header`: each page names the next. */
async function linkedPages(
  ctx: FetchContext,
  def: SourceDefinition,
  request: SourceRequest,
  maxPages: number,
): Promise<SourcePages> {
  const pagination = def.pagination ?? {};
  const type = pagination.type ?? "none";
  const origin = new URL(def.baseUrl).origin;
  const seen = new Set<string>();
  let url =
    type === "cursor" && pagination.first !== undefined
      ? urlWith(def.baseUrl, request, { [pagination.param!]: pagination.first })
      : urlWith(def.baseUrl, request, {});
  if (type === "cursor" && pagination.first !== undefined) {
    seen.add(pagination.first);
  } else if (type !== "cursor") {
    seen.add(url);
  }
  const firstUrl = url;
  const pages: Page[] = [];
  for (;;) {
    let headers: HeaderReader | undefined;
    const body = await fetchJson(ctx, url, undefined, { onHeaders: (h) => (headers = h) });
    const page = recordsOf(ctx, def, body, url);
    pages.push(page);
    if (type === "none" || page.records?.length === 0) {
      return { pages, firstUrl, truncated: false };
    }
    const next = nextPageUrl(ctx, def, request, body, headers, url, seen, origin);
    if (next === undefined) {
      return { pages, firstUrl, truncated: false };
    }
    if (pages.length >= maxPages) {
      return { pages, firstUrl, truncated: true, nextPage: next };
    }
    url = next;
  }
}

/** The next page's URL, undefined at the end; throws on a repeated one or another origin. */
function nextPageUrl(
  ctx: FetchContext,
  def: SourceDefinition,
  request: SourceRequest,
  body: unknown,
  headers: HeaderReader | undefined,
  url: string,
  seen: Set<string>,
  origin: string,
): string | undefined {
  const pagination = def.pagination ?? {};
  const where = `Snapshot "${ctx.snapshot}": GET ${url}`;
  if (pagination.type === "cursor") {
    const from = pagination.from!;
    const raw = typeof from === "string" ? readPath(body, from).value : headers?.get(from.header);
    if (raw === undefined || raw === null || raw === "" || raw === false) {
      return undefined;
    }
    if (typeof raw !== "string" && typeof raw !== "number") {
      throw new SnapshotError(
        "invalid-payload",
        `${where} answered a next cursor that is ${typeof raw}, not a string; nothing was stored. Check pagination.from`,
      );
    }
    const cursor = String(raw);
    if (seen.has(cursor)) {
      throw new SnapshotError(
        "invalid-payload",
        `${where} answered the cursor "${cursor}" a second time; stopping rather than looping, and nothing was stored. The API is repeating itself: try again later, or check pagination.from`,
      );
    }
    seen.add(cursor);
    return urlWith(def.baseUrl, request, { [pagination.param!]: cursor });
  }
  let next: string | undefined;
  if (pagination.type === "link-header") {
    next = nextLink(headers?.get("link") ?? null, url);
  } else {
    const raw = readPath(body, pagination.from as string).value;
    if (raw === undefined || raw === null || raw === "") {
      return undefined;
    }
    if (typeof raw !== "string") {
      throw new SnapshotError(
        "invalid-payload",
        `${where} answered a next URL that is ${typeof raw}, not a string; nothing was stored. Check pagination.from`,
      );
    }
    try {
      next = new URL(raw, url).toString();
    } catch {
      throw new SnapshotError(
        "invalid-payload",
        `${where} answered a next URL that is not a URL (${JSON.stringify(raw.slice(0, 200))}); nothing was stored`,
      );
    }
  }
  if (next === undefined) {
    return undefined;
  }
  const nextOrigin = new URL(next).origin;
  if (nextOrigin !== origin) {
    throw new SnapshotError(
      "invalid-payload",
      `${where} answered a next page on another origin, ${nextOrigin}; it was not followed (the source's key and trust stop at ${origin}), and nothing was stored. If that origin is the API's, set the source's baseUrl to it`,
    );
  }
  if (seen.has(next)) {
    throw new SnapshotError(
      "invalid-payload",
      `${where} answered the next URL ${next} a second time; stopping rather than looping, and nothing was stored`,
    );
  }
  seen.add(next);
  return next;
}

/** `page` and `offset`: the page's number or offset is known in advance. */
async function indexedPages(
  ctx: FetchContext,
  def: SourceDefinition,
  request: SourceRequest,
  maxPages: number,
  concurrency: number,
): Promise<SourcePages> {
  const pagination = def.pagination!;
  const isOffset = pagination.type === "offset";
  const param = pagination.param ?? (isOffset ? "offset" : "page");
  const sizeParam = pagination.sizeParam ?? (isOffset ? "limit" : undefined);
  let pageSize = declaredPageSize(pagination, request.params);
  if (isOffset && pageSize === undefined) {
    throw new SnapshotError(
      "misconfigured",
      `Snapshot "${ctx.snapshot}": offset pagination needs a page size: set params.${sizeParam} or pagination.pageSize of source "${def.name}"`,
    );
  }
  const sizeExtra: Record<string, ParamValue> =
    sizeParam !== undefined && request.params[sizeParam] === undefined && pageSize !== undefined
      ? { [sizeParam]: pageSize }
      : {};
  const start = pagination.start ?? 1;
  const urlAt = (index: number) =>
    urlWith(def.baseUrl, request, {
      ...sizeExtra,
      [param]: isOffset ? index * pageSize! : start + index,
    });

  const first = await fetchJson(ctx, urlAt(0));
  const results: (Page | { error: unknown } | undefined)[] = [recordsOf(ctx, def, first, urlAt(0))];
  pageSize ??= (results[0] as Page).records?.length;
  /** Pages the API says exist, when it says. */
  let declaredPages: number | undefined;
  if (pagination.totalPages !== undefined || pagination.total !== undefined) {
    const path = (pagination.totalPages ?? pagination.total)!;
    const value = Number(readPath(first, path).value);
    if (!Number.isFinite(value) || value < 0) {
      throw new SnapshotError(
        "invalid-payload",
        `Snapshot "${ctx.snapshot}": GET ${urlAt(0)} answered no number at ${path}; nothing was stored. Check pagination.${pagination.totalPages !== undefined ? "totalPages" : "total"}`,
      );
    }
    declaredPages =
      pagination.totalPages !== undefined ? value : Math.ceil(value / Math.max(1, pageSize ?? 1));
  }
  /** Whether a page ends the list: empty, short, or the API says no more. */
  const ends = (page: Page, body: unknown, index: number): boolean => {
    const count = page.records?.length;
    if (count === undefined) {
      throw new SnapshotError(
        "invalid-payload",
        `Snapshot "${ctx.snapshot}": GET ${urlAt(index)} answered a JSON ${body === null ? "null" : typeof body}, not a list, so it cannot be paged: set the source's \`records\` to the path of its list`,
      );
    }
    if (count === 0 || (pageSize !== undefined && count < pageSize)) {
      return true;
    }
    if (declaredPages !== undefined && index + 1 >= declaredPages) {
      return true;
    }
    return pagination.hasMore !== undefined && readPath(body, pagination.hasMore).value === false;
  };
  const lastAllowed = Math.min(maxPages, declaredPages ?? maxPages) - 1;
  const firstEnds = ends(results[0] as Page, first, 0);
  let lastNeeded = firstEnds ? 0 : lastAllowed;
  /** The first page that ends the list, or -1 while none has. */
  let endedAt = firstEnds ? 0 : -1;
  const controllers = Array.from({ length: lastAllowed + 1 }, () => new AbortController());
  const settle = (index: number) => {
    if (index < lastNeeded) {
      lastNeeded = index;
      controllers.slice(index + 1).forEach((c) => c.abort());
    }
  };
  let next = 1;
  const worker = async () => {
    while (next <= lastNeeded) {
      const index = next;
      next += 1;
      try {
        const body = await fetchJson(ctx, urlAt(index), controllers[index].signal);
        const page = recordsOf(ctx, def, body, urlAt(index));
        results[index] = page;
        if (ends(page, body, index)) {
          endedAt = endedAt < 0 ? index : Math.min(endedAt, index);
          settle(index);
        }
      } catch (error) {
        if (error instanceof Cancelled) {
          continue;
        }
        results[index] = { error };
        settle(index);
      }
    }
  };
  if (lastNeeded > 0) {
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(concurrency, lastNeeded)) }, worker),
    );
  }
  const pages: Page[] = [];
  for (let index = 0; index <= lastNeeded; index += 1) {
    const result = results[index];
    if (result === undefined) {
      break;
    }
    if ("error" in result) {
      throw result.error;
    }
    pages.push(result);
  }
  // Full pages up to maxPages and no sign of the end: the API may well have more.
  const truncated =
    endedAt < 0 &&
    pages.length === maxPages &&
    (declaredPages === undefined || declaredPages > maxPages);
  return {
    pages,
    firstUrl: urlAt(0),
    truncated,
    nextPage: truncated ? urlAt(maxPages) : undefined,
  };
}
