/**
 * Reading S3 bucket policy documents: parsing, finding public Allow statements and recognising the
 * TLS-only Deny statement. Pure: plain data in, plain data out.
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

/**
 * Condition keys that, by default, narrow an open principal to known callers: one account or
 * organisation, named principals, a VPC or VPC endpoint, or the bucket's own access points (the
 * "delegate access control to access points" policy). AWS counts a fixed value of each as
 * non-public (Amazon S3 User Guide, "The meaning of public"; IAM Access Analyzer).
 */
export const DEFAULT_NARROWING_CONDITION_KEYS: readonly string[] = [
  "aws:PrincipalAccount",
  "aws:PrincipalOrgID",
  "aws:PrincipalArn",
  "aws:SourceAccount",
  "aws:SourceVpce",
  "aws:SourceVpc",
  "s3:DataAccessPointAccount",
  "s3:DataAccessPointArn",
];

// Positive-match operators only: a negated operator (StringNotEquals) or an `...IfExists` variant
// (true when the key is absent) leaves the statement open.
const NARROWING_OPERATORS = [
  "stringequals",
  "stringequalsignorecase",
  "stringlike",
  "arnequals",
  "arnlike",
];

/** True when `principal` is everyone: `"*"`, or any principal type (`AWS`, …) listing `"*"`. */
export function isWildcardPrincipal(principal: unknown): boolean {
  if (principal === "*") {
    return true;
  }
  return isRecord(principal) && Object.values(principal).some((v) => stringsOf(v).includes("*"));
}

/**
 * True when `principal` lets in callers nobody named: everyone (see `isWildcardPrincipal`) or any
 * identity of a web or SAML identity provider (`{"Federated": …}`), which AWS counts as public.
 */
export function isOpenPrincipal(principal: unknown): boolean {
  return (
    isWildcardPrincipal(principal) ||
    (isRecord(principal) &&
      Object.entries(principal).some(
        ([type, value]) => type.toLowerCase() === "federated" && stringsOf(value).length > 0,
      ))
  );
}

/**
 * True when `condition` restricts the request to specific values of one of `keys` with a
 * positive-match operator, and no value is a wildcard.
 */
export function hasNarrowingCondition(condition: unknown, keys: readonly string[]): boolean {
  if (!isRecord(condition)) {
    return false;
  }
  const wanted = keys.map((k) => k.toLowerCase());
  return Object.entries(condition).some(([operator, block]) => {
    if (!NARROWING_OPERATORS.includes(operator.toLowerCase()) || !isRecord(block)) {
      return false;
    }
    return Object.entries(block).some(([key, value]) => {
      const values = stringsOf(value);
      return (
        wanted.includes(key.toLowerCase()) &&
        values.length > 0 &&
        values.length === asList(value).length &&
        values.every((v) => v.trim() !== "" && !/[*?]/.test(v))
      );
    });
  });
}

/** An Allow statement open to everyone. */
export interface PublicStatement {
  index: number;
  sid?: string;
  /** The offending principal element, as the user wrote it. */
  principal: string;
}

/**
 * Allow statements whose principal is everyone (`Principal: "*"`, `{"AWS": "*"}`, a federated
 * identity provider, or any `NotPrincipal`, which allows everyone but the listed ones) and whose
 * condition does not narrow the request to one of `narrowingKeys`.
 */
export function publicAllowStatements(
  statements: readonly Statement[],
  narrowingKeys: readonly string[],
): PublicStatement[] {
  return statements.flatMap((statement, index) => {
    if (String(statement["Effect"]).toLowerCase() !== "allow") {
      return [];
    }
    let open: { principal: string } | undefined;
    if (isOpenPrincipal(statement["Principal"])) {
      open = { principal: `Principal ${JSON.stringify(statement["Principal"])}` };
    } else if (statement["NotPrincipal"] !== undefined) {
      open = { principal: `NotPrincipal ${JSON.stringify(statement["NotPrincipal"])}` };
    }
    if (open === undefined || hasNarrowingCondition(statement["Condition"], narrowingKeys)) {
      return [];
    }
    const sid = typeof statement["Sid"] === "string" ? statement["Sid"] : undefined;
    return [{ index, sid, principal: open.principal }];
  });
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
