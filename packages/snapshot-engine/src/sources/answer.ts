/**
 * How a declared source's answer is judged: its own error rules, a rate limit told by status and
 * headers, and the refusals every source shares (an HTML page, a body that is not JSON).
 */
import { htmlTitle } from "../apiErrors";
import { SnapshotError } from "../errors";
import { parseJsonBytes } from "../payload";
import type { BodyBytes } from "../payload";
import type { HeaderReader } from "../retryPolicy";
import type { ErrorRule, ResetFormat } from "./model";
import { readPath } from "./path";

/** What the fetch needs of a declared source while it runs. Holds the key only for the run. */
export interface SourceRuntime {
  name: string;
  /** `baseUrl`'s origin: the only place the key is ever sent. */
  origin: string;
  auth?: { in: "header" | "query"; name: string; value: string };
  rules: ErrorRule[];
  remainingHeader?: string;
  reset?: { header: string; format: ResetFormat };
}

/** The URL and headers a request is sent with: the key added only for `baseUrl`'s origin. */
export function authorize(
  source: SourceRuntime,
  url: string,
  headers: Record<string, string>,
): string {
  const auth = source.auth;
  if (!auth || new URL(url).origin !== source.origin) {
    return url;
  }
  if (auth.in === "header") {
    headers[auth.name.toLowerCase()] = auth.value;
    return url;
  }
  const withKey = new URL(url);
  withKey.searchParams.set(auth.name, auth.value);
  return withKey.toString();
}

function ruleMatches(rule: ErrorRule, status: number, parsed: unknown, isJson: boolean): boolean {
  if (rule.status !== undefined && rule.status !== status) {
    return false;
  }
  if (rule.bodyPath === undefined) {
    return true;
  }
  if (!isJson) {
    return false;
  }
  const at = readPath(parsed, rule.bodyPath);
  if (rule.equals !== undefined) {
    return at.found && at.value === rule.equals;
  }
  return at.found && at.value !== null && at.value !== false && at.value !== undefined;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function snippet(text: string): string {
  const clean = text.replace(/\s+/g, " ").trim().slice(0, 80);
  return clean ? ` ("${clean}")` : " (empty body)";
}

/** The parsed body of a good answer, or the error that says what is wrong with it. */
export function judgeAnswer(
  source: SourceRuntime,
  status: number,
  headers: HeaderReader,
  body: BodyBytes,
): { data: unknown } | { error: SnapshotError } {
  const fail = (
    kind: SnapshotError["kind"],
    message: string,
    retryable = false,
  ): { error: SnapshotError } => ({
    error: new SnapshotError(kind, message, { status, retryable }),
  });
  const contentType = headers.get("content-type") ?? "";
  const head = body.text(0, Math.min(1024, body.length));
  const isHtml = /html/i.test(contentType) || /^\s*<(!doctype|html)/i.test(head);
  let parsed: unknown;
  let parseError: string | undefined;
  if (!isHtml) {
    try {
      parsed = parseJsonBytes(body);
    } catch (error) {
      parseError = (error as Error).message;
    }
  }
  const isJson = !isHtml && parseError === undefined;
  const page = isHtml
    ? `an HTML page${htmlTitle(body.text()) ? ` ("${htmlTitle(body.text())}")` : ""}`
    : undefined;
  const remaining = source.remainingHeader ? headers.get(source.remainingHeader) : null;
  if ((status === 403 || status === 429) && remaining !== null && remaining.trim() === "0") {
    return fail(
      "rate-limited",
      `the API rate limit was hit (HTTP ${status}, ${source.remainingHeader}: 0); lower the source's rateLimit.calls or fetch fewer pages per deploy`,
      true,
    );
  }
  const rule = source.rules.find((r) => ruleMatches(r, status, parsed, isJson));
  if (rule) {
    const value =
      rule.bodyPath !== undefined
        ? ` (${rule.bodyPath} is ${shown(readPath(parsed, rule.bodyPath).value)})`
        : "";
    const hint = rule.hint ? `: ${rule.hint}` : "";
    if (rule.action === "rate-limited") {
      return fail(
        "rate-limited",
        `the API rate limit was hit (HTTP ${status})${value}${hint}`,
        true,
      );
    }
    if (rule.action === "retry") {
      return fail(
        "http",
        `the API answered HTTP ${status} with an error body${value}${hint}`,
        true,
      );
    }
    return fail(
      "api-error",
      `the API answered HTTP ${status} with an error body${value}${hint}; nothing was stored`,
    );
  }
  const said = page ? ` with ${page}` : isJson ? ` ${shown(parsed)}` : snippet(body.text(0, 200));
  if (status === 429) {
    return fail(
      "rate-limited",
      `the API rate limit was hit (HTTP 429)${said}; lower the source's rateLimit.calls`,
      true,
    );
  }
  if (status >= 500 || status === 408) {
    return fail("http", `the API answered HTTP ${status}${said}; it may be down`, true);
  }
  if (status < 200 || status > 299) {
    const fix =
      status === 401 || status === 403
        ? "check the key named by the source's auth.secret and its permissions"
        : "check the endpoint and params";
    return fail("http", `the API answered HTTP ${status}${said}; ${fix}`);
  }
  if (page) {
    return fail(
      "invalid-payload",
      `the API answered HTTP ${status} with ${page} instead of JSON, typically a login, proxy or captcha page; nothing was stored`,
    );
  }
  if (parseError !== undefined) {
    return fail(
      "invalid-payload",
      `the API answered invalid or truncated JSON (content-type "${contentType || "none"}", ${body.length} bytes: ${parseError}); nothing was stored`,
    );
  }
  return { data: parsed };
}
