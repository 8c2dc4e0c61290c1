/**
 * Whether a resource-policy statement is public, decided the way S3's policy status decides it
 * (Amazon S3 User Guide, "Blocking public access to your Amazon S3 storage" → "The meaning of
 * public"): a statement that grants access is public unless the grant is limited to *fixed values*
 * (no wildcard, no policy variable) of keys that name the caller or its network, compared exactly.
 *
 * Every policy that reads a bucket, access point or other S3 resource policy asks this module, so
 * the pack has one definition of "public". The table behind it, key by key and operator by
 * operator with sources, is in docs/policy.md ("What counts as public").
 */
import { asList, isRecord, Read, stringsOf, tryRead } from "./known";
import type { Statement } from "./policyDocument";

/**
 * Where a policy is attached. S3 judges `s3:DataAccessPointArn` differently in the two: a bucket
 * policy may leave the access point name open (`…:accesspoint/*`) when the account is fixed (AWS's
 * "delegate access control to access points" example), an access point policy may not.
 */
export type PolicyContext = "bucket" | "accessPoint";

/**
 * Condition keys that, with a fixed value, narrow a grant to callers AWS does not count as the
 * public: the ones S3's policy status lists (aws:SourceIp, aws:SourceArn, aws:SourceVpc,
 * aws:SourceVpce, aws:SourceOwner, aws:SourceAccount, aws:userid, s3:DataAccessPointArn,
 * s3:DataAccessPointAccount) and the principal and organisation keys IAM Access Analyzer treats
 * the same way. Keys that do not name the caller or its network (s3:prefix, aws:CurrentTime,
 * encryption headers) are not here. docs/policy.md gives the source of each.
 */
export const DEFAULT_NARROWING_CONDITION_KEYS: readonly string[] = [
  "aws:PrincipalAccount",
  "aws:PrincipalArn",
  "aws:PrincipalOrgID",
  "aws:PrincipalOrgPaths",
  "aws:SourceAccount",
  "aws:SourceArn",
  "aws:SourceOwner",
  "aws:SourceOrgID",
  "aws:SourceOrgPaths",
  "aws:SourceVpc",
  "aws:SourceVpce",
  "aws:SourceIp",
  "aws:userid",
  "s3:DataAccessPointAccount",
  "s3:DataAccessPointArn",
];

/** Operators that compare a key with the listed values exactly. */
const EXACT_OPERATORS = ["stringequals", "stringequalsignorecase", "arnequals"];
/** Operators that match patterns: exact only when no value holds `*` or `?`. */
const PATTERN_OPERATORS = ["stringlike", "arnlike"];

/**
 * AWS counts an `aws:SourceIp` range broader than /8 (IPv4) or /32 (IPv6) as public ("The meaning
 * of public", note under aws:SourceIp).
 */
export const WIDEST_NON_PUBLIC_PREFIX = { ipv4: 8, ipv6: 32 } as const;

/** An operator split into its parts: `ForAnyValue:StringLikeIfExists` → any, stringlike, ifExists. */
interface Operator {
  set: "single" | "any" | "all";
  base: string;
  ifExists: boolean;
}

function parseOperator(operator: string): Operator {
  let rest = operator.toLowerCase();
  let set: Operator["set"] = "single";
  if (rest.startsWith("foranyvalue:")) {
    set = "any";
    rest = rest.slice("foranyvalue:".length);
  } else if (rest.startsWith("forallvalues:")) {
    set = "all";
    rest = rest.slice("forallvalues:".length);
  }
  const ifExists = rest.endsWith("ifexists");
  return { set, base: ifExists ? rest.slice(0, -"ifexists".length) : rest, ifExists };
}

/** A value with no wildcard and no policy variable: it matches one thing. */
export function isFixedValue(value: string): boolean {
  return value.trim() !== "" && !/[*?]/.test(value) && !value.includes("${");
}

/**
 * True when `cidr` (an address or a CIDR block) is no broader than AWS's limit for non-public
 * `aws:SourceIp` ranges. Anything that is not an address is treated as public.
 */
export function isNarrowSourceIp(cidr: string): boolean {
  const [address, prefixText, ...extra] = cidr.trim().split("/");
  if (extra.length > 0 || address === undefined) {
    return false;
  }
  const family = ipFamily(address);
  if (family === undefined) {
    return false;
  }
  const full = family === "ipv4" ? 32 : 128;
  if (prefixText === undefined) {
    return true;
  }
  if (!/^\d{1,3}$/.test(prefixText)) {
    return false;
  }
  const prefix = Number(prefixText);
  return prefix <= full && prefix >= WIDEST_NON_PUBLIC_PREFIX[family];
}

