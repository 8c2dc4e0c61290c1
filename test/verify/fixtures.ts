import {
  tlsOnlyPolicy as bucketTlsOnlyPolicy,
  type PolicyDocument,
} from "../../components/privateBucket/bucketPolicies";

/** Compliant baselines shared by the verify tests; each test changes one thing. */
export const BUCKET = "api-s3-load-dev-snapshots";
export const KEY = "coingecko/coins-markets.json";

/** The very policy the PrivateBucket component attaches, so verify is tested against what we deploy. */
export function tlsOnlyPolicy(bucket = BUCKET): PolicyDocument {
  return bucketTlsOnlyPolicy(`arn:aws:s3:::${bucket}`, "1.2");
}

/** An error shaped as the AWS SDK v3 throws it: `name` is the service's error code. */
export function awsError(code: string, status: number, message = `${code} message`): Error {
  return Object.assign(new Error(message), { name: code, $metadata: { httpStatusCode: status } });
}
