import type { S3Client } from "@aws-sdk/client-s3";
import { awsErrorInfo, commonFix, errorDetail } from "./awsError";
import { fail, pass, type CheckResult } from "./result";

const CHECK = "list-buckets";
const SHOWN = 10;

/** The original script's first step: which buckets these credentials can see. */
export async function checkListBuckets(s3: S3Client, bucket?: string): Promise<CheckResult> {
  const { ListBucketsCommand } = await import("@aws-sdk/client-s3");
  try {
    const response = await s3.send(new ListBucketsCommand({}));
    const names = (response.Buckets ?? []).map((b) => b.Name ?? "").filter(Boolean);
    const shown = names.slice(0, SHOWN).join(", ");
    const more = names.length > SHOWN ? ` and ${names.length - SHOWN} more` : "";
    let detail = `${names.length} bucket(s) visible${names.length ? `: ${shown}${more}` : ""}`;
    if (bucket && !names.includes(bucket)) {
      // Not a failure: ListBuckets shows only the caller's own account, and may be paginated.
      detail += `; ${bucket} is not among them`;
    }
    return pass(CHECK, detail);
  } catch (err) {
    const info = awsErrorInfo(err);
    return fail(
      CHECK,
      errorDetail(info, "ListBuckets"),
      commonFix(info, "s3:ListAllMyBuckets") ?? "check the credentials, `--endpoint` and network",
    );
  }
}
