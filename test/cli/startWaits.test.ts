/**
 * Every wait of 3 s or more gets one line with its length and cause (issue 18 §2): the rate limit,
 * a Retry-After, a backoff, a slow answer (with the request timeout that ends it). Through the
 * real `npm start` process, reading its stderr as it comes.
 */
import { join } from "node:path";
import { npmStart, useFakeApiAndProject, spawnStart, writeStack } from "./npmStart";

const MARKETS = { vs_currency: "usd", per_page: 100 };

const setup = useFakeApiAndProject();

describe("npm start announces every long wait", () => {
  it("announces the rate-limit wait of pages requested together, as soon as they queue", async () => {
    writeStack(setup.root, "rate", {
      coingeckoCallsPerMinute: 2,
      snapshots: [
        { name: "first", endpoint: "coins/markets", params: MARKETS, key: "a.json" },
        { name: "paged", endpoint: "coins/markets", params: MARKETS, pages: 3, key: "b.json" },
      ],
    });
    const run = spawnStart(setup.root, [
      "--stack",
      "rate",
      "--base-url",
      setup.fake.baseUrl,
      "--data-dir",
      join(setup.root, "data-rate"),
    ]);
    try {
      const line = await run.until(/for the rate limit/);
      // The first snapshot took one slot and page 1 the other: pages 2 and 3 wait a minute.
      expect(line).toMatch(
        /^Waiting (59|60) s for the rate limit \(2 calls a minute on the public plan\) before the next of 2 queued requests, at least 60 s before the last\.$/,
      );
      const at = run.timeline.find((entry) => entry.line === line)!.at;
      const ready = run.timeline.find((entry) => entry.line.startsWith("Embedded S3 on"))!.at;
      // Said when the wait starts, not after it.
      expect(at - ready).toBeLessThan(10_000);
      // Page 1 was sent at once; pages 2 and 3 were not, however long the test looks.
      for (let i = 0; i < 50 && setup.fake.count("/coins/markets") < 2; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(setup.fake.count("/coins/markets")).toBe(2);
    } finally {
      await run.stop();
    }
  });

  it("announces a Retry-After wait, and backoffs, in sentences", async () => {
    writeStack(setup.root, "retry", {});
    setup.fake.pushFault({ kind: "rate-limit", retryAfter: "3", times: 1 });
    setup.fake.pushFault({ kind: "server-error", status: 503, times: 1 });
    const { code, stderr } = await npmStart(setup.root, [
      "--stack",
      "retry",
      "--base-url",
      setup.fake.baseUrl,
      "--data-dir",
      join(setup.root, "data-retry"),
    ]);
    expect(code).toBe(0);
    const url = `${setup.fake.baseUrl}/coins/markets?order=market_cap_desc&page=1&per_page=100&vs_currency=usd`;
    const retries = stderr.split("\n").filter((l) => l.includes("trying again"));
    expect(retries).toEqual([
      `snapshot coins-markets: GET ${url} failed: the API answered HTTP 429; trying again in 3.0 s, as the API's Retry-After header asks (attempt 2 of 5).`,
      expect.stringMatching(
        new RegExp(
          `^snapshot coins-markets: GET ${url.replace(/[?.]/g, "\\$&")} failed: the API answered HTTP 503; trying again in [2-4]\\.\\d s, backing off \\(attempt 3 of 5\\)\\.$`,
        ),
      ),
    ]);
  });

  it("announces a slow answer with the request timeout that will end it", async () => {
    writeStack(setup.root, "slow", {
      snapshots: [{ name: "g", endpoint: "global", params: {}, key: "g.json", timeoutSeconds: 45 }],
    });
    setup.fake.setOptions({ latencyMs: 3_400 });
    try {
      const { code, stderr } = await npmStart(setup.root, [
        "--stack",
        "slow",
        "--base-url",
        setup.fake.baseUrl,
        "--data-dir",
        join(setup.root, "data-slow"),
      ]);
      expect(code).toBe(0);
      expect(stderr.split("\n").filter((l) => l.startsWith("Waiting for "))).toEqual([
        `Waiting for ${setup.fake.origin}: no answer to GET ${setup.fake.baseUrl}/global after 3.0 s; still waiting, up to the request timeout of 45 s (the snapshot's timeoutSeconds).`,
      ]);
    } finally {
      setup.fake.setOptions({ latencyMs: 0 });
    }
  });

  it("says what to check when nothing accepts the API connection, after retries that read as sentences", async () => {
    writeStack(setup.root, "refused", {});
    const closed = `http://127.0.0.1:${await closedPort()}/api/v3`;
    const { code, stderr } = await npmStart(setup.root, [
      "--stack",
      "refused",
      "--base-url",
      closed,
      "--data-dir",
      join(setup.root, "data-refused"),
    ]);
    expect(code).toBe(1);
    const host = new URL(closed).host;
    const lines = stderr.trim().split("\n");
    expect(lines.filter((l) => l.includes("trying again"))).toHaveLength(4);
    expect(lines.find((l) => l.includes("trying again"))).toMatch(
      new RegExp(
        `^snapshot coins-markets: GET \\S+ failed: nothing accepted the connection to ${host} \\(ECONNREFUSED\\)\\. Check the base URL's host and port, and that the API server there is running; trying again in \\d\\.\\d s, backing off \\(attempt 2 of 5\\)\\.$`,
      ),
    );
    expect(lines[lines.length - 1]).toMatch(
      new RegExp(
        `^coins-markets: failed: .*nothing accepted the connection to ${host} \\(ECONNREFUSED\\)\\. Check the base URL's host and port, and that the API server there is running\\. The base URL used was ${closed.replace(/[.]/g, "\\.")} \\(from --base-url\\)\\.$`,
      ),
    );
  }, 90_000);
});

/** A port on 127.0.0.1 nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
