/** Compliant baselines shared by the verify tests; each test changes one thing. */
export const BUCKET = "api-s3-load-dev-snapshots";
export const KEY = "coingecko/coins-markets.json";

export function tlsOnlyPolicy(bucket = BUCKET): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/** An error shaped as the AWS SDK v3 throws it: `name` is the service's error code. */
export function awsError(code: string, status: number, message = `${code} message`): Error {
  return Object.assign(new Error(message), { name: code, $metadata: { httpStatusCode: status } });
}
