import { createS3Client, runSnapshot, SnapshotError } from "@api-s3-load/snapshot-engine";
import type { Plan, SnapshotResult, SnapshotSpec } from "@api-s3-load/snapshot-engine";
import { startFakeCoingecko } from "../helpers/fakeCoingecko";
import type { FakeCoingecko, Fault } from "../helpers/fakeCoingecko";
import { startFaultProxy } from "../helpers/faultProxy";
import type { FaultProxy, ProxyFault } from "../helpers/faultProxy";
import { startS3Server } from "../helpers/s3Server";
import type { EmbeddedS3 } from "../helpers/s3Server";
import {
  CANARY_KEY,
  FAST_RETRY,
  readObject,
  recordingSleep,
  useS3rverCredentials,
} from "./engineHarness";

const BUCKET = "matrix";

interface Row {
  name: string;
  plan?: Plan;
  faults?: Fault[];
  s3Fault?: ProxyFault;
  s3Down?: boolean;
  /** Redirect target is a second fake server; `other` is replaced by its origin. */
  redirectOffHost?: boolean;
  gzip?: boolean;
  maxBytes?: number;
  /** Rows that test timeouts use a short one; others keep a generous one against CI load. */
  requestTimeoutMs?: number;
  expect:
    | { ok: true; apiRequests?: number; puts?: number; sleptAtLeast?: number }
    | { kind: SnapshotError["kind"]; message: string; apiRequests?: number };
}

