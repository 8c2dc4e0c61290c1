import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import {
  createS3Client,
  defaultFetch,
  runSnapshot,
  SnapshotError,
  type FetchLike,
} from "@api-s3-load/snapshot-engine";
import { startFaultProxy, type FaultProxy } from "../helpers/faultProxy";
import { CANARY_KEY, FAST_RETRY, useApiAndS3 } from "./engineHarness";

/**
 * The HEAD of the stored object runs beside the fetch (issue 20): sent after the first pages'
 * requests, read only once the fetch succeeded, and finished or abandoned before a failed run
 * returns, so a failed fetch still fails with its own error and no S3 request outlives the run.
 */
const BUCKET = "head-ahead";

describe("the HEAD beside the fetch", () => {
  const env = useApiAndS3(BUCKET);
  let proxy: FaultProxy;
  let n = 0;

  beforeAll(async () => {
    proxy = await startFaultProxy(env.s3.endpoint);
  });
  afterAll(() => proxy.stop());
  beforeEach(() => proxy.reset());

  const spec = (pages: number) => ({
    name: "ahead",
    endpoint: "coins/markets",
    params: { vs_currency: "usd", per_page: 5 },
    pages,
    key: `ahead/${(n += 1)}.json`,
  });
  const source = () => ({ plan: "demo" as const, apiKey: CANARY_KEY, baseUrl: env.api.baseUrl });
  const target = () => ({ bucket: BUCKET, endpoint: proxy.endpoint, forcePathStyle: true });

  it("is sent after the first pages' requests, and the write still uses it", async () => {
    const order: string[] = [];
    const fetch = defaultFetch();
    const recording: FetchLike = (url, init) => {
      order.push(`GET page ${new URL(url).searchParams.get("page")}`);
      return fetch(url, init);
    };
    const s3 = createS3Client(target());
    s3.middlewareStack.add(
      (next, context) => (args) => {
        order.push(context.commandName ?? "?");
        return next(args);
      },
      { step: "initialize" },
    );
    try {
      const result = await runSnapshot(spec(4), source(), target(), {
        s3,
        fetch: recording,
        retry: FAST_RETRY,
        rateWindowMs: 1000,
        pageConcurrency: 4,
      });
      expect(order.slice(0, 5)).toEqual([
        "GET page 1",
        "GET page 2",
        "GET page 3",
        "GET page 4",
        "HeadObjectCommand",
      ]);
      expect(order.filter((o) => o === "HeadObjectCommand")).toHaveLength(1);
      expect(order[order.length - 1]).toBe("PutObjectCommand");
      expect(result.itemCount).toBe(20);
      expect(proxy.count("HEAD")).toBe(1);
      expect(proxy.count("PUT")).toBe(1);
    } finally {
      s3.destroy();
    }
  });

  it("has ended when a failed fetch returns its own error, and nothing was written", async () => {
    env.api.pushFault({ kind: "error-body", status: 400, shape: "flat", message: "bad params" });
    const s3 = createS3Client(target());
    try {
      const error = await runSnapshot(spec(1), source(), target(), {
        s3,
        retry: FAST_RETRY,
        rateWindowMs: 1000,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SnapshotError);
      expect((error as SnapshotError).kind).toBe("http");
      const headsAtReturn = proxy.count("HEAD");
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(proxy.count("HEAD")).toBe(headsAtReturn);
      expect(headsAtReturn).toBeLessThanOrEqual(1);
      expect(proxy.count("PUT")).toBe(0);
    } finally {
      s3.destroy();
    }
  });

  it("is abandoned when S3 does not answer, so the fetch's error is not held up", async () => {
    // An "S3" that accepts connections and never answers.
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    env.api.pushFault({ kind: "error-body", status: 400, shape: "flat", message: "bad params" });
    const s3 = createS3Client({ endpoint, forcePathStyle: true });
    try {
      const error = await runSnapshot(
        spec(1),
        source(),
        { bucket: BUCKET, endpoint, forcePathStyle: true },
        { s3, retry: FAST_RETRY, rateWindowMs: 1000 },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SnapshotError);
      expect((error as SnapshotError).kind).toBe("http");
      expect((error as SnapshotError).message).toContain("bad params");
    } finally {
      s3.destroy();
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
