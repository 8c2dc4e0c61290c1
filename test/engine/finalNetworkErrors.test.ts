import {
  createS3Client,
  runSnapshot,
  SnapshotError,
  type FetchLike,
} from "@api-s3-load/snapshot-engine";
import { startFakeCoingecko, type FakeCoingecko } from "../helpers/fakeCoingecko";
import { startS3Server, type EmbeddedS3 } from "../helpers/s3Server";
import { FAST_RETRY, useS3rverCredentials } from "./engineHarness";

// https:// aimed at a plain-HTTP server fails the TLS handshake on every attempt: retrying it (as a
// network error, five times) only delays the same answer. `pulumi up` and `npm start` share this.
describe("an https base URL that meets a plain-HTTP server", () => {
  let api: FakeCoingecko;
  let s3: EmbeddedS3;
  let restoreCredentials: () => void;

  beforeAll(async () => {
    restoreCredentials = useS3rverCredentials();
    [api, s3] = await Promise.all([startFakeCoingecko(), startS3Server(["tls"])]);
  });
  afterAll(async () => {
    await api.stop();
    await s3.stop();
    restoreCredentials();
  });

  it("fails after one request with a final error that names http vs https", async () => {
    const httpsUrl = api.baseUrl.replace("http://", "https://");
    const { host } = new URL(api.baseUrl);
    const error = await runSnapshot(
      { name: "m", endpoint: "coins/markets", params: { vs_currency: "usd" }, key: "m.json" },
      { plan: "public", baseUrl: httpsUrl },
      { bucket: "tls", endpoint: s3.endpoint, forcePathStyle: true },
      {
        s3: createS3Client({ endpoint: s3.endpoint, forcePathStyle: true }),
        retry: FAST_RETRY,
        rateWindowMs: 1000,
      },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SnapshotError);
    expect(error).toMatchObject({ kind: "misconfigured", retryable: false });
    expect((error as Error).message).toContain(
      `the server there does not speak https. If it is a plain-HTTP server, use http://${host} in the base URL instead of https://`,
    );
    // The fake never saw a request: the handshake failed before any HTTP was spoken.
    expect(api.count("/api/v3/coins/markets")).toBe(0);
  });
});

// A host that does not resolve is a typo or a machine without DNS: retried, it only delays the
// same answer by some 25 s. (A temporary resolver failure, EAI_AGAIN, stays retryable.)
describe("a base URL whose host does not resolve", () => {
  let s3: EmbeddedS3;
  let restoreCredentials: () => void;

  beforeAll(async () => {
    restoreCredentials = useS3rverCredentials();
    s3 = await startS3Server(["dns"]);
  });
  afterAll(async () => {
    await s3.stop();
    restoreCredentials();
  });

  it.each([
    ["ENOTFOUND", "misconfigured", 1],
    ["EAI_AGAIN", "network", FAST_RETRY.maxAttempts],
  ])("%s: fails as %s after %i request(s)", async (code, kind, requests) => {
    let calls = 0;
    const lookupFails: FetchLike = async (url) => {
      calls += 1;
      throw Object.assign(new Error(`getaddrinfo ${code} ${new URL(url).hostname}`), { code });
    };
    const error = await runSnapshot(
      { name: "m", endpoint: "coins/markets", params: {}, key: "m.json" },
      { plan: "public", baseUrl: "https://api.coingeko.com/api/v3" },
      { bucket: "dns", endpoint: s3.endpoint, forcePathStyle: true },
      {
        s3: createS3Client({ endpoint: s3.endpoint, forcePathStyle: true }),
        fetch: lookupFails,
        retry: FAST_RETRY,
        rateWindowMs: 1000,
      },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ kind });
    expect(calls).toBe(requests);
    if (code === "ENOTFOUND") {
      expect((error as Error).message).toContain(
        "the host api.coingeko.com could not be found (DNS: ENOTFOUND). Check the base URL's host for a typo",
      );
    }
  });
});