const rows: Row[] = [
  {
    name: "429 then success",
    faults: [{ kind: "rate-limit", times: 1 }],
    expect: { ok: true, apiRequests: 2 },
  },
  {
    name: "429 with Retry-After seconds",
    faults: [{ kind: "rate-limit", retryAfter: "2", times: 1 }],
    expect: { ok: true, apiRequests: 2, sleptAtLeast: 2000 },
  },
  {
    name: "429 with Retry-After HTTP date",
    faults: [
      { kind: "rate-limit", retryAfter: new Date(Date.now() + 60_000).toUTCString(), times: 1 },
    ],
    expect: { ok: true, apiRequests: 2, sleptAtLeast: 4000 },
  },
  {
    name: "429 with x-ratelimit-reset",
    faults: [{ kind: "rate-limit", rateLimitReset: "auto", times: 1 }],
    expect: { ok: true, apiRequests: 2, sleptAtLeast: 500 },
  },
  {
    name: "429 always",
    faults: [{ kind: "rate-limit" }],
    expect: { kind: "rate-limited", message: "after 3 attempts", apiRequests: 3 },
  },
  {
    name: "500 then success",
    faults: [{ kind: "server-error", status: 500, times: 2 }],
    expect: { ok: true, apiRequests: 3 },
  },
  {
    name: "503 always",
    faults: [{ kind: "server-error", status: 503 }],
    expect: { kind: "http", message: "after 3 attempts", apiRequests: 3 },
  },
  {
    name: "504 HTML gateway page always",
    faults: [{ kind: "server-error", status: 504, html: true }],
    expect: { kind: "http", message: "504: Gateway time-out", apiRequests: 3 },
  },
  {
    // Fewer retries after a timeout than after a 5xx: the second timed-out request ends the run.
    name: "hang past the timeout",
    requestTimeoutMs: 500,
    faults: [{ kind: "hang" }],
    expect: {
      kind: "timeout",
      message:
        "no complete answer within 0.5 s. If the API is only slow (a slow link, a large payload), raise `timeoutSeconds` of this snapshot (its `snapshots` entry; the limit per request, now 0.5 s, default 30 s)",
      apiRequests: 2,
    },
  },
  {
    name: "body stalls after half of its Content-Length",
    requestTimeoutMs: 500,
    faults: [{ kind: "stall" }],
    expect: { kind: "timeout", message: "no complete answer within 0.5 s", apiRequests: 2 },
  },
  {
    name: "hang once then success",
    requestTimeoutMs: 500,
    faults: [{ kind: "hang", times: 1 }],
    expect: { ok: true, apiRequests: 2 },
  },
  {
    name: "connection reset always",
    faults: [{ kind: "reset" }],
    expect: { kind: "network", message: "the connection failed (ECONNRESET)", apiRequests: 3 },
  },
  {
    name: "connection reset then success",
    faults: [{ kind: "reset", times: 1 }],
    expect: { ok: true, apiRequests: 2 },
  },
  {
    name: "truncated chunked body always",
    faults: [{ kind: "truncated" }],
    expect: {
      kind: "network",
      message: "the connection closed before the body was complete",
      apiRequests: 3,
    },
  },
  {
    // node-fetch 2 alone waits for the request timeout here (node-fetch#1604); the engine's guard
    // sees the connection close. The long timeout proves the timeout plays no part.
    name: "truncated body short of its Content-Length",
    requestTimeoutMs: 60_000,
    faults: [{ kind: "truncated", framing: "content-length" }],
    expect: {
      kind: "network",
      message: "the connection closed before the body was complete",
      apiRequests: 3,
    },
  },
  {
    name: "truncated gzip body short of its Content-Length",
    requestTimeoutMs: 60_000,
    faults: [{ kind: "truncated", framing: "content-length", gzip: true }],
    expect: {
      kind: "network",
      message: "the connection closed before the body was complete",
      apiRequests: 3,
    },
  },
  {
    name: "truncated body short of its Content-Length once then success",
    requestTimeoutMs: 60_000,
    faults: [{ kind: "truncated", framing: "content-length", times: 1 }],
    expect: { ok: true, apiRequests: 2 },
  },
  {
    name: "truncated body once then success",
    faults: [{ kind: "truncated", times: 1 }],
    expect: { ok: true, apiRequests: 2 },
  },
  {
    name: "invalid JSON with 200",
    faults: [{ kind: "invalid-json" }],
    expect: { kind: "invalid-payload", message: "invalid or truncated JSON", apiRequests: 1 },
  },
  {
    name: "Cloudflare HTML page with 200",
    faults: [{ kind: "html" }],
    expect: {
      kind: "invalid-payload",
      message: 'HTTP 200 with an HTML page ("Attention Required! | Cloudflare") instead of JSON',
      apiRequests: 1,
    },
  },
  {
    name: "Cloudflare HTML page with 403",
    faults: [
      { kind: "html", status: 403, title: "Access denied | api.coingecko.com used Cloudflare" },
    ],
    expect: { kind: "misconfigured", message: "HTTP 403", apiRequests: 1 },
  },
  {
    name: 'plain text "error code: 1015"',
    faults: [{ kind: "text", status: 429 }],
    expect: { kind: "rate-limited", message: "Cloudflare error code 1015", apiRequests: 3 },
  },
  {
    name: "rate-limit error body with 200",
    faults: [{ kind: "error-body", status: 200, shape: "status", code: 429 }],
    expect: { kind: "rate-limited", message: "You've exceeded the Rate Limit", apiRequests: 3 },
  },
  {
    name: "flat error body with 200",
    faults: [
      {
        kind: "error-body",
        status: 200,
        shape: "flat",
        message: "Could not find coin with the given id",
      },
    ],
    expect: {
      kind: "api-error",
      message: 'the API said: "Could not find coin with the given id"',
      apiRequests: 1,
    },
  },
  {
    name: "nested 10002 body with 200",
    plan: "public",
    faults: [{ kind: "error-body", status: 200, shape: "nested", code: 10002 }],
    expect: {
      kind: "misconfigured",
      message: "set coingeckoPlan=demo and coingeckoApiKey",
      apiRequests: 1,
    },
  },
  ...(["status", "top-level-code", "flat", "nested"] as const).flatMap((shape): Row[] => [
    {
      name: `401 ${shape} body on the keyless plan`,
      plan: "public",
      faults: [{ kind: "error-body", status: 401, shape, code: 10002, message: "API Key Missing" }],
      expect: {
        kind: "misconfigured",
        message: "set coingeckoPlan=demo and coingeckoApiKey",
        apiRequests: 1,
      },
    },
    {
      name: `429 ${shape} body`,
      faults: [{ kind: "error-body", status: 429, shape, code: 429 }],
      expect: { kind: "rate-limited", message: "last status 429", apiRequests: 3 },
    },
    {
      name: `200 ${shape} body`,
      faults: [{ kind: "error-body", status: 200, shape, code: 10005 }],
      expect: {
        kind: shape === "flat" ? "api-error" : "misconfigured",
        message:
          shape === "flat"
            ? "This request is limited Pro API subscribers"
            : 'the endpoint "coins/markets" is not included in the demo plan',
        apiRequests: 1,
      },
    },
  ]),
  {
    name: "10002 with a demo key",
    faults: [{ kind: "error-body", status: 401, shape: "status", code: 10002 }],
    expect: {
      kind: "misconfigured",
      message: "check that coingeckoApiKey is set for coingeckoPlan=demo",
      apiRequests: 1,
    },
  },
  {
    name: "10010: pro key on the public host",
    faults: [{ kind: "error-body", status: 401, shape: "status", code: 10010 }],
    expect: { kind: "misconfigured", message: "set coingeckoPlan=pro", apiRequests: 1 },
  },
  {
    name: "10011: demo key on the pro host",
    plan: "pro",
    faults: [{ kind: "error-body", status: 400, shape: "top-level-code", code: 10011 }],
    expect: { kind: "misconfigured", message: "set coingeckoPlan=demo", apiRequests: 1 },
  },
  {
    name: "10005: endpoint not in the plan",
    faults: [{ kind: "error-body", status: 400, shape: "status", code: 10005 }],
    expect: { kind: "misconfigured", message: "not included in the demo plan", apiRequests: 1 },
  },
  {
    name: "empty array",
    faults: [{ kind: "empty" }],
    expect: {
      kind: "invalid-payload",
      message: "answered 0 items, fewer than minItems (1)",
      apiRequests: 1,
    },
  },
  {
    name: "oversize payload",
    maxBytes: 64 * 1024,
    faults: [{ kind: "oversize", bytes: 4 * 1024 * 1024 }],
    expect: { kind: "too-large", message: "exceeded maxBytes (65536 bytes", apiRequests: 1 },
  },
  { name: "gzip transfer encoding", gzip: true, expect: { ok: true, apiRequests: 1 } },
  {
    name: "redirect to another host",
    redirectOffHost: true,
    expect: { kind: "http", message: "redirected to another host", apiRequests: 1 },
  },
  {
    name: "S3 down (connection refused)",
    s3Down: true,
    expect: { kind: "s3", message: "could not reach S3" },
  },
  {
    name: "S3 connection reset",
    s3Fault: { kind: "reset" },
    expect: { kind: "s3", message: "could not reach S3" },
  },
  {
    name: "S3 SlowDown then success",
    s3Fault: { kind: "slow-down", method: "PUT", times: 2 },
    expect: { ok: true, puts: 3 },
  },
  {
    name: "S3 SlowDown always",
    s3Fault: { kind: "slow-down", method: "PUT" },
    expect: { kind: "s3", message: "kept throttling PutObject" },
  },
  {
    name: "S3 AccessDenied",
    s3Fault: { kind: "access-denied", method: "PUT" },
    expect: { kind: "s3", message: "S3 denied PutObject" },
  },
  {
    name: "S3 NoSuchBucket",
    s3Fault: { kind: "no-such-bucket" },
    expect: { kind: "s3", message: `bucket "${BUCKET}" does not exist` },
  },
  {
    name: "S3 body corrupted in transit (BadDigest)",
    s3Fault: { kind: "corrupt-body", method: "PUT" },
    expect: { kind: "s3", message: "do not match the SHA-256 checksum (BadDigest)" },
  },
];

