import type { S3Client } from "@aws-sdk/client-s3";
import { guardRailFailure, redeployFix } from "./guardRailError";
import { fail, pass, type CheckResult } from "./result";

const CHECK = "tls-only-policy";

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  if (value === undefined) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

/** `Bool`/`BoolIfExists` with `aws:SecureTransport` (keys are case-insensitive in IAM) = false. */
function deniesInsecureTransport(condition: unknown): boolean {
  if (!isRecord(condition)) {
    return false;
  }
  return Object.entries(condition).some(([operator, block]) => {
    if (!/^Bool(IfExists)?$/i.test(operator) || !isRecord(block)) {
      return false;
    }
    return Object.entries(block).some(
      ([key, value]) =>
        key.toLowerCase() === "aws:securetransport" &&
        list(value).some((v) => v === false || String(v).toLowerCase() === "false"),
    );
  });
}

function everyone(principal: unknown): boolean {
  if (principal === "*") {
    return true;
  }
  return isRecord(principal) && list(principal.AWS).includes("*");
}

/**
 * What the bucket policy lacks to deny every non-TLS request to the bucket and its objects.
 * Empty when a Deny statement for everyone on `s3:*` with `aws:SecureTransport = false` covers both
 * the bucket ARN and `<bucket ARN>/*`.
 */
export function tlsOnlyProblems(policyJson: string, bucket: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(policyJson);
  } catch {
    return ["the bucket policy is not valid JSON"];
  }
  const statements = isRecord(doc) ? list(doc.Statement).filter(isRecord) : [];
  const tlsDenies = statements.filter(
    (s) => s.Effect === "Deny" && deniesInsecureTransport(s.Condition),
  );
  if (tlsDenies.length === 0) {
    return ["no Deny statement with condition Bool aws:SecureTransport = false"];
  }
  const problems: string[] = [];
  const covering = tlsDenies.filter(
    (s) => everyone(s.Principal) && list(s.Action).some((a) => a === "s3:*" || a === "*"),
  );
  if (covering.length === 0) {
    problems.push(
      "the aws:SecureTransport Deny does not apply to every principal (`*`) and every action (`s3:*`)",
    );
  }
  const resources = new Set(covering.flatMap((s) => list(s.Resource).map(String)));
  const bucketArn = `arn:aws:s3:::${bucket}`;
  for (const needed of [bucketArn, `${bucketArn}/*`]) {
    if (covering.length > 0 && !resources.has(needed) && !resources.has("*")) {
      problems.push(`the aws:SecureTransport Deny does not cover ${needed}`);
    }
  }
  return problems;
}

/** The bucket policy denies every request that is not made over TLS. */
export async function checkTlsOnlyPolicy(s3: S3Client, bucket: string): Promise<CheckResult> {
  const { GetBucketPolicyCommand } = await import("@aws-sdk/client-s3");
  const fix = redeployFix("policy");
  try {
    const response = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    const problems = tlsOnlyProblems(response.Policy ?? "", bucket);
    if (problems.length > 0) {
      return fail(CHECK, `${bucket}: ${problems.join("; ")}`, fix);
    }
    return pass(CHECK, `${bucket} denies requests without TLS`);
  } catch (err) {
    return guardRailFailure(err, {
      check: CHECK,
      call: "GetBucketPolicy",
      action: "s3:GetBucketPolicy",
      bucket,
      missingCode: "NoSuchBucketPolicy",
      missingDetail: `${bucket} has no bucket policy, so plain-HTTP requests are allowed`,
      fix,
    });
  }
}
