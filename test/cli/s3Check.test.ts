import { GetBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { describeS3Failure, type EndpointSource } from "../../cli/s3Check";

const source: EndpointSource = {
  endpoint: "http://localhost:4566",
  origin: "`aws:endpoints` in Pulumi.local.yaml",
  bucket: "api-s3-load-local",
  stack: "local",
  forcePathStyle: true,
};
const sdkError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} message`), {
    name,
    $metadata: { httpStatusCode: status },
    ...extra,
  });

describe("describeS3Failure: what npm start says about an emulator's endpoint", () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());
  afterAll(() => s3.restore());
  const describe3 = (error: unknown, over: Partial<EndpointSource> = {}, call = "HeadBucket") =>
    describeS3Failure(new S3Client({}), { ...source, ...over }, error, call, call === "HeadBucket");

  it("says why an emulator needs path-style addressing when the bucket's host name is unknown", async () => {
    const error = sdkError("Error", undefined, { code: "ENOTFOUND" });
    expect((await describe3(error, { forcePathStyle: false })).message).toBe(
      "The host api-s3-load-local.localhost could not be found (DNS): without path-style addressing the bucket name goes before the endpoint's host, which an emulator's address cannot take. Set `aws:s3UsePathStyle: true` in the stack file for an emulator, as Pulumi.local.yaml does.",
    );
    expect((await describe3(error)).message).toBe(
      "The host of the S3 endpoint http://localhost:4566 (`aws:endpoints` in Pulumi.local.yaml) could not be found (DNS). Check it for a typo.",
    );
  });

  it("offers `pulumi up` for a missing bucket only when the stack itself points at the endpoint", async () => {
    const missing = sdkError("NotFound", 404);
    expect((await describe3(missing)).message).toContain(
      "Create it with `pulumi up --stack local`, which also sets its guard rails",
    );
    expect((await describe3(missing, { stack: undefined })).message).toBe(
      'Bucket "api-s3-load-local" does not exist at http://localhost:4566. Without the Pulumi CLI, create an empty one: `curl -X PUT http://localhost:4566/api-s3-load-local` (moto accepts it unsigned), or `aws --endpoint-url http://localhost:4566 s3 mb s3://api-s3-load-local` where the emulator checks signatures. Or pass an existing bucket with `--bucket <name>`.',
    );
  });

  it("blames IAM for a 403 only when no TLS-only policy explains it", async () => {
    s3.on(GetBucketPolicyCommand).rejects(sdkError("NoSuchBucketPolicy", 404));
    expect((await describe3(sdkError("Forbidden", 403))).message).toBe(
      'S3 at http://localhost:4566 denied HeadBucket on bucket "api-s3-load-local" (HTTP 403): give the credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) s3:ListBucket on the bucket and s3:GetObject and s3:PutObject on its objects, or pass a bucket they may write with `--bucket`.',
    );
  });

  it("names the likely TLS-only policy over plain http when the policy cannot be read", async () => {
    s3.on(GetBucketPolicyCommand).rejects(sdkError("AccessDenied", 403));
    expect((await describe3(sdkError("Forbidden", 403))).message).toContain(
      "(HTTP 403): http://localhost:4566 is plain http, and a bucket made by the PrivateBucket component has a policy that denies every request made without TLS. Serve the emulator over https",
    );
  });

  it("names https for a plain-http request an https-only server hung up on", async () => {
    const hangUp = sdkError("TimeoutError", undefined, {
      code: "ECONNRESET",
      message: "socket hang up",
    });
    expect((await describe3(hangUp)).message).toBe(
      'The S3 endpoint http://localhost:4566 (`aws:endpoints` in Pulumi.local.yaml) closed the connection without answering (ECONNRESET, "socket hang up"), which is what a server that speaks only https does with a plain-http request. If the emulator serves https (moto_server with --ssl-cert and --ssl-key), name it with https://localhost:4566 instead of http://.',
    );
  });

  it.each([
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
  ])("names NODE_EXTRA_CA_CERTS for a certificate Node does not trust (%s)", async (code) => {
    const untrusted = sdkError("Error", undefined, {
      code,
      message:
        "self-signed certificate; if the root CA is installed locally, try running Node.js with --use-system-ca",
    });
    expect((await describe3(untrusted, { endpoint: "https://localhost:4566" })).message).toBe(
      `Node does not trust the certificate of the S3 endpoint https://localhost:4566 (\`aws:endpoints\` in Pulumi.local.yaml): ${code}. Give Node that certificate (or the CA that signed it) in NODE_EXTRA_CA_CERTS when you start the command, e.g. \`NODE_EXTRA_CA_CERTS=$PWD/cert.pem npm start -- --stack local\` (docs/operations.md, "The local stack").`,
    );
  });

  it("says the certificate must name the endpoint's host", async () => {
    const altname = sdkError("Error", undefined, { code: "ERR_TLS_CERT_ALTNAME_INVALID" });
    expect((await describe3(altname, { endpoint: "https://127.0.0.2:4566" })).message).toBe(
      'The certificate of the S3 endpoint https://127.0.0.2:4566 (`aws:endpoints` in Pulumi.local.yaml) does not name the host 127.0.0.2 (ERR_TLS_CERT_ALTNAME_INVALID): make one whose subjectAltName includes it (docs/operations.md, "The local stack", has the openssl command), or use a host name the certificate names.',
    );
  });

  it("says how to start moto over https when nothing listens at an https endpoint", async () => {
    const refused = sdkError("Error", undefined, { code: "ECONNREFUSED" });
    expect((await describe3(refused, { endpoint: "https://localhost:4566" })).message).toBe(
      'Nothing accepted the connection to the S3 endpoint https://localhost:4566 (ECONNREFUSED), named by `aws:endpoints` in Pulumi.local.yaml. Start the emulator there (moto: `moto_server -p 4566 --ssl-cert cert.pem --ssl-key key.pem`, with the certificate from docs/operations.md, "The local stack"; LocalStack: `docker run --rm -p 4566:4566 localstack/localstack`), or fix the endpoint\'s host and port.',
    );
  });

  it("passes anything else on with the call, the bucket and the server's words", async () => {
    expect((await describe3(sdkError("InternalError", 500), {}, "HeadObject")).message).toBe(
      'S3 at http://localhost:4566 (`aws:endpoints` in Pulumi.local.yaml) answered HeadObject of bucket "api-s3-load-local" with InternalError (HTTP 500): InternalError message',
    );
  });
});
