import { defaultFetch, TruncatedBodyError } from "../../packages/snapshot-engine/src/transport";
import type { FetchResponseLike } from "../../packages/snapshot-engine/src/transport";
import { marketsItem, startFakeCoingecko } from "../helpers/fakeCoingecko";
import type { FakeCoingecko } from "../helpers/fakeCoingecko";

/** Reads a body to its end; resolves with its bytes or rejects with the stream's error. */
async function drain(response: FetchResponseLike): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response.body ?? []) {
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function get(url: string, signal = new AbortController().signal): Promise<FetchResponseLike> {
  return defaultFetch()(url, {
    method: "GET",
    headers: { accept: "application/json", "accept-encoding": "gzip, deflate" },
    redirect: "manual",
    signal,
    compress: true,
  });
}

const TEN_ITEMS = JSON.stringify(Array.from({ length: 10 }, (_, i) => marketsItem(i)));

describe("defaultFetch: node-fetch 2 with a guard against bodies cut short", () => {
  let api: FakeCoingecko;
  const markets = (page: number) =>
    `${api.baseUrl}/coins/markets?vs_currency=usd&per_page=10&page=${page}`;

  beforeAll(async () => {
    api = await startFakeCoingecko();
  });
  beforeEach(() => api.reset());
  afterAll(() => api.stop());

  it("fails a Content-Length body cut in half with the bytes received and announced", async () => {
    api.setFault({ kind: "truncated", framing: "content-length" });
    const response = await get(markets(1));
    const half = Math.floor(TEN_ITEMS.length / 2);
    const error = await drain(response).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TruncatedBodyError);
    expect(error).toMatchObject({ receivedBytes: half, declaredBytes: TEN_ITEMS.length });
    expect((error as Error).message).toBe(
      `the connection closed before the body was complete (${half} of the ${TEN_ITEMS.length} bytes its Content-Length announced)`,
    );
  });

  it("compares the encoded bytes with Content-Length when the body is gzip", async () => {
    api.setFault({ kind: "truncated", framing: "content-length", gzip: true });
    const response = await get(markets(1));
    const error = await drain(response).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TruncatedBodyError);
    const { receivedBytes, declaredBytes } = error as TruncatedBodyError;
    expect(declaredBytes).toBeLessThan(TEN_ITEMS.length);
    expect(receivedBytes).toBe(Math.floor(declaredBytes! / 2));
  });

  it("fails a chunked body cut short, which carries no Content-Length", async () => {
    api.setFault({ kind: "truncated" });
    const error = await drain(await get(markets(1))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TruncatedBodyError);
    expect(error).toMatchObject({ declaredBytes: undefined });
  });

  it("reports a cut only to the request it happened to, with others in flight", async () => {
    api.setOptions({ latencyMs: 20, gzip: true });
    try {
      api.setFault({ kind: "truncated", framing: "content-length", match: "page=2" });
      const outcomes = await Promise.all(
        [1, 2, 3, 4].map(async (page) =>
          drain(await get(markets(page))).then(
            (body) => JSON.parse(body.toString()) as unknown[],
            (error: unknown) => error,
          ),
        ),
      );
      expect(outcomes[1]).toBeInstanceOf(TruncatedBodyError);
      for (const page of [0, 2, 3]) {
        expect(outcomes[page]).toEqual(
          Array.from({ length: 10 }, (_, i) => marketsItem(page * 10 + i)),
        );
      }
    } finally {
      api.setOptions({ latencyMs: 0, gzip: false });
    }
  });

  it("reads complete bodies on reused connections without a false alarm", async () => {
    for (let round = 0; round < 5; round += 1) {
      const body = await drain(await get(markets(1)));
      expect(body.toString()).toBe(TEN_ITEMS);
    }
  });

  it("leaves an abort of the caller's own to node-fetch's AbortError", async () => {
    api.setFault({ kind: "stall" });
    const controller = new AbortController();
    const response = await get(markets(1), controller.signal);
    const pending = drain(response).catch((e: unknown) => e);
    controller.abort();
    const error = await pending;
    expect(error).not.toBeInstanceOf(TruncatedBodyError);
    expect((error as Error).name).toBe("AbortError");
  });
});
