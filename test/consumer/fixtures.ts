/**
 * The producer stack's outputs as the consumer reads them (the stable contract of index.ts), for
 * one bucket holding the "coins-markets" snapshot. Each call returns a fresh object to change.
 */
import { SnapshotOutput } from "../../examples/consumer/producerOutputs";

/** A `snapshots` entry for `key` in `bucket`; `rest` holds the fields a test pins. */
export function snapshotOutput(
  bucket: string,
  key: string,
  rest: Omit<SnapshotOutput, "key" | "s3Uri">,
): SnapshotOutput {
  return { key, s3Uri: `s3://${bucket}/${key}`, ...rest };
}

/** The producer's stack outputs with `snapshot` as "coins-markets" and `readPolicyJson`. */
export function producerStackOutputs(
  bucket: string,
  snapshot: SnapshotOutput,
  readPolicyJson: string,
): Record<string, unknown> {
  return {
    bucketName: bucket,
    bucketArn: `arn:aws:s3:::${bucket}`,
    region: "eu-west-1",
    accountId: "123456789012",
    snapshots: { "coins-markets": snapshot },
    readPolicyJson,
  };
}
