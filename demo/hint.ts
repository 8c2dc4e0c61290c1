/**
 * What `npm start` adds when CoinGecko could not be reached or kept refusing (offline, a proxy in
 * the way, the rate limit): the way to see the whole run work anyway.
 */

/** Engine failures that say the API was out of reach, not that the config is wrong. */
const UNREACHABLE =
  /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)\b|the connection failed|no complete answer within|HTTP 429\b/;

export const DEMO_HINT =
  "No internet here, a proxy in the way, or CoinGecko's rate limit? `npm run demo` runs the same snapshots against a fake CoinGecko on 127.0.0.1, to see a whole run work without it.";

/**
 * The hint for a CoinGecko snapshot's failure message, or undefined when it is not about reaching the
 * API, or when the run already talks to an API on this machine (the user's own fake or proxy).
 */
export function demoHint(message: string, baseUrl?: string): string | undefined {
  return UNREACHABLE.test(message) && !isLoopback(baseUrl) ? DEMO_HINT : undefined;
}

function isLoopback(baseUrl: string | undefined): boolean {
  if (baseUrl === undefined) {
    return false;
  }
  try {
    const host = new URL(baseUrl).hostname;
    return host === "localhost" || host === "[::1]" || /^127\./.test(host);
  } catch {
    return false;
  }
}

/** Runs that were already told: one hint a run, however many snapshots failed. */
const told = new WeakSet<object>();

/** Prints the hint once per run (`io`) when `message` says the API was out of reach. */
export function tellAboutDemo(
  message: string,
  io: { stderr: (line: string) => void },
  baseUrl?: string,
): void {
  const hint = demoHint(message, baseUrl);
  if (hint !== undefined && !told.has(io)) {
    told.add(io);
    io.stderr(hint);
  }
}
