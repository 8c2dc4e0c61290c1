/** The engine's version; it names the project in the `User-Agent` sent to the API. */
export const ENGINE_VERSION = "0.1.0";

/**
 * An explicit User-Agent: some Cloudflare rules answer 403 to clients that send none or a generic
 * one (see the CoinGecko reference, §4.4).
 */
export const USER_AGENT = `api-s3-load/${ENGINE_VERSION} (+https://github.com/api-s3-load)`;

/**
 * The value Pulumi substitutes for inputs that are not known yet during a preview. Validation
 * accepts it everywhere, because the real value is only checked once it is known.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
