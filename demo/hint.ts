/**
 * What `npm start` adds when CoinGecko could not be reached or kept refusing (offline, a proxy in
 * the way, the rate limit): the way to see the whole run work anyway.
 */

/** Engine failures that say the API was out of reach, not that the config is wrong. */
const UNREACHABLE =
  /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)\b|the connection failed|no complete answer within|HTTP 429\b/;

export const DEMO_HINT =
  "No internet here, a proxy in the way, or CoinGecko's rate limit? `npm run demo` runs the same snapshots against a fake CoinGecko on 127.0.0.1, to see a whole run work without it.";

/** The hint for a snapshot's failure message, or undefined when it is not about reaching the API. */
export function demoHint(message: string): string | undefined {
  return UNREACHABLE.test(message) ? DEMO_HINT : undefined;
}

/** Runs that were already told: one hint a run, however many snapshots failed. */
const told = new WeakSet<object>();

/** Prints the hint once per run (`io`) when `message` says the API was out of reach. */
export function tellAboutDemo(message: string, io: { stderr: (line: string) => void }): void {
  const hint = demoHint(message);
  if (hint !== undefined && !told.has(io)) {
    told.add(io);
    io.stderr(hint);
  }
}