function ipFamily(address: string): "ipv4" | "ipv6" | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) {
    return v4.slice(1).every((octet) => Number(octet) <= 255) ? "ipv4" : undefined;
  }
  // Hex groups separated by colons, with at most one "::"; enough to tell an address from a typo.
  const groups = address.split(":");
  const ok =
    address.includes(":") &&
    (address.match(/::/g)?.length ?? 0) <= 1 &&
    groups.length <= 8 &&
    groups.every((g) => /^[0-9a-f]{0,4}$/i.test(g));
  return ok ? "ipv6" : undefined;
}

/**
 * `s3:DataAccessPointArn` in a bucket policy: the account (and partition and region) fixed, the
 * access point name free. S3 lets a bucket delegate to every access point of one account this way.
 */
function isAccountScopedAccessPointArn(value: string): boolean {
  const at = value.indexOf(":accesspoint/");
  if (at < 0) {
    return false;
  }
  return /^arn:[a-z-]+:s3:[a-z0-9-]+:\d{12}$/.test(value.slice(0, at));
}

/**
 * True when the condition `operator: {key: values}` narrows a grant: a positive, exact comparison
 * (no negation, no `…IfExists`, no `ForAllValues:`) of a narrowing key with fixed values only.
 */
export function conditionNarrows(
  operatorName: string,
  key: string,
  value: unknown,
  narrowingKeys: readonly string[],
  context: PolicyContext,
): boolean {
  const lowerKey = key.toLowerCase();
  if (!narrowingKeys.some((k) => k.toLowerCase() === lowerKey)) {
    return false;
  }
  const operator = parseOperator(operatorName);
  // ForAllValues is true for a request without the key; IfExists likewise.
  if (operator.ifExists || operator.set === "all") {
    return false;
  }
  const values = stringsOf(value);
  if (values.length === 0 || values.length !== asList(value).length) {
    return false;
  }
  if (lowerKey === "aws:sourceip") {
    return operator.base === "ipaddress" && values.every(isNarrowSourceIp);
  }
  if (EXACT_OPERATORS.includes(operator.base)) {
    return values.every(isFixedValue);
  }
  if (!PATTERN_OPERATORS.includes(operator.base)) {
    return false;
  }
  if (lowerKey === "s3:dataaccesspointarn" && context === "bucket") {
    return values.every((v) => isFixedValue(v) || isAccountScopedAccessPointArn(v));
  }
  return values.every(isFixedValue);
}

/** True when some condition of `condition` narrows the grant (conditions are AND-ed, so one is enough). */
export function hasNarrowingCondition(
  condition: unknown,
  narrowingKeys: readonly string[],
  context: PolicyContext,
): boolean {
  if (!isRecord(condition)) {
    return false;
  }
  return Object.entries(condition).some(
    ([operator, block]) =>
      isRecord(block) &&
      Object.entries(block).some(([key, value]) =>
        conditionNarrows(operator, key, value, narrowingKeys, context),
      ),
  );
}

/**
 * How the two principal forms the authorities disagree on are judged (docs/policy.md, "Where the
 * authorities disagree"). Only one is a choice a user can make; the other is fixed (see
 * `wildcardInsideArn`).
 */
export interface PrincipalOptions {
  /**
   * Counts `{"Federated": "arn:aws:iam::<account>:saml-provider/<name>"}` as public. Defaults to
   * false: a fixed SAML provider ARN is "a fixed AWS principal" in S3's sense, and only the users
   * its identity provider admits can sign in through it (unlike a web identity provider such as
   * accounts.google.com, where anyone can).
   */
  samlProvidersArePublic: boolean;
}

export const DEFAULT_PRINCIPAL_OPTIONS: PrincipalOptions = { samlProvidersArePublic: false };

/** A fixed IAM SAML identity provider ARN (no wildcard, no policy variable). */
const SAML_PROVIDER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:saml-provider\/[\w+=,.@/-]+$/;

/**
 * A principal ARN whose account is fixed but whose name holds a wildcard or a variable
 * (`arn:aws:iam::111122223333:role/*`): IAM refuses it ("You cannot use a wildcard to match part
 * of a principal name or ARN"), and S3 counts it as public (not a fixed value). The parts a
 * message needs to show the form AWS accepts.
 */
export interface WildcardInsideArn {
  partition: string;
  account: string;
  pattern: string;
}

const IAM_PRINCIPAL_ARN = /^arn:(aws[a-z-]*):(?:iam|sts)::(\d{12}):\S+$/;

/** Splits `value` when it is a fixed-account principal ARN with a wildcard in its name. */
export function wildcardInsideArn(value: string): WildcardInsideArn | undefined {
  const match = IAM_PRINCIPAL_ARN.exec(value);
  if (!match || !/[*?]/.test(value)) {
    return undefined;
  }
  return { partition: match[1], account: match[2], pattern: value };
}

/**
 * True when a principal value lets in callers nobody named: `"*"`, or any value with a wildcard or
 * a policy variable (`arn:aws:iam::*:root`, `arn:aws:iam::*:user/x`,
 * `arn:aws:iam::111122223333:role/*`), alone or beside fixed ones.
 */
