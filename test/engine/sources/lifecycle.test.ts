import { diffSnapshot, toSource, toSpec, type SnapshotInputs } from "@api-s3-load/snapshot-engine";

const COINGECKO: SnapshotInputs = {
  name: "m",
  endpoint: "coins/markets",
  params: { vs_currency: "usd" },
  key: "coingecko/m.json",
  bucket: "b-1",
  plan: "public",
  schemaVersion: 1,
};
const SOURCE = { name: "pokeapi", baseUrl: "https://pokeapi.co/api/v2", records: "$.results" };
const SOURCED = {
  ...COINGECKO,
  endpoint: "pokemon",
  key: "pokeapi/m.json",
  source: SOURCE,
  maxPages: 5,
};

describe("a Snapshot of a declared source in the lifecycle", () => {
  it("updates when its source or maxPages changes, and not otherwise", () => {
    expect(diffSnapshot(SOURCED, SOURCED).changes).toBe(false);
    expect(
      diffSnapshot(SOURCED, { ...SOURCED, source: { ...SOURCE, records: "$.items" } }).detailedDiff,
    ).toEqual({ source: "update" });
    expect(diffSnapshot(SOURCED, { ...SOURCED, maxPages: 6 }).detailedDiff).toEqual({
      maxPages: "update",
    });
  });

  it("hands the engine the source with the secret input as its key, and CoinGecko none", () => {
    expect(toSource({ ...SOURCED, apiKey: "k-123456" })).toEqual({
      plan: "public",
      apiKey: "k-123456",
      definition: SOURCE,
    });
    expect(toSpec(SOURCED)).toMatchObject({ maxPages: 5, key: "pokeapi/m.json" });
    expect(toSource(COINGECKO).definition).toBeUndefined();
  });
});
