/**
 * Answer shapes: CoinGecko's error bodies live in its preset (presets/coingecko/errorShapes.ts);
 * what every source shares stays here.
 */
export {
  isCloudflareRateLimit,
  misconfigurationHint,
  parseApiError,
} from "./presets/coingecko/errorShapes";
export type { ApiError } from "./presets/coingecko/errorShapes";

/** The `<title>` of an HTML page, to say which page it was (such as "Attention Required! | Cloudflare"). */
export function htmlTitle(text: string): string | undefined {
  const match = /<title[^>]*>([^<]{1,200})<\/title>/i.exec(text);
  return match ? match[1].trim().replace(/\s+/g, " ") : undefined;
}
