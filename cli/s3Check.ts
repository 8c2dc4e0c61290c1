/**
 * `npm start` against an S3 endpoint it does not run itself (an emulator named by the stack's
 * `aws:endpoints` or by `--s3-endpoint`): one look at the bucket before anything is fetched, so a
 * wrong scheme, a server that is not running, a missing bucket or a bucket policy that refuses
 * plain http is one sentence with its fix, not an SDK error after a fetch.
 */
import {
  GetBucketPolicyCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";

/** Where the endpoint was named, for messages: `--s3-endpoint`, or the stack file's entry. */
export interface EndpointSource {
  endpoint: string;
  /** e.g. "`--s3-endpoint`" or "`aws:endpoints` in Pulumi.local.yaml" */
  origin: string;
  bucket: string;
  /** The stack whose `aws:endpoints` named the endpoint; undefined for `--s3-endpoint`. */
  stack?: string;
  /** Path-style addressing; without it the SDK puts the bucket name before the host. */
  forcePathStyle: boolean;
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * HEADs the bucket and the first object key; throws an Error whose message says what is wrong
 * with the endpoint or bucket and how to fix it. A missing object is fine: the run writes it.
 */
export async function checkS3Endpoint(
  client: S3Client,
  source: EndpointSource,
  firstKey: string,
): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: source.bucket }));
  } catch (error) {
    throw await describeS3Failure(client, source, error, "HeadBucket", true);
  }
  try {
    await client.send(new HeadObjectCommand({ Bucket: source.bucket, Key: firstKey }));
  } catch (error) {
    if ((error as SdkError).$metadata?.httpStatusCode !== 404) {
      throw await describeS3Failure(client, source, error, "HeadObject", false);
    }
  }
}

/**
 * A sentence for an S3 failure at an endpoint `npm start` was pointed at. `bucketCall` says a 404
 * is about the bucket (HeadBucket), not an object.
 */
export async function describeS3Failure(
  client: S3Client,
  source: EndpointSource,
  error: unknown,
  call: string,
  bucketCall: boolean,
): Promise<Error> {
  const e = error as SdkError;
  const status = e.$metadata?.httpStatusCode;
  const text = `${e.code ?? ""} ${e.name ?? ""} ${e.message ?? ""}`;
  const { endpoint, origin, bucket } = source;
  const url = new URL(endpoint);
  if (/EPROTO|wrong version number|ERR_SSL/i.test(text) && url.protocol === "https:") {
    return new Error(
      `The TLS handshake with ${url.origin} failed: the S3 server there does not speak https. If it is a plain-HTTP server, use http://${url.host} as the S3 endpoint (${origin}) instead of https://.`,
    );
  }
  const tls = tlsProblem(text, url, origin);
  if (tls !== undefined) {
    return new Error(tls);
  }
  if (/ECONNREFUSED/.test(text)) {
    return new Error(
      `Nothing accepted the connection to the S3 endpoint ${url.origin} (ECONNREFUSED), named by ${origin}. Start the emulator there (${startEmulator(url)}), or fix the endpoint's host and port.`,
    );
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) {
    return new Error(
      source.forcePathStyle
        ? `The host of the S3 endpoint ${url.origin} (${origin}) could not be found (DNS). Check it for a typo.`
        : `The host ${bucket}.${url.hostname} could not be found (DNS): without path-style addressing the bucket name goes before the endpoint's host, which an emulator's address cannot take. Set \`aws:s3UsePathStyle: true\` in the stack file for an emulator, as Pulumi.local.yaml does.`,
    );
  }
  if (bucketCall && (status === 404 || e.name === "NotFound" || e.name === "NoSuchBucket")) {
    return new Error(missingBucket(source));
  }
  if (status === 403) {
    return new Error(await forbidden(client, source, call));
  }
  return new Error(
    `S3 at ${url.origin} (${origin}) answered ${call} of bucket "${bucket}" with ${e.name ?? "an error"}${status ? ` (HTTP ${status})` : ""}: ${(e.message ?? "").split("\n")[0].slice(0, 200)}`,
  );
}

/** How to start an emulator at `url`: over https, moto with a certificate (LocalStack serves both). */
function startEmulator(url: URL): string {
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const moto =
    url.protocol === "https:"
      ? `moto: \`moto_server -p ${port} --ssl-cert cert.pem --ssl-key key.pem\`, with the certificate from docs/operations.md, "The local stack"`
      : `moto: \`moto_server -p ${port}\``;
  return `${moto}; LocalStack: \`docker run --rm -p ${port}:4566 localstack/localstack\``;
}

/** Node's codes for a certificate chain it does not trust. */
const UNTRUSTED_CERTIFICATE =
  /\b(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_GET_ISSUER_CERT|CERT_UNTRUSTED)\b/;

