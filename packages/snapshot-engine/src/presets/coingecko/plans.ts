import type { Plan } from "../../types";

/** What a plan decides: the API root, the header the key travels in, and the client-side limit. */
export interface PlanDefaults {
  baseUrl: string;
  /** Header that carries the key; undefined for the keyless plan. */
  keyHeader?: string;
  /** Calls per minute the client allows itself before the API's own header lowers it. */
  callsPerMinute: number;
}

const PUBLIC_ROOT = "https://api.coingecko.com/api/v3";
const PRO_ROOT = "https://pro-api.coingecko.com/api/v3";

/**
 * The limits are the conservative end of what CoinGecko documents: the keyless plan shares its
 * limit with everyone on the same IP ("a handful" a minute), Demo is documented as 100/min but has
 * been observed answering `x-ratelimit-limit: 30`, and the smallest paid plan allows 250/min.
 * A lower `x-ratelimit-limit` seen at run time lowers these further; it never raises them.
 */
const PLANS: Record<Plan, PlanDefaults> = {
  public: { baseUrl: PUBLIC_ROOT, callsPerMinute: 5 },
  demo: { baseUrl: PUBLIC_ROOT, keyHeader: "x-cg-demo-api-key", callsPerMinute: 30 },
  pro: { baseUrl: PRO_ROOT, keyHeader: "x-cg-pro-api-key", callsPerMinute: 250 },
};

export const PLAN_NAMES: readonly Plan[] = ["public", "demo", "pro"];

export function isPlan(value: unknown): value is Plan {
  return typeof value === "string" && (PLAN_NAMES as readonly string[]).includes(value);
}

export function planDefaults(plan: Plan): PlanDefaults {
  const defaults = PLANS[plan];
  if (!defaults) {
    throw new Error(
      `Unknown CoinGecko plan "${String(plan)}": use one of ${PLAN_NAMES.join(", ")}.`,
    );
  }
  return { ...defaults };
}
