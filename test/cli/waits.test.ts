import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { type FetchInitLike, type FetchLike } from "@api-s3-load/snapshot-engine";
import { mockClient } from "aws-sdk-client-mock";
import {
  coingeckoRule,
  describeRunError,
  noticingFetch,
  NoticingRateLimiter,
  sourceRule,
} from "../../cli/waits";
import { storedBytes } from "../../verify";

const INIT = {
  method: "GET",
  headers: {},
  redirect: "manual",
  signal: new AbortController().signal,
  compress: true,
} satisfies FetchInitLike;
const OK = { status: 200, headers: { get: () => null }, body: null };

describe("NoticingRateLimiter", () => {
  it("names a declared source's own rateLimit, in the window it declares", async () => {
    const rule = sourceRule({
      name: "github",
      baseUrl: "https://api.github.com",
      rateLimit: { calls: 1, windowSeconds: 1 },
    });
    expect(rule).toBeDefined();
    const lines: string[] = [];
    const limiter = new NoticingRateLimiter(rule!, (l) => lines.push(l), { noticeAfterMs: 100 });
    (await limiter.acquire())();
    const second = limiter.acquire();
    await Promise.resolve();
    expect(lines).toEqual([
      expect.stringMatching(
        /^Waiting [01]\.\d s for the rate limit \(1 call every 1 second, as source github declares\) before the next request\.$/,
      ),
    ]);
    (await second)();
  });

  it("leaves a source without a declared rateLimit to the API's own answers", () => {
    expect(sourceRule({ name: "pokeapi", baseUrl: "https://pokeapi.co/api/v2" })).toBeUndefined();
  });

  it("prints one line, with how long and why, when a request must wait past the threshold", async () => {
    const lines: string[] = [];
    const limiter = new NoticingRateLimiter(coingeckoRule("public", 1), (l) => lines.push(l), {
      windowMs: 300,
      noticeAfterMs: 100,
    });
    (await limiter.acquire())();
    expect(lines).toEqual([]);
    const second = limiter.acquire();
    await Promise.resolve();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Waiting 0\.[23] s for the rate limit \(1 call a minute on the public plan\) before the next request\.$/,
    );
    (await second)();
  });

  it("sees the slots taken by requests queued in the same tick: one line for the pages of a snapshot", async () => {
    const lines: string[] = [];
    const limiter = new NoticingRateLimiter(coingeckoRule("public", 2), (l) => lines.push(l), {
      windowMs: 400,
      noticeAfterMs: 100,
    });
    // A one-page snapshot, then three pages requested at once.
    (await limiter.acquire())();
    const pages = [limiter.acquire(), limiter.acquire(), limiter.acquire()];
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Waiting 0\.[34] s for the rate limit \(2 calls a minute on the public plan\) before the next of 2 queued requests, at least 0\.4 s before the last\.$/,
    );
    for (const page of pages) {
      (await page)();
    }
  });

  it("says nothing for a wait shorter than the threshold", async () => {
    const lines: string[] = [];
    const limiter = new NoticingRateLimiter(coingeckoRule("demo", 1), (l) => lines.push(l), {
      windowMs: 50,
      noticeAfterMs: 1_000,
    });
    (await limiter.acquire())();
    (await limiter.acquire())();
    expect(lines).toEqual([]);
  });
});

describe("noticingFetch", () => {
  it("prints one line when an answer is slow, and none when it is quick", async () => {
    const lines: string[] = [];
    const slow: FetchLike = () => new Promise((resolve) => setTimeout(() => resolve(OK), 150));
    await noticingFetch(
      (l) => lines.push(l),
      45_000,
      slow,
      50,
    )("http://127.0.0.1:1/api/v3/ping", INIT);
    expect(lines).toEqual([
      "Waiting for http://127.0.0.1:1: no answer to GET http://127.0.0.1:1/api/v3/ping after 0.1 s; still waiting, up to the request timeout of 45 s (the snapshot's timeoutSeconds).",
    ]);
    lines.length = 0;
    await noticingFetch(
      (l) => lines.push(l),
      30_000,
      async () => OK,
      50,
    )("http://127.0.0.1:1/x", INIT);
    expect(lines).toEqual([]);
  });

  it("passes other network errors through for the engine to retry", async () => {
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    const failing: FetchLike = async () => {
      throw reset;
    };
    await expect(noticingFetch(() => undefined, 30_000, failing)("http://h/x", INIT)).rejects.toBe(
      reset,
    );
  });
});

describe("describeRunError", () => {
  const context = { baseUrl: "http://127.0.0.1:9/api", baseUrlOrigin: "--base-url" };
  it("names the base URL and its source on a 404, and the /api/v3 root when missing", () => {
    expect(describeRunError("GET x failed: the API answered HTTP 404; check it.", context)).toBe(
      "GET x failed: the API answered HTTP 404; check it. The base URL used was http://127.0.0.1:9/api (from --base-url); CoinGecko's API root ends in /api/v3, such as https://api.coingecko.com/api/v3.",
    );
    expect(
      describeRunError("HTTP 404", { ...context, baseUrl: "https://api.coingecko.com/api/v3" }),
    ).toBe("HTTP 404. The base URL used was https://api.coingecko.com/api/v3 (from --base-url).");
  });

  it("names the base URL and its source when nothing accepts the connection", () => {
    expect(
      describeRunError(
        "GET x failed: nothing accepted the connection to 127.0.0.1:9 (ECONNREFUSED).",
        context,
      ),
    ).toBe(
      "GET x failed: nothing accepted the connection to 127.0.0.1:9 (ECONNREFUSED). The base URL used was http://127.0.0.1:9/api (from --base-url).",
    );
  });

  it("leaves other failures as the engine worded them", () => {
    expect(describeRunError("HTTP 500 from the API.", context)).toBe("HTTP 500 from the API.");
  });
});

describe("storedBytes: what 'unchanged' is checked against", () => {
  const body = Buffer.from('[{"id":"bitcoin"}]\n');
  const sha = createHash("sha256").update(body).digest();
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());

  it("trusts S3's stored checksum, read with checksum mode, without downloading the body", async () => {
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: sha.toString("base64") });
    const result = await storedBytes(new S3Client({}), "b", "k", sha.toString("hex"));
    expect(result).toEqual({ intact: true, sha256: sha.toString("hex"), evidence: "s3-checksum" });
    expect(s3.commandCalls(HeadObjectCommand)[0].args[0].input).toMatchObject({
      ChecksumMode: "ENABLED",
    });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it("reports bytes whose S3 checksum differs from the recorded sha256 as not intact", async () => {
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: Buffer.alloc(32, 1).toString("base64") });
    const result = await storedBytes(new S3Client({}), "b", "k", sha.toString("hex"));
    expect(result.intact).toBe(false);
  });

  it("re-hashes the body where the server keeps no checksum", async () => {
    s3.on(HeadObjectCommand).resolves({});
    s3.on(GetObjectCommand).resolves({
      Body: Readable.from([Buffer.from("tampered")]) as never,
    });
    const result = await storedBytes(new S3Client({}), "b", "k", sha.toString("hex"));
    expect(result).toMatchObject({ intact: false, evidence: "rehash" });
    expect(result.sha256).toBe(createHash("sha256").update("tampered").digest("hex"));
  });
});
