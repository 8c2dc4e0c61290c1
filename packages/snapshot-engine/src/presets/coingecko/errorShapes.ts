import type { Plan } from "../../types";

/** CoinGecko's own error, whatever shape its body used. */
export interface ApiError {
  code?: number;
  message?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toCode(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) {
    return value;
  }
  if (typeof value === "string" && /^\d+$/.test(value.trim())) {
    return Number(value.trim());
  }
  return undefined;
}

function fromStatus(status: unknown, code?: number): ApiError | undefined {
  if (!isRecord(status)) {
    return undefined;
  }
  const statusCode = toCode(status.error_code);
  const message = typeof status.error_message === "string" ? status.error_message : undefined;
  if (statusCode === undefined && message === undefined && code === undefined) {
    return undefined;
  }
  return { code: code ?? statusCode, message };
}

/**
 * Recognises the four error shapes CoinGecko answers with (reference §1), whatever the HTTP status:
 * 1. `{"status":{"error_code":N,"error_message":"…"}}`
 * 2. `{"error_code":N,"status":{"error_message":"…"}}` (top-level code)
 * 3. `{"error":"…"}`
 * 4. `{"error":{"status":{…}}}`
 * Returns undefined for anything else, so real data is never mistaken for an error.
 */
export function parseApiError(body: unknown): ApiError | undefined {
  if (!isRecord(body)) {
    return undefined;
  }
  const topCode = toCode(body.error_code);
  if (topCode !== undefined) {
    return fromStatus(body.status, topCode) ?? { code: topCode };
  }
  if ("error" in body) {
    const error = body.error;
    if (typeof error === "string") {
      return { message: error };
    }
    if (isRecord(error)) {
      return (
        fromStatus(error.status) ??
        fromStatus(error) ?? { message: JSON.stringify(error).slice(0, 200) }
      );
    }
  }
  if (isRecord(body.status) && ("error_code" in body.status || "error_message" in body.status)) {
    return fromStatus(body.status);
  }
  return undefined;
}

/** Cloudflare's plain-text rate-limit page. */
export function isCloudflareRateLimit(text: string): boolean {
  return /error code:\s*1015/i.test(text);
}

/**
 * The fix for a key, plan or host problem, or undefined when the error is not one.
 * Config keys are named as the stack spells them, because that is where the fix is made.
 */
export function misconfigurationHint(
  plan: Plan,
  status: number,
  apiError: ApiError | undefined,
  endpoint: string,
): string | undefined {
  const code = apiError?.code;
  if (
    code === 10002 ||
    (status === 401 && plan === "public" && (code === undefined || code === 401))
  ) {
    return plan === "public"
      ? "the API requires a key: set coingeckoPlan=demo and coingeckoApiKey (a free Demo key), or coingeckoPlan=pro with a paid key"
      : `the API says the key is missing: check that coingeckoApiKey is set for coingeckoPlan=${plan}`;
  }
  if (code === 10010) {
    return "a Pro key was sent to the public host api.coingecko.com: set coingeckoPlan=pro (which uses pro-api.coingecko.com), or use a Demo key with coingeckoPlan=demo";
  }
  if (code === 10011) {
    return "a Demo key was sent to pro-api.coingecko.com: set coingeckoPlan=demo (which uses api.coingecko.com), or use a paid key with coingeckoPlan=pro";
  }
  if (code === 10005) {
    return `the endpoint "${endpoint}" is not included in the ${plan} plan: choose another endpoint or a plan that includes it`;
  }
  if (status === 401 || status === 403 || code === 401) {
    return plan === "public"
      ? "the API refused the request: set coingeckoPlan=demo and coingeckoApiKey"
      : `the API refused the key: check coingeckoApiKey and that coingeckoPlan=${plan} matches the key's plan`;
  }
  return undefined;
}