/**
 * The sentence for a TLS mismatch with an emulator, or undefined: a plain-http request meeting an
 * https-only server (it hangs up without an answer), a certificate Node does not trust (Node's own
 * message suggests `--use-system-ca`, which does not help with a certificate made for the emulator),
 * or one that does not name the endpoint's host.
 */
function tlsProblem(text: string, url: URL, origin: string): string | undefined {
  if (url.protocol === "http:" && /ECONNRESET|socket hang up/i.test(text)) {
    return `The S3 endpoint ${url.origin} (${origin}) closed the connection without answering (ECONNRESET, "socket hang up"), which is what a server that speaks only https does with a plain-http request. If the emulator serves https (moto_server with --ssl-cert and --ssl-key), name it with https://${url.host} instead of http://.`;
  }
  if (url.protocol !== "https:") {
    return undefined;
  }
  const untrusted = UNTRUSTED_CERTIFICATE.exec(text);
  if (untrusted) {
    return `Node does not trust the certificate of the S3 endpoint ${url.origin} (${origin}): ${untrusted[1]}. Give Node that certificate (or the CA that signed it) in NODE_EXTRA_CA_CERTS when you start the command, e.g. \`NODE_EXTRA_CA_CERTS=$PWD/cert.pem npm start -- --stack local\` (docs/operations.md, "The local stack").`;
  }
  if (/ERR_TLS_CERT_ALTNAME_INVALID/.test(text)) {
    return `The certificate of the S3 endpoint ${url.origin} (${origin}) does not name the host ${url.hostname} (ERR_TLS_CERT_ALTNAME_INVALID): make one whose subjectAltName includes it (docs/operations.md, "The local stack", has the openssl command), or use a host name the certificate names.`;
  }
  return undefined;
}

function missingBucket({ endpoint, bucket, stack }: EndpointSource): string {
  const root = endpoint.replace(/\/+$/, "");
  // `pulumi up` creates the bucket there only when the stack itself points at this endpoint.
  const withPulumi =
    stack === undefined
      ? ""
      : ` Create it with \`pulumi up --stack ${stack}\`, which also sets its guard rails, and pass the name it got: \`--bucket "$(pulumi stack output bucketName --stack ${stack})"\`.`;
  return `Bucket "${bucket}" does not exist at ${root}.${withPulumi} Without the Pulumi CLI, create an empty one: \`curl${root.startsWith("https:") ? " --cacert cert.pem" : ""} -X PUT ${root}/${bucket}\` (moto accepts it unsigned), or \`aws --endpoint-url ${root} s3 mb s3://${bucket}\` where the emulator checks signatures. Or pass an existing bucket with \`--bucket <name>\`.`;
}

/**
 * 403. The PrivateBucket component's TLS-only policy denies every request without TLS: over a
 * plain-http endpoint that is the cause, and credentials or IAM are not.
 */
async function forbidden(client: S3Client, source: EndpointSource, call: string): Promise<string> {
  const { endpoint, origin, bucket } = source;
  const url = new URL(endpoint);
  if (url.protocol === "http:") {
    const tlsOnly = await deniesPlainHttp(client, bucket);
    if (tlsOnly !== false) {
      const cause =
        tlsOnly === true
          ? `the bucket's policy denies every request made without TLS (aws:SecureTransport false), and ${url.origin} is plain http`
          : `${url.origin} is plain http, and a bucket made by the PrivateBucket component has a policy that denies every request made without TLS`;
      return `S3 denied ${call} on bucket "${bucket}" (HTTP 403): ${cause}. Serve the emulator over https and name it with https:// (${origin}): for moto, \`python test/helpers/motoServer.py -p ${url.port || "4566"} -c cert.pem -k key.pem\` with \`NODE_EXTRA_CA_CERTS=cert.pem\` (see docs/operations.md, "The local stack"); or use a bucket without that policy (\`--bucket\`).`;
    }
  }
  return `S3 at ${url.origin} denied ${call} on bucket "${bucket}" (HTTP 403): give the credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) s3:ListBucket on the bucket and s3:GetObject and s3:PutObject on its objects, or pass a bucket they may write with \`--bucket\`.`;
}

/** Whether the bucket policy denies requests without TLS; undefined when it cannot be read. */
async function deniesPlainHttp(client: S3Client, bucket: string): Promise<boolean | undefined> {
  let policy: string | undefined;
  try {
    policy = (await client.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;
  } catch (error) {
    const name = (error as SdkError).name;
    return name === "NoSuchBucketPolicy" ? false : undefined;
  }
  try {
    const statements = (JSON.parse(policy ?? "{}") as { Statement?: unknown }).Statement;
    const list = Array.isArray(statements) ? statements : [statements];
    return list.some((statement) => {
      const s = statement as {
        Effect?: string;
        Condition?: Record<string, Record<string, unknown>>;
      };
      const secure = s?.Condition?.Bool?.["aws:SecureTransport"];
      return s?.Effect === "Deny" && String(secure) === "false";
    });
  } catch {
    return undefined;
  }
}
