import { SnapshotError } from "./errors";
import { fetchJson } from "./fetchJson";
import type { FetchContext } from "./fetchJson";
import { Cancelled } from "./transport";
import type { ParamValue } from "./types";

/** CoinGecko's default `per_page` on its list endpoints. */
export const DEFAULT_PER_PAGE = 100;

/** The request URL of one page; parameters sorted so the same spec always gives the same URL. */
export function pageUrl(
  baseUrl: string,
  endpoint: string,
  params: Record<string, ParamValue>,
  page?: number,
): string {
  const root = baseUrl.replace(/\/+$/, "");
  const path = endpoint.replace(/^\/+/, "");
  const all: Record<string, ParamValue> = { ...params };
  if (page !== undefined) {
    all.page = page;
  }
  const query = new URLSearchParams();
  for (const name of Object.keys(all).sort()) {
    query.set(name, String(all[name]));
  }
  const text = query.toString();
  return `${root}/${path}${text ? `?${text}` : ""}`;
}

/**
 * Fetches `pages` pages starting at `params.page` (default 1) and concatenates them.
 *
 * Up to `concurrency` pages are in flight at once (each request still passes the shared rate
 * limiter). The result is the same as fetching one page after another: pages are joined in page
 * order and the list ends at the first short or empty page; pages after it are cancelled and their
 * outcome, success or failure, is ignored. A failure of a page before the end fails the fetch.
 */
export async function fetchPages(
  ctx: FetchContext,
  baseUrl: string,
  endpoint: string,
  params: Record<string, ParamValue>,
  pages: number,
  concurrency: number,
): Promise<{ payload: unknown; firstUrl: string }> {
  if (pages <= 1) {
    const url = pageUrl(baseUrl, endpoint, params);
    // One page is the whole payload: a list stays bytes until it is formatted (issue 11).
    return { payload: await fetchJson(ctx, url, undefined, { lazyList: true }), firstUrl: url };
  }
  const perPage = Number(params.per_page ?? DEFAULT_PER_PAGE);
  const firstPage = Number(params.page ?? 1);
  const urls = Array.from({ length: pages }, (_, i) =>
    pageUrl(baseUrl, endpoint, params, firstPage + i),
  );
  const results: ({ ok: true; items: unknown[] } | { ok: false; error: unknown } | undefined)[] =
    [];
  const controllers = urls.map(() => new AbortController());
  /** Index of the last page that can matter: the first short page, or the first failed one. */
  let lastNeeded = pages - 1;
  let next = 0;

  const settle = (index: number) => {
    if (index < lastNeeded) {
      lastNeeded = index;
      for (let later = index + 1; later < pages; later += 1) {
        controllers[later].abort();
      }
    }
  };

  const worker = async () => {
    while (next <= lastNeeded) {
      const index = next;
      next += 1;
      try {
        const payload = await fetchJson(ctx, urls[index], controllers[index].signal);
        if (!Array.isArray(payload)) {
          throw new SnapshotError(
            "invalid-payload",
            `Snapshot "${ctx.snapshot}": GET ${urls[index]} answered a JSON ${payload === null ? "null" : typeof payload}, not a list, so it cannot be paginated: set pages to 1 for this endpoint`,
          );
        }
        results[index] = { ok: true, items: payload };
        if (payload.length < perPage) {
          settle(index);
        }
      } catch (error) {
        if (error instanceof Cancelled) {
          continue;
        }
        results[index] = { ok: false, error };
        settle(index);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, pages)) }, worker));

  const items: unknown[] = [];
  for (let index = 0; index < pages; index += 1) {
    const result = results[index];
    if (!result) {
      break;
    }
    if (!result.ok) {
      throw result.error;
    }
    items.push(...result.items);
    if (result.items.length < perPage) {
      break;
    }
  }
  return { payload: items, firstUrl: urls[0] };
}
