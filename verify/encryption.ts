import type { S3Client } from "@aws-sdk/client-s3";
import { guardRailFailure, redeployFix } from "./guardRailError";
import { fail, pass, type CheckResult } from "./result";

const CHECK = "default-encryption";
const ACCEPTED = new Set(["AES256", "aws:kms", "aws:kms:dsse"]);

/** The bucket encrypts new objects by default with SSE-S3 or SSE-KMS. */
export async function checkEncryption(s3: S3Client, bucket: string): Promise<CheckResult> {
  const { GetBucketEncryptionCommand } = await import("@aws-sdk/client-s3");
  const fix = redeployFix("encryption");
  try {
    const response = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    const rules = response.ServerSideEncryptionConfiguration?.Rules ?? [];
    const rule = rules.find((r) =>
      ACCEPTED.has(r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? ""),
    );
    if (!rule) {
      return fail(CHECK, `${bucket} has no default encryption rule with AES256 or aws:kms`, fix);
    }
    const byDefault = rule.ApplyServerSideEncryptionByDefault;
    const key = byDefault?.KMSMasterKeyID ? ` with key ${byDefault.KMSMasterKeyID}` : "";
    const bucketKey = rule.BucketKeyEnabled ? ", bucket key on" : "";
    return pass(CHECK, `${bucket} encrypts with ${byDefault?.SSEAlgorithm}${key}${bucketKey}`);
  } catch (err) {
    return guardRailFailure(err, {
      check: CHECK,
      call: "GetBucketEncryption",
      action: "s3:GetEncryptionConfiguration",
      bucket,
      missingCode: "ServerSideEncryptionConfigurationNotFoundError",
      missingDetail: `${bucket} has no default encryption`,
      fix,
    });
  }
}
