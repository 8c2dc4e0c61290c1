/**
 * Reading S3 resource policy documents: parsing and recognising the TLS-only Deny statement. Whether
 * a statement is public is decided in `publicStatement.ts`. Pure: plain data in, plain data out.
 */
import { asList, isRecord, stringsOf } from "./known";

export type Statement = Record<string, unknown>;

/** A policy document as statements, or why it could not be read. */
export type ParsedPolicy = { ok: true; statements: Statement[] } | { ok: false; reason: string };

/**
 * Statements of a policy given as JSON text (what `aws.s3.BucketPolicy.policy` usually holds) or as
 * an object (`aws.iam.PolicyDocument`). `Statement` may be a single object or a list.
 */
export function parsePolicy(policy: unknown): ParsedPolicy {
  let doc: unknown = policy;
  if (typeof policy === "string") {
    try {
      doc = JSON.parse(policy);
    } catch {
      return { ok: false, reason: "is not valid JSON" };
    }
  }
  if (!isRecord(doc)) {
    return { ok: false, reason: "is not a JSON object with a Statement list" };
  }
  const statements = asList(doc["Statement"]);
  if (!statements.every(isRecord)) {
    return { ok: false, reason: "has a Statement entry that is not an object" };
  }
  return { ok: true, statements };
}

/** True when `principal` is everyone: `"*"`, or any principal type (`AWS`, …) listing `"*"`. */
export function isWildcardPrincipal(principal: unknown): boolean {
  if (principal === "*") {
    return true;
  }
  return isRecord(principal) && Object.values(principal).some((v) => stringsOf(v).includes("*"));
}

/** "statement 0 (Sid \"PublicRead\")", for messages. */
export function describeStatement(s: { index: number; sid?: string }): string {
  return s.sid ? `statement ${s.index} (Sid "${s.sid}")` : `statement ${s.index}`;
}

/**
 * True when `statement` denies every S3 action to everyone over plain HTTP
 * (`Condition: {Bool: {"aws:SecureTransport": "false"}}`) on both the bucket and its objects.
 */
export function isTlsOnlyDeny(statement: Statement): boolean {
  if (
    String(statement["Effect"]).toLowerCase() !== "deny" ||
    !isWildcardPrincipal(statement["Principal"])
  ) {
    return false;
  }
  const actions = stringsOf(statement["Action"]).map((a) => a.toLowerCase());
  if (!actions.includes("s3:*") && !actions.includes("*")) {
    return false;
  }
  const condition = statement["Condition"];
  const bool = isRecord(condition)
    ? Object.entries(condition).find(([op]) => op.toLowerCase() === "bool")?.[1]
    : undefined;
  const secure = isRecord(bool)
    ? Object.entries(bool).find(([key]) => key.toLowerCase() === "aws:securetransport")?.[1]
    : undefined;
  if (!asList(secure).some((v) => String(v).toLowerCase() === "false")) {
    return false;
  }
  const resources = stringsOf(statement["Resource"]);
  const coversAll = resources.includes("*");
  const coversBucket = resources.some((r) => /^arn:[^:]+:s3:::[^/]+$/.test(r));
  const coversObjects = resources.some((r) => /^arn:[^:]+:s3:::[^/]+\/\*$/.test(r));
  return coversAll || (coversBucket && coversObjects);
}
