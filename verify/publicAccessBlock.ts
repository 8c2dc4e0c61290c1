import type { S3Client } from "@aws-sdk/client-s3";
import { guardRailFailure, redeployFix } from "./guardRailError";
import { fail, pass, type CheckResult } from "./result";

const CHECK = "public-access-block";
const FLAGS = [
  "BlockPublicAcls",
  "IgnorePublicAcls",
  "BlockPublicPolicy",
  "RestrictPublicBuckets",
] as const;

/** All four public-access-block flags must be true on the bucket. */
export async function checkPublicAccessBlock(s3: S3Client, bucket: string): Promise<CheckResult> {
  const { GetPublicAccessBlockCommand } = await import("@aws-sdk/client-s3");
  const fix = redeployFix("public-access-block");
  try {
    const response = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    const config = response.PublicAccessBlockConfiguration ?? {};
    const off = FLAGS.filter((flag) => config[flag] !== true);
    if (off.length > 0) {
      return fail(CHECK, `${bucket} has ${off.join(", ")} not true`, fix);
    }
    return pass(CHECK, `${bucket} blocks public ACLs and policies (all four flags true)`);
  } catch (err) {
    return guardRailFailure(err, {
      check: CHECK,
      call: "GetPublicAccessBlock",
      action: "s3:GetBucketPublicAccessBlock",
      bucket,
      missingCode: "NoSuchPublicAccessBlockConfiguration",
      missingDetail: `${bucket} has no public access block`,
      fix,
    });
  }
}