function isOpenPrincipalValue(value: string): boolean {
  return !isFixedValue(value);
}

/** True when a `Federated` value lets in callers nobody named (every value but a SAML provider). */
function isOpenFederatedValue(value: unknown, options: PrincipalOptions): boolean {
  if (typeof value !== "string" || !isFixedValue(value)) {
    return true;
  }
  return options.samlProvidersArePublic || !SAML_PROVIDER_ARN.test(value);
}

/** The open part of a statement's principal, for messages. */
interface OpenPrincipal {
  /** The principal element as the user wrote it. */
  shown: string;
  /** Set when the only open values are fixed-account ARNs with a wildcard in the name. */
  wildcardInsideArn?: WildcardInsideArn;
}

/**
 * The open part of a statement's principal, or `undefined` when every principal is fixed. An
 * identity of a web identity provider (`{"Federated": "accounts.google.com"}`, an OIDC provider)
 * is open: anyone can sign in to it; a fixed SAML provider ARN is not, unless `options` say so.
 */
function openPrincipal(statement: Statement, options: PrincipalOptions): OpenPrincipal | undefined {
  if (statement["NotPrincipal"] !== undefined) {
    // In an Allow, NotPrincipal grants everyone but the listed principals.
    return { shown: `NotPrincipal ${JSON.stringify(statement["NotPrincipal"])}` };
  }
  const principal = statement["Principal"];
  const shown = `Principal ${JSON.stringify(principal)}`;
  if (typeof principal === "string") {
    return isOpenPrincipalValue(principal) ? { shown } : undefined;
  }
  if (!isRecord(principal)) {
    return undefined;
  }
  const openValues = Object.entries(principal).flatMap(([type, value]) =>
    asList(value).filter((v) =>
      type.toLowerCase() === "federated"
        ? isOpenFederatedValue(v, options)
        : typeof v !== "string" || isOpenPrincipalValue(v),
    ),
  );
  if (openValues.length === 0) {
    return undefined;
  }
  const inside = openValues.map((v) => (typeof v === "string" ? wildcardInsideArn(v) : undefined));
  const only = inside.every((w) => w !== undefined) ? inside[0] : undefined;
  return only === undefined ? { shown } : { shown, wildcardInsideArn: only };
}

/** The verdict on one statement. */
export type StatementVerdict =
  { public: false } | { public: true; principal: string; wildcardInsideArn?: WildcardInsideArn };

/**
 * Judges one statement: public when it allows an open principal (see `openPrincipal`) and no
 * condition narrows it to fixed callers. Deny statements never grant anything.
 */
export function judgeStatement(
  statement: Statement,
  narrowingKeys: readonly string[],
  context: PolicyContext,
  options: PrincipalOptions = DEFAULT_PRINCIPAL_OPTIONS,
): StatementVerdict {
  if (String(statement["Effect"]).toLowerCase() !== "allow") {
    return { public: false };
  }
  const principal = openPrincipal(statement, options);
  if (principal === undefined) {
    return { public: false };
  }
  if (hasNarrowingCondition(statement["Condition"], narrowingKeys, context)) {
    return { public: false };
  }
  return principal.wildcardInsideArn === undefined
    ? { public: true, principal: principal.shown }
    : { public: true, principal: principal.shown, wildcardInsideArn: principal.wildcardInsideArn };
}

/** A public statement, for messages. */
export interface PublicStatement {
  index: number;
  sid?: string;
  /** The offending principal element, as the user wrote it. */
  principal: string;
  /** Set when the principal is a fixed-account ARN with a wildcard in its name. */
  wildcardInsideArn?: WildcardInsideArn;
}

/**
 * The public statements of a policy, and, when some statement could not be judged because a value
 * is unknown during preview, the error that says which value.
 */
export function publicStatements(
  statements: readonly Statement[],
  narrowingKeys: readonly string[],
  context: PolicyContext,
  options: PrincipalOptions = DEFAULT_PRINCIPAL_OPTIONS,
): { open: PublicStatement[]; unknown?: Error } {
  const open: PublicStatement[] = [];
  let unknown: Error | undefined;
  statements.forEach((statement, index) => {
    const read: Read<StatementVerdict> = tryRead(() =>
      judgeStatement(statement, narrowingKeys, context, options),
    );
    if (!read.known) {
      unknown = unknown ?? read.error;
      return;
    }
    if (read.value.public) {
      const sid = tryRead(() => statement["Sid"]);
      open.push({
        index,
        sid: sid.known && typeof sid.value === "string" ? sid.value : undefined,
        principal: read.value.principal,
        ...(read.value.wildcardInsideArn
          ? { wildcardInsideArn: read.value.wildcardInsideArn }
          : {}),
      });
    }
  });
  return unknown === undefined ? { open } : { open, unknown };
}
