import { createHash, randomBytes } from "node:crypto";
import { createServer, request as httpRequest } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One request as the proxy received it. Header names are lower-case. */
export interface ProxiedRequest {
  method: string;
  /** Path and query, such as `/bucket/coingecko/x.json`. */
  path: string;
  headers: Record<string, string>;
  /** For PUTs that carried `x-amz-checksum-sha256`: whether the body matched it. */
  checksumValid?: boolean;
  /**
   * For checksummed PUTs whose `x-amz-content-sha256` is a hash (not UNSIGNED-PAYLOAD): whether the
   * body matched it.
   */
  payloadHashValid?: boolean;
  /** What the client got: an S3 status, or 0 when the connection was dropped. */
  status: number;
}

/**
 * A misbehaviour of S3. `times` limits it to the next matching requests (default: all);
 * `method` limits it to one HTTP method.
 */
export type ProxyFault = (
  | { kind: "slow-down" }
  | { kind: "access-denied" }
  | { kind: "no-such-bucket" }
  /** Accepts the connection and destroys it. */
  | { kind: "reset" }
  /** Flips one byte of a PUT body on its way, so the checksum no longer matches (BadDigest). */
  | { kind: "corrupt-body" }
) & { times?: number; method?: string };

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it to the S3 client as its endpoint. */
  endpoint: string;
  requests: ProxiedRequest[];
  /** Replaces the current fault (or clears it). */
  setFault(fault?: ProxyFault): void;
  /** Closes the listening socket so connections are refused; `up()` listens again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  /** Requests with this method (all when omitted). */
  count(method?: string): number;
  reset(): void;
  stop(): Promise<void>;
}

function s3ErrorXml(code: string, message: string, resource: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><Resource>${resource}</Resource><RequestId>${randomBytes(8).toString("hex").toUpperCase()}</RequestId><HostId>${randomBytes(24).toString("base64")}</HostId></Error>`;
}

const ERRORS = {
  "slow-down": { status: 503, code: "SlowDown", message: "Please reduce your request rate." },
  "access-denied": { status: 403, code: "AccessDenied", message: "Access Denied" },
  "no-such-bucket": {
    status: 404,
    code: "NoSuchBucket",
    message: "The specified bucket does not exist",
  },
  "bad-digest": {
    status: 400,
    code: "BadDigest",
    message: "The SHA256 you specified did not match the calculated checksum.",
  },
  "content-sha256-mismatch": {
    status: 400,
    code: "XAmzContentSHA256Mismatch",
    message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
  },
} as const;

/**
 * Starts an HTTP proxy on 127.0.0.1 in front of an S3-compatible server (s3rver), forwarding
 * requests unchanged (so SigV4 signatures stay valid) except when a fault says otherwise.
 *
 * Like real S3 and unlike s3rver, it verifies `x-amz-checksum-sha256` against the body of every
 * PUT and answers S3's `BadDigest` error on a mismatch, so the engine's checksum is really tested;
 * on such a PUT likewise the signed payload hash `x-amz-content-sha256` (`XAmzContentSHA256Mismatch`),
 * which the engine sets itself rather than let the SDK hash the body again.
 * Errors are S3's XML error documents (no body for HEAD, as S3 does).
 */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const requests: ProxiedRequest[] = [];
  let fault: (ProxyFault & { left: number }) | undefined;
  const sockets = new Set<Socket>();
  let port = 0;

  const takeFault = (method: string): ProxyFault | undefined => {
    if (!fault || fault.left <= 0 || (fault.method && fault.method !== method)) {
      return undefined;
    }
    const current = fault;
    current.left -= 1;
    if (current.left <= 0) {
      fault = undefined;
    }
    return current;
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const method = req.method ?? "GET";
      const record: ProxiedRequest = {
        method,
        path: req.url ?? "/",
        headers: Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [
            k,
            Array.isArray(v) ? v.join(", ") : (v ?? ""),
          ]),
        ),
        status: 0,
      };
      requests.push(record);
      let body = Buffer.concat(chunks);
      const fail = (error: { status: number; code: string; message: string }) => {
        record.status = error.status;
        const xml = method === "HEAD" ? "" : s3ErrorXml(error.code, error.message, record.path);
        res.writeHead(error.status, {
          "content-type": "application/xml",
          "content-length": Buffer.byteLength(xml),
        });
        res.end(xml);
      };

      const current = takeFault(method);
      if (current?.kind === "reset") {
        req.socket.destroy();
        return;
      }
      if (current && current.kind !== "corrupt-body") {
        fail(ERRORS[current.kind]);
        return;
      }
      if (current?.kind === "corrupt-body" && body.length > 0) {
        body = Buffer.from(body);
        body[Math.floor(body.length / 2)] ^= 0x01;
      }
      const claimed = record.headers["x-amz-checksum-sha256"];
      if (method === "PUT" && claimed !== undefined) {
        const digest = createHash("sha256").update(body).digest();
        record.checksumValid = digest.toString("base64") === claimed;
        if (!record.checksumValid) {
          fail(ERRORS["bad-digest"]);
          return;
        }
        // Checked with the same digest, so a PUT still costs the proxy one hash (a PUT without a
        // checksum, such as the benchmark floor's, none): the benchmark's floor is not slowed.
        const payloadHash = record.headers["x-amz-content-sha256"];
        if (/^[0-9a-f]{64}$/.test(payloadHash ?? "")) {
          record.payloadHashValid = digest.toString("hex") === payloadHash;
          if (!record.payloadHashValid) {
            fail(ERRORS["content-sha256-mismatch"]);
            return;
          }
        }
      }

      const forward = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method,
          path: req.url,
          headers: { ...req.headers, "content-length": String(body.length) },
        },
        (upstreamRes) => {
          record.status = upstreamRes.statusCode ?? 0;
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      forward.on("error", () => {
        record.status = 502;
        res.destroy();
      });
      forward.end(body);
    });
  };

  let server: Server = createServer(handler);
  const listen = async () => {
    server = createServer(handler);
    server.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  };
  const close = async () => {
    for (const socket of sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  await listen();
  let listening = true;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    setFault(next) {
      fault = next ? { ...next, left: next.times ?? Infinity } : undefined;
    },
    async down() {
      if (listening) {
        listening = false;
        await close();
      }
    },
    async up() {
      if (!listening) {
        await listen();
        listening = true;
      }
    },
    count(method) {
      return method === undefined
        ? requests.length
        : requests.filter((r) => r.method === method).length;
    },
    reset() {
      requests.length = 0;
      fault = undefined;
    },
    async stop() {
      if (listening) {
        listening = false;
        await close();
      }
    },
  };
}
