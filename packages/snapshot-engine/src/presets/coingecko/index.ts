/**
 * The built-in preset `coingecko`: everything the engine knows about CoinGecko and about no other
 * API. A snapshot without a declared `source` runs with it (docs/sources.md, "The preset").
 *
 * - plans `public`, `demo` and `pro`: their hosts, key headers and client-side limits (`plans.ts`);
 * - the four error-body shapes and the fixes for key, plan and host mistakes (`errorShapes.ts`);
 * - `page`/`per_page` paging of `pages` pages, 100 a page unless `per_page` says (`../../pages.ts`);
 * - objects stored at `coingecko/<name>.json`.
 *
 * In the source model's terms the paging is `{ type: page, param: page, sizeParam: per_page }`;
 * its error shapes carry codes and hints no `errors.rules` entry can say, so they stay code.
 */
import { DEFAULT_PER_PAGE } from "../../pages";
import type { Pagination } from "../../sources/model";
import { defaultSnapshotKey } from "../../validateInputs";
import { PLAN_NAMES, planDefaults } from "./plans";

export const COINGECKO_PRESET_NAME = "coingecko";

export const COINGECKO_PAGINATION: Pagination = {
  type: "page",
  param: "page",
  start: 1,
  sizeParam: "per_page",
  pageSize: DEFAULT_PER_PAGE,
};

export { defaultSnapshotKey as coingeckoSnapshotKey, PLAN_NAMES, planDefaults };
export { misconfigurationHint, parseApiError } from "./errorShapes";
