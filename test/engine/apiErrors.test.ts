import { misconfigurationHint, parseApiError } from "../../packages/snapshot-engine/src/apiErrors";
import { errorBody } from "../helpers/fakeCoingecko";

describe("parseApiError", () => {
  it.each([
    ["status", errorBody("status", 429, "slow down"), { code: 429, message: "slow down" }],
    [
      "top-level code",
      errorBody("top-level-code", 10011, "use api"),
      { code: 10011, message: "use api" },
    ],
    [
      "flat",
      { error: "Missing parameter vs_currencies" },
      { message: "Missing parameter vs_currencies" },
    ],
    [
      "nested",
      errorBody("nested", 10002, "API Key Missing"),
      { code: 10002, message: "API Key Missing" },
    ],
    [
      "string code",
      { status: { error_code: "10005", error_message: "pro only" } },
      { code: 10005, message: "pro only" },
    ],
  ])("reads the %s shape", (_shape, body, expected) => {
    expect(parseApiError(body)).toEqual(expected);
  });

  it.each([
    ["a markets list", [{ id: "bitcoin", roi: null }]],
    ["a price map", { bitcoin: { usd: 1 } }],
    ["global data", { data: { markets: 1 } }],
    ["a status field that is not an error", { status: "active", id: "x" }],
    ["null", null],
  ])("does not mistake %s for an error", (_what, body) => {
    expect(parseApiError(body)).toBeUndefined();
  });
});

describe("misconfigurationHint", () => {
  it.each([
    ["public", 401, undefined, "set coingeckoPlan=demo and coingeckoApiKey"],
    ["public", 401, { code: 10002 }, "set coingeckoPlan=demo and coingeckoApiKey"],
    ["demo", 401, { code: 10002 }, "check that coingeckoApiKey is set for coingeckoPlan=demo"],
    ["demo", 401, { code: 10010 }, "set coingeckoPlan=pro (which uses pro-api.coingecko.com)"],
    ["pro", 400, { code: 10011 }, "set coingeckoPlan=demo (which uses api.coingecko.com)"],
    ["demo", 400, { code: 10005 }, 'the endpoint "coins/list" is not included in the demo plan'],
    [
      "pro",
      403,
      undefined,
      "check coingeckoApiKey and that coingeckoPlan=pro matches the key's plan",
    ],
  ] as const)("plan %s, HTTP %i, %j → says the fix", (plan, status, apiError, hint) => {
    expect(misconfigurationHint(plan, status, apiError, "coins/list")).toContain(hint);
  });

  it("has no hint for errors that are not misconfigurations", () => {
    expect(
      misconfigurationHint(
        "demo",
        400,
        { message: "Missing parameter vs_currency" },
        "coins/markets",
      ),
    ).toBeUndefined();
    expect(misconfigurationHint("demo", 500, undefined, "coins/markets")).toBeUndefined();
  });
});
