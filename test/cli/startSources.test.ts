/**
 * `npm start` runs declared sources (issue 25): the key from the environment variable the docs
 * name, a bad source refused before anything is fetched, a truncated run said on stderr.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GITHUB_TOKEN, QUERY_KEY, startFakeApis, type FakeApis } from "../helpers/fakeApis";
import { npmStart, projectCopy, removeProject } from "./npmStart";

let api: FakeApis;
let root: string;
beforeAll(async () => {
  api = await startFakeApis();
  const sources = {
    github: {
      baseUrl: `${api.baseUrl}/github`,
      auth: { in: "header", name: "Authorization", scheme: "Bearer", secret: "githubToken" },
      pagination: { type: "link-header" },
    },
    items: {
      baseUrl: `${api.baseUrl}/offset`,
      pagination: { type: "offset", total: "$.total" },
      records: "$.items",
      auth: { in: "query", name: "api_key", secret: "itemsKey" },
    },
  };
  root = projectCopy({
    sourced: {
      sources,
      snapshots: [
        {
          name: "releases",
          source: "github",
          endpoint: "repos/o/r/releases",
          params: { per_page: 10 },
          maxPages: 2,
        },
        { name: "all", source: "items", endpoint: "items", params: { limit: 10 } },
      ],
    },
    typo: {
      sources,
      snapshots: [{ name: "releases", source: "githbu", endpoint: "repos/o/r/releases" }],
    },
  });
});
afterAll(async () => {
  await api.stop();
  removeProject(root);
});
beforeEach(() => api.reset());

const KEYS = {
  API_S3_LOAD_SECRET_GITHUB_TOKEN: GITHUB_TOKEN,
  API_S3_LOAD_SECRET_ITEMS_KEY: QUERY_KEY,
};

describe("npm start with declared sources", () => {
  it("lands each source's records at <source>/<name>.json, keys from the environment, truncation on stderr", async () => {
    const out = join(root, "export");
    const { code, stdout, stderr } = await npmStart(
      root,
      ["--stack", "sourced", "--data-dir", join(root, "data"), "--export", out],
      KEYS,
    );
    expect({ code, stderr }).toMatchObject({ code: 0 });
    const releases = JSON.parse(readFileSync(join(out, "github", "releases.json"), "utf8"));
    const all = JSON.parse(readFileSync(join(out, "items", "all.json"), "utf8"));
    expect(releases).toHaveLength(20);
    expect(all).toHaveLength(23);
    expect(stderr).toMatch(
      /snapshot releases: stopped at maxPages \(2\) while the API offers another page \(.*page=3\)/,
    );
    expect(stdout + stderr).not.toContain(GITHUB_TOKEN);
    expect(stdout + stderr).not.toContain(QUERY_KEY);
  });

  it("refuses a missing key and an undeclared source before any request, naming the fix", async () => {
    const missing = await npmStart(
      root,
      ["--stack", "sourced", "--data-dir", join(root, "d2")],
      {},
    );
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(
      "Config `api-s3-load:sources.github.auth.secret` names the config key `githubToken`, which is not set. Set it with `pulumi config set --secret githubToken <key>` (npm start: the environment variable API_S3_LOAD_SECRET_GITHUB_TOKEN).",
    );
    expect(missing.stderr).toContain("API_S3_LOAD_SECRET_ITEMS_KEY");
    const typo = await npmStart(root, ["--stack", "typo", "--data-dir", join(root, "d3")], KEYS);
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toContain(
      'Config `api-s3-load:snapshots[0].source` is "githbu", which is not a declared source. Did you mean `github`?',
    );
    expect(api.requests).toEqual([]);
  });
});
