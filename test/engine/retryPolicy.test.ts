import {
  parseRateLimitReset,
  parseRetryAfter,
  retryDelayMs,
} from "../../packages/snapshot-engine/src/retryPolicy";

const NOW = Date.parse("2025-07-25T14:53:00Z");
const headers = (values: Record<string, string>) => ({
  get: (name: string) => values[name] ?? null,
});
const policy = { baseDelayMs: 2_000, maxDelayMs: 60_000 };

describe("retry delays", () => {
  it.each([
    ["119", 119_000],
    ["0", 0],
    ["1.5", 1_500],
    ["Fri, 25 Jul 2025 14:53:30 GMT", 30_000],
    ["Fri, 25 Jul 2025 14:52:00 GMT", 0],
  ])("Retry-After %s waits %i ms", (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  it.each(["", "soon"])("ignores an unreadable Retry-After %j", (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it.each([
    ["2025-07-25 14:54:00 +0000", 60_000],
    ["2025-07-25 16:54:00 +0200", 60_000],
    ["2025-07-25T14:53:10Z", 10_000],
    [String(NOW / 1000 + 5), 5_000],
  ])("x-ratelimit-reset %s waits %i ms", (value, ms) => {
    expect(parseRateLimitReset(value, NOW)).toBe(ms);
  });

  it("ignores an x-ratelimit-reset in the past", () => {
    expect(parseRateLimitReset("2025-07-25 14:50:00 +0000", NOW)).toBeUndefined();
  });

  it("prefers Retry-After over x-ratelimit-reset, and caps both", () => {
    const both = headers({ "retry-after": "3", "x-ratelimit-reset": "2025-07-25 14:54:00 +0000" });
    expect(retryDelayMs(1, both, policy, NOW)).toEqual({ delayMs: 3_000, reason: "Retry-After" });
    const reset = headers({ "x-ratelimit-reset": "2025-07-25 14:54:00 +0000" });
    expect(retryDelayMs(1, reset, { ...policy, maxDelayMs: 20_000 }, NOW)).toEqual({
      delayMs: 20_000,
      reason: "x-ratelimit-reset",
    });
  });

  it.each([
    [1, 0, 1_000],
    [1, 1, 2_000],
    [3, 1, 8_000],
    [10, 1, 60_000],
    [10, 0, 30_000],
  ])(
    "backs off exponentially with jitter: attempt %i, random %d → %i ms",
    (attempt, random, ms) => {
      expect(retryDelayMs(attempt, headers({}), policy, NOW, () => random)).toEqual({
        delayMs: ms,
        reason: "backoff",
      });
    },
  );
});
