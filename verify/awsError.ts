/**
 * Turns an AWS SDK error into plain words and a fix. The SDK's error `name` is the S3/STS error
 * code (`AccessDenied`, `NoSuchBucket`, ...); the fix depends on it more than on the message.
 */
export interface AwsErrorInfo {
  code: string;
  message: string;
  httpStatus?: number;
}

const ACCESS_KEY_ID = /\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\b/g;

/**
 * Removes credentials from text before it is printed: the values of the standard credential
 * variables, and anything shaped like an access key id. Secrets never reach a terminal or a CI log.
 */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const name of ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID"]) {
    const value = env[name];
    // Very short values (test doubles) would redact ordinary words; real ones are 16+ characters.
    if (value && value.length >= 8) {
      out = out.split(value).join("[redacted]");
    }
  }
  return out.replace(ACCESS_KEY_ID, "[redacted]");
}

export function awsErrorInfo(err: unknown): AwsErrorInfo {
  if (err instanceof Error) {
    const meta = (err as { $metadata?: { httpStatusCode?: number } }).$metadata;
    const code = (err as { Code?: unknown }).Code;
    return {
      code: typeof code === "string" && code ? code : err.name || "Error",
      message: redactSecrets(err.message || "no message").split("\n")[0],
      httpStatus: meta?.httpStatusCode,
    };
  }
  return { code: "Error", message: redactSecrets(String(err)) };
}

const CREDENTIAL_CODES = new Set([
  "CredentialsProviderError",
  "ProviderError",
  "TokenProviderError",
  "InvalidClientTokenId",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "ExpiredTokenException",
  "UnrecognizedClientException",
]);

const CREDENTIALS_FIX =
  "give this shell valid AWS credentials (`aws sso login --profile <p>` and `export AWS_PROFILE=<p>`, " +
  "or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment) and run again";

/**
 * A fix for errors any call can hit (credentials, permissions, a missing bucket, an endpoint that
 * lacks the API). Returns undefined when the caller knows better.
 *
 * @param action The IAM action of the failed call, e.g. `s3:GetBucketVersioning`.
 */
export function commonFix(info: AwsErrorInfo, action: string, bucket?: string): string | undefined {
  if (CREDENTIAL_CODES.has(info.code)) {
    return CREDENTIALS_FIX;
  }
  if (
    info.code === "AccessDenied" ||
    info.code === "AccessDeniedException" ||
    info.httpStatus === 403
  ) {
    return `allow \`${action}\`${bucket ? ` on arn:aws:s3:::${bucket}` : ""} for the identity shown by caller-identity, or run with credentials that have it`;
  }
  if (info.code === "NoSuchBucket") {
    return `check \`--bucket\` (or \`bucketName\` in the stack outputs) and \`--region\`; deploy the stack with \`pulumi up\` if the bucket was never created`;
  }
  if (info.code === "NotImplemented" || info.code === "MethodNotAllowed") {
    return `this endpoint does not implement \`${action}\` (S3 emulators such as s3rver lack it); run the check against AWS or LocalStack`;
  }
  if (info.code === "PermanentRedirect" || info.code === "AuthorizationHeaderMalformed") {
    return "pass the bucket's region with `--region` (it is the stack output `region`)";
  }
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN/.test(`${info.code} ${info.message}`)) {
    return "check the network and `--endpoint`; the S3/STS endpoint could not be reached";
  }
  if (/region is missing/i.test(info.message)) {
    return "pass `--region <region>` or set AWS_REGION";
  }
  return undefined;
}

export function errorDetail(info: AwsErrorInfo, call: string): string {
  return `${call} failed with ${info.code}${info.httpStatus ? ` (HTTP ${info.httpStatus})` : ""}: ${info.message}`;
}