describe("fault matrix: every fault leaves the stored object byte-identical", () => {
  let api: FakeCoingecko;
  let other: FakeCoingecko;
  let s3: EmbeddedS3;
  let proxy: FaultProxy;
  let restoreCredentials: () => void;
  const logs: string[] = [];
  const errors: string[] = [];
  const results: SnapshotResult[] = [];

  beforeAll(async () => {
    restoreCredentials = useS3rverCredentials();
    [api, other, s3] = await Promise.all([
      startFakeCoingecko(),
      startFakeCoingecko(),
      startS3Server([BUCKET]),
    ]);
    proxy = await startFaultProxy(s3.endpoint);
  });

  afterAll(async () => {
    await Promise.all([api.stop(), other.stop(), proxy.stop()]);
    await s3.stop();
    restoreCredentials();
  });

  const spec = (row: Row, perPage: number): SnapshotSpec => ({
    name: "matrix",
    endpoint: "coins/markets",
    params: { vs_currency: "usd", per_page: perPage },
    key: `matrix/${row.name.replace(/[^a-z0-9]+/gi, "-")}.json`,
    maxBytes: row.maxBytes,
  });

  it.each(rows)("$name", async (row) => {
    const plan = row.plan ?? "demo";
    const source = {
      plan,
      apiKey: plan === "public" ? undefined : CANARY_KEY,
      baseUrl: api.baseUrl,
    };
    const target = { bucket: BUCKET, endpoint: proxy.endpoint, forcePathStyle: true };
    const client = createS3Client(target, { maxAttempts: 3 });
    const common = {
      s3: client,
      retry: {
        ...FAST_RETRY,
        requestTimeoutMs: row.requestTimeoutMs ?? FAST_RETRY.requestTimeoutMs,
      },
      rateWindowMs: 1000,
      log: (l: string) => logs.push(l),
    };
    try {
      // A good object first, written without faults; then an update whose payload differs.
      api.reset();
      api.setOptions({ gzip: false });
      proxy.reset();
      const good = await runSnapshot(spec(row, 40), source, target, common);
      const before = await readObject(s3.client, BUCKET, good.key);
      expect(before?.metadata.sha256).toBe(good.sha256);

      api.reset();
      proxy.reset();
      for (const fault of row.faults ?? []) {
        api.pushFault(fault);
      }
      if (row.redirectOffHost) {
        api.pushFault({
          kind: "redirect",
          location: `${other.baseUrl}/coins/markets?per_page=50&vs_currency=usd`,
        });
      }
      api.setOptions({ gzip: row.gzip ?? false });
      if (row.s3Fault) {
        proxy.setFault(row.s3Fault);
      }
      if (row.s3Down) {
        await proxy.down();
      }
      const { sleeps, sleep } = recordingSleep();
      let outcome: SnapshotResult | SnapshotError;
      try {
        outcome = await runSnapshot(spec(row, 50), source, target, {
          ...common,
          sleep,
          previous: { etag: good.etag, sha256: good.sha256 },
        });
        results.push(outcome);
      } catch (error) {
        expect(error).toBeInstanceOf(SnapshotError);
        outcome = error as SnapshotError;
        errors.push(outcome.message);
      } finally {
        await proxy.up();
        proxy.setFault(undefined);
      }

      const after = await readObject(s3.client, BUCKET, good.key);
      if ("ok" in row.expect) {
        expect(outcome).not.toBeInstanceOf(SnapshotError);
        const result = outcome as SnapshotResult;
        expect(result).toMatchObject({ unchanged: false, itemCount: 50 });
        expect(after?.metadata.sha256).toBe(result.sha256);
        expect(after?.body.length).toBe(result.bytes);
        if (row.expect.apiRequests !== undefined) {
          expect(api.count("/coins/markets")).toBe(row.expect.apiRequests);
        }
        if (row.expect.puts !== undefined) {
          expect(proxy.count("PUT")).toBe(row.expect.puts);
        }
        if (row.expect.sleptAtLeast !== undefined) {
          expect(Math.max(...sleeps)).toBeGreaterThanOrEqual(row.expect.sleptAtLeast);
        }
      } else {
        expect(outcome).toBeInstanceOf(SnapshotError);
        const error = outcome as SnapshotError;
        expect({ kind: error.kind, message: error.message }).toEqual({
          kind: row.expect.kind,
          message: expect.stringContaining(row.expect.message),
        });
        expect(error.message).toContain('Snapshot "matrix"');
        if (row.expect.apiRequests !== undefined) {
          expect(api.count("/coins/markets")).toBe(row.expect.apiRequests);
        }
        // Nothing lost: the previous object is exactly as it was.
        expect(after?.body.equals(before!.body)).toBe(true);
        expect(after?.etag).toBe(before?.etag);
        expect(after?.metadata).toEqual(before?.metadata);
      }
      if (row.redirectOffHost) {
        expect(other.requests).toHaveLength(0);
      }
      // The key travels only in the demo/pro header, on every request that reached the API.
      for (const request of api.requests) {
        const header = plan === "pro" ? "x-cg-pro-api-key" : "x-cg-demo-api-key";
        expect(request.headers[header]).toBe(plan === "public" ? undefined : CANARY_KEY);
        expect(request.url).not.toContain(CANARY_KEY);
      }
      for (const request of proxy.requests) {
        expect(JSON.stringify(request)).not.toContain(CANARY_KEY);
      }
      expect(JSON.stringify(after?.metadata ?? {})).not.toContain(CANARY_KEY);
    } finally {
      client.destroy();
    }
  });

  it("never puts the key in an error, a log line or a result", () => {
    expect(errors.length).toBeGreaterThan(20);
    expect(logs.length).toBeGreaterThan(10);
    for (const text of [...errors, ...logs, ...results.map((r) => JSON.stringify(r))]) {
      expect(text).not.toContain(CANARY_KEY);
    }
  });
});
