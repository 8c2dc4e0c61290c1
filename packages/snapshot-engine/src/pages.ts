import { SnapshotError } from "./errors";
import { fetchJson } from "./fetchJson";
import type { FetchContext } from "./fetchJson";
import type { PrettyList } from "./payload";
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
 * Fetches `pages` pages starting at `params.page` (default 1) into one list made by `newList`.
 *
 * Up to `concurrency` pages are in flight at once (each request still passes the shared rate
 * limiter). The result is the same as fetching one page after another: pages are joined in page
 * order and the list ends at the first short or empty page; pages after it are cancelled and their
 * outcome, success or failure, is ignored. A failure of a page before the end fails the fetch.
 *
 * Each page goes into the list (checked, formatted, hashed) as soon as every page before it has,
 * while later pages are still in flight, and is then dropped: after the last page arrives only its
 * own formatting is left (issue 20). A page that went in is never one past the end, since all pages
 * before it were full.
 *
 * With one page the answer itself is the payload: a list streams into `newList()` as it arrives; an
 * object (`/simple/price`, `/global`) is answered parsed.
 */
export async function fetchPages(
  ctx: FetchContext,
  baseUrl: string,
  endpoint: string,
  params: Record<string, ParamValue>,
  pages: number,
  concurrency: number,
  newList: (sizeHint: number) => PrettyList,
): Promise<{ payload: unknown; firstUrl: string }> {
  if (pages <= 1) {
    const url = pageUrl(baseUrl, endpoint, params);
    return { payload: await fetchJson(ctx, url, undefined, { listInto: newList }), firstUrl: url };
  }
  const perPage = Number(params.per_page ?? DEFAULT_PER_PAGE);
  const firstPage = Number(params.page ?? 1);
  const urls = Array.from({ length: pages }, (_, i) =>
    pageUrl(baseUrl, endpoint, params, firstPage + i),
  );
  const results: ({ ok: true; items: unknown[] } | { ok: false; error: unknown } | undefined)[] =
    [];
  const controllers = urls.map(() => new AbortController());
  const list = newList(0);
  /** Index of the last page that can matter: the first short page, or the first failed one. */
  let lastNeeded = pages - 1;
  let next = 0;
  /** Pages before this one are in `list`. */
  let joined = 0;
  /** Whether the page that ends the list is in `list`. */
  let ended = false;

  const settle = (index: number) => {
    if (index < lastNeeded) {
      lastNeeded = index;
      for (let later = index + 1; later < pages; later += 1) {
        controllers[later].abort();
      }
    }
  };

  /** Moves the pages that are next in order, and fetched, into the list. */
  const join = () => {
    while (!ended && joined <= lastNeeded) {
      const result = results[joined];
      if (!result?.ok) {
        return;
      }
      if (joined === 0) {
        // Room for every page at the size of those received so far (the output is about 1.2× them).
        const received = results.filter((r) => r?.ok).length;
        list.expect((ctx.counter.acceptedBytes / Math.max(1, received)) * pages);
      }
      list.add(result.items);
      ended = result.items.length < perPage;
      // The list has the items now; only the count is still needed.
      results[joined] = { ok: true, items: [] };
      joined += 1;
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
        // Formatting waits until this worker's next request is on its way, so the CPU work of a
        // page overlaps the network time of the next rather than delaying its start.
        setImmediate(join);
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
  join();

  // Every page before `joined` is in the list; if the list did not end there, the page at `joined`
  // failed (pages up to `lastNeeded` are never cancelled), and that fails the fetch.
  const stuck = results[joined];
  if (!ended && joined <= lastNeeded && stuck && !stuck.ok) {
    throw stuck.error;
  }
  return { payload: list, firstUrl: urls[0] };
}
