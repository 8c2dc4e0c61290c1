import type { S3Client } from "@aws-sdk/client-s3";
import { awsErrorInfo, commonFix, errorDetail } from "./awsError";
import { redeployFix } from "./guardRailError";
import { fail, pass, type CheckResult } from "./result";

const CHECK = "versioning";

/** Versioning keeps every earlier snapshot; it must be Enabled (Suspended keeps old ones only). */
export async function checkVersioning(s3: S3Client, bucket: string): Promise<CheckResult> {
  const { GetBucketVersioningCommand } = await import("@aws-sdk/client-s3");
  const fix = redeployFix("versioning");
  try {
    const response = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    if (response.Status === "Enabled") {
      return pass(CHECK, `${bucket} keeps every version`);
    }
    // S3 omits Status entirely for a bucket that never had versioning.
    return fail(CHECK, `${bucket} versioning is ${response.Status ?? "off (never enabled)"}`, fix);
  } catch (err) {
    const info = awsErrorInfo(err);
    return fail(
      CHECK,
      errorDetail(info, "GetBucketVersioning"),
      commonFix(info, "s3:GetBucketVersioning", bucket) ?? fix,
    );
  }
}
