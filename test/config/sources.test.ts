import { parseSources, resolveSnapshotSource } from "../../config/sources";
import { parseStackConfig } from "../../config/stackConfig";

const OK = { baseUrl: "https://api.example.com" };
const messages = (raw: unknown, isSet = () => true, isSecret?: (k: string) => boolean) =>
  parseSources(raw, isSet, isSecret).problems.map((p) => p.message);

describe("api-s3-load:sources", () => {
  it("keeps the name coingecko for the built-in preset", () => {
    expect(messages({ coingecko: OK })).toEqual([
      "Config `api-s3-load:sources.coingecko` redefines the built-in CoinGecko preset. Give the source another name; CoinGecko is configured with `coingeckoPlan`, `coingeckoApiKey` and `coingeckoBaseUrl`.",
    ]);
  });

  it("refuses a source key stored in plaintext, naming the command that encrypts it", () => {
    const github = { ...OK, auth: { in: "header", name: "Authorization", secret: "githubToken" } };
    expect(
      messages(
        { github },
        () => true,
        () => false,
      ),
    ).toEqual([
      'Config `api-s3-load:githubToken` (the key of source "github") is stored in plaintext in the stack\'s config file. Set it again with `pulumi config set --secret githubToken <key>` so it is encrypted; rotate the key if that file was shared.',
    ]);
    expect(
      messages(
        { github },
        () => true,
        () => true,
      ),
    ).toEqual([]);
  });

  it("refuses a name that cannot be a key's first segment", () => {
    expect(messages({ "My API": OK })).toEqual([
      "Config `api-s3-load:sources.My API` is not a source name. Use 1–63 lowercase letters, digits or dashes (it becomes the first segment of the object key).",
    ]);
  });

  it("resolves a snapshot's source and its default key; coingecko and no source are CoinGecko", () => {
    const parsed = parseSources({ pokeapi: OK }, () => true);
    expect(resolveSnapshotSource({ name: "p", source: "pokeapi" }, "snapshots[0]", parsed)).toEqual(
      {
        source: { ...OK, name: "pokeapi" },
        key: "pokeapi/p.json",
      },
    );
    expect(
      resolveSnapshotSource({ name: "m", source: "coingecko" }, "snapshots[0]", parsed),
    ).toEqual({});
    expect(resolveSnapshotSource({ name: "m" }, "snapshots[0]", parsed)).toEqual({});
  });
});

describe("a sourced snapshot in the stack config", () => {
  it("is refused when offset pagination has no page size, with the source's other problems", () => {
    expect(() =>
      parseStackConfig({
        hasApiKey: false,
        sources: {
          items: { baseUrl: "http://x.example", pagination: { type: "offset", total: "$.total" } },
        },
        snapshots: [{ name: "all", source: "items", endpoint: "items" }],
      }),
    ).toThrow(
      '2 problems; fix them all, nothing was fetched or written:\n  - Config `api-s3-load:sources.items.baseUrl` is "http://x.example". Use https (plain http only to 127.0.0.1 or localhost), so neither the data nor a key travels readable.\n  - Config `api-s3-load:snapshots[0].params.limit` is not set, and offset source "items" has no `pagination.pageSize`. Set the page size as `params.limit` of the snapshot, or as `pagination.pageSize` of the source.',
    );
  });
});
