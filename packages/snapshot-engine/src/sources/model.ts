/**
 * The source model: how a public JSON API is paged, limited, authenticated and fails, as plain data
 * a stack file declares (docs/sources.md). Nothing here is guessed at run time.
 */
import { pathProblem } from "./path";

export const PAGINATION_TYPES = [
  "none",
  "page",
  "offset",
  "cursor",
  "next-url",
  "link-header",
] as const;
export type PaginationType = (typeof PAGINATION_TYPES)[number];

export const RESET_FORMATS = [
  "epoch-seconds",
  "delta-seconds",
  "http-date",
  "iso-datetime",
] as const;
export type ResetFormat = (typeof RESET_FORMATS)[number];

export const RULE_ACTIONS = ["rate-limited", "retry", "fail"] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

export interface Pagination {
  type?: PaginationType;
  /** Query parameter of the page number (page), the offset (offset) or the cursor (cursor). */
  param?: string;
  /** First page number (page). Defaults to 1. */
  start?: number;
  /** Query parameter of the page size (page; offset, where it defaults to `limit`). */
  sizeParam?: string;
  /** Path of the number of pages in a page's body (page). */
  totalPages?: string;
  /** Path of a boolean that is false on the last page (page, offset). */
  hasMore?: string;
  /** Path of the number of records in all (offset). */
  total?: string;
  /** Where the next cursor (cursor) or next URL (next-url) is: a body path or `{ header }`. */
  from?: string | { header: string };
  /** The cursor value of the first request (cursor), such as OpenAlex's "*". */
  first?: string;
  /** Page size when `params[sizeParam]` does not give it. */
  pageSize?: number;
}

export interface RateLimitSpec {
  /** Requests allowed per window. */
  calls?: number;
  windowSeconds?: number;
  /** Header whose value 0 makes a 403 or 429 a rate limit. */
  remainingHeader?: string;
  /** Header that says when the limit resets, read as `resetFormat`. */
  resetHeader?: string;
  resetFormat?: ResetFormat;
}

export interface AuthSpec {
  in: "header" | "query";
  /** Header or query parameter name. */
  name: string;
  /** Put before the value with a space, such as `Bearer`. */
  scheme?: string;
  /** The project config key holding the value (a secret). */
  secret: string;
}

export interface ErrorRule {
  status?: number;
  bodyPath?: string;
  equals?: string | number | boolean | null;
  action: RuleAction;
  hint?: string;
}

/** A source as declared under `api-s3-load:sources`, plus its name. */
export interface SourceDefinition {
  name: string;
  baseUrl: string;
  pagination?: Pagination;
  records?: string;
  rateLimit?: RateLimitSpec;
  auth?: AuthSpec;
  errors?: { rules?: ErrorRule[] };
}

/** Pages a sourced snapshot fetches when it sets no `maxPages`, and the most it may set. */
export const DEFAULT_MAX_PAGES = 10;
export const MAX_MAX_PAGES = 1000;

/** One problem of a source: the field (relative to the source) and a sentence naming the fix. */
export interface SourceProblem {
  field: string;
  problem: string;
}

const SOURCE_FIELDS = ["baseUrl", "pagination", "records", "rateLimit", "auth", "errors"];
const PAGINATION_FIELDS: Record<PaginationType, string[]> = {
  none: [],
  page: ["param", "start", "sizeParam", "totalPages", "hasMore", "pageSize"],
  offset: ["param", "sizeParam", "total", "hasMore", "pageSize"],
  cursor: ["param", "from", "first"],
  "next-url": ["from"],
  "link-header": [],
};
const LOOPBACK = new Set(["localhost", "127.0.0.1"]);
const PARAM_NAME = /^[A-Za-z0-9_.\-[\]]{1,64}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function list(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(", ");
}

/** The problem with `baseUrl`, or undefined: https, or http only to this machine. */
function baseUrlProblem(value: unknown): string | undefined {
  let url: URL | undefined;
  try {
    url = typeof value === "string" ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || !["http:", "https:"].includes(url.protocol)) {
    return `is ${JSON.stringify(value)}, which is not an https URL: use the API root, such as "https://api.github.com"`;
  }
  if (url.protocol === "http:" && !LOOPBACK.has(url.hostname)) {
    return `is ${JSON.stringify(value)}: use https (plain http only to 127.0.0.1 or localhost), so neither the data nor a key travels readable`;
  }
  if (url.search || url.hash || url.username || url.password) {
    return "carries a query, fragment or credentials: keep only scheme, host and path, and put a key in `auth`";
  }
  return undefined;
}

/**
 * Every problem of one source definition, each naming its field. `isSecretSet` says whether a
 * config key named by `auth.secret` has a value; unchecked when omitted (the resource's check runs
 * after the program read the secret).
 */
export function sourceProblems(
  raw: unknown,
  isSecretSet?: (name: string) => boolean,
): SourceProblem[] {
  const problems: SourceProblem[] = [];
  const add = (field: string, problem: string) => problems.push({ field, problem });
  if (!isRecord(raw)) {
    add(
      "",
      "is not a map: give at least `baseUrl`, such as `{ baseUrl: https://api.example.com }`",
    );
    return problems;
  }
  for (const field of Object.keys(raw)) {
    if (!SOURCE_FIELDS.includes(field) && field !== "name") {
      add(
        field,
        `is not a source field: use only ${SOURCE_FIELDS.map((f) => `\`${f}\``).join(", ")}`,
      );
    }
  }
  const base = baseUrlProblem(raw.baseUrl);
  if (base) {
    add("baseUrl", base);
  }
  if (raw.records !== undefined) {
    const problem = pathProblem(raw.records);
    if (problem) {
      add("records", problem);
    }
  }
  paginationProblems(raw.pagination, add);
  rateLimitProblems(raw.rateLimit, add);
  authProblems(raw.auth, add, isSecretSet);
  errorRuleProblems(raw.errors, add);
  return problems;
}

type Add = (field: string, problem: string) => void;

function paginationProblems(raw: unknown, add: Add): void {
  if (raw === undefined) {
    return;
  }
  if (!isRecord(raw)) {
    add("pagination", "is not a map: use `{ type: page, param: page }` or another type");
    return;
  }
  const type = (raw.type ?? "none") as PaginationType;
  if (!(PAGINATION_TYPES as readonly unknown[]).includes(type)) {
    add(
      "pagination.type",
      `is ${JSON.stringify(raw.type)}, which is not a pagination type: use one of ${list(PAGINATION_TYPES)}`,
    );
    return;
  }
  for (const field of Object.keys(raw)) {
    if (field !== "type" && !PAGINATION_FIELDS[type].includes(field)) {
      add(
        `pagination.${field}`,
        `does not apply to type "${type}"${PAGINATION_FIELDS[type].length ? `: its fields are ${PAGINATION_FIELDS[type].map((f) => `\`${f}\``).join(", ")}` : ", which takes no other field"}`,
      );
    }
  }
  for (const field of ["totalPages", "hasMore", "total"]) {
    if (raw[field] !== undefined) {
      const problem = pathProblem(raw[field]);
      if (problem) {
        add(`pagination.${field}`, problem);
      }
    }
  }
  for (const field of ["param", "sizeParam"]) {
    if (
      raw[field] !== undefined &&
      !(typeof raw[field] === "string" && PARAM_NAME.test(raw[field]))
    ) {
      add(
        `pagination.${field}`,
        `is ${JSON.stringify(raw[field])}: use a query parameter name, such as "page"`,
      );
    }
  }
  if ((type === "page" || type === "cursor") && raw.param === undefined) {
    add(
      "pagination.param",
      `is required for type "${type}": name the query parameter, such as "${type}"`,
    );
  }
  if (raw.start !== undefined && !(Number.isInteger(raw.start) && (raw.start as number) >= 0)) {
    add("pagination.start", `is ${JSON.stringify(raw.start)}: use a whole number, 0 or 1 usually`);
  }
  if (
    raw.pageSize !== undefined &&
    !(Number.isInteger(raw.pageSize) && (raw.pageSize as number) >= 1)
  ) {
    add(
      "pagination.pageSize",
      `is ${JSON.stringify(raw.pageSize)}: use a whole number of at least 1`,
    );
  }
  if (raw.first !== undefined && typeof raw.first !== "string") {
    add(
      "pagination.first",
      `is ${JSON.stringify(raw.first)}: use the first cursor as a string, such as "*"`,
    );
  }
  if (type === "cursor" || type === "next-url") {
    const from = raw.from;
    if (from === undefined) {
      add(
        "pagination.from",
        `is required for type "${type}": give the body path of the next ${type === "cursor" ? "cursor" : "URL"}, such as "$.next"`,
      );
    } else if (isRecord(from) && type === "cursor") {
      if (!(typeof from.header === "string" && HEADER_NAME.test(from.header))) {
        add("pagination.from.header", `is ${JSON.stringify(from.header)}: use a header name`);
      }
    } else {
      const problem = pathProblem(from);
      if (problem) {
        add("pagination.from", problem);
      }
    }
  }
  if (raw.totalPages !== undefined && raw.hasMore !== undefined) {
    add(
      "pagination.hasMore",
      "and `totalPages` are both set: keep the one the API answers reliably",
    );
  }
  if (raw.total !== undefined && raw.hasMore !== undefined) {
    add("pagination.hasMore", "and `total` are both set: keep the one the API answers reliably");
  }
}

function rateLimitProblems(raw: unknown, add: Add): void {
  if (raw === undefined) {
    return;
  }
  if (!isRecord(raw)) {
    add("rateLimit", "is not a map: use `{ calls: 60, windowSeconds: 60 }`");
    return;
  }
  const known = ["calls", "windowSeconds", "remainingHeader", "resetHeader", "resetFormat"];
  for (const field of Object.keys(raw)) {
    if (!known.includes(field)) {
      add(
        `rateLimit.${field}`,
        `is not a rateLimit field: use ${known.map((f) => `\`${f}\``).join(", ")}`,
      );
    }
  }
  if ((raw.calls === undefined) !== (raw.windowSeconds === undefined)) {
    add("rateLimit", "needs both `calls` and `windowSeconds`, or neither");
  }
  for (const field of ["calls", "windowSeconds"]) {
    if (
      raw[field] !== undefined &&
      !(Number.isInteger(raw[field]) && (raw[field] as number) >= 1)
    ) {
      add(
        `rateLimit.${field}`,
        `is ${JSON.stringify(raw[field])}: use a whole number of at least 1`,
      );
    }
  }
  for (const field of ["remainingHeader", "resetHeader"]) {
    if (
      raw[field] !== undefined &&
      !(typeof raw[field] === "string" && HEADER_NAME.test(raw[field]))
    ) {
      add(
        `rateLimit.${field}`,
        `is ${JSON.stringify(raw[field])}: use a header name, such as "x-ratelimit-remaining"`,
      );
    }
  }
  if (
    raw.resetFormat !== undefined &&
    !(RESET_FORMATS as readonly unknown[]).includes(raw.resetFormat)
  ) {
    add(
      "rateLimit.resetFormat",
      `is ${JSON.stringify(raw.resetFormat)}: use one of ${list(RESET_FORMATS)}`,
    );
  }
  if (raw.resetHeader !== undefined && raw.resetFormat === undefined) {
    add(
      "rateLimit.resetFormat",
      `is required with \`resetHeader\`: say how its value reads, one of ${list(RESET_FORMATS)}`,
    );
  }
}

function authProblems(raw: unknown, add: Add, isSecretSet?: (name: string) => boolean): void {
  if (raw === undefined) {
    return;
  }
  if (!isRecord(raw)) {
    add(
      "auth",
      "is not a map: use `{ in: header, name: Authorization, scheme: Bearer, secret: myToken }`",
    );
    return;
  }
  if (raw.in !== "header" && raw.in !== "query") {
    add("auth.in", `is ${JSON.stringify(raw.in)}: use "header" or "query"`);
  }
  const namePattern = raw.in === "query" ? PARAM_NAME : HEADER_NAME;
  if (!(typeof raw.name === "string" && namePattern.test(raw.name))) {
    add(
      "auth.name",
      `is ${JSON.stringify(raw.name)}: name the ${raw.in === "query" ? "query parameter" : "header"} the key travels in`,
    );
  }
  if (
    raw.scheme !== undefined &&
    !(typeof raw.scheme === "string" && /^[A-Za-z0-9_-]{1,32}$/.test(raw.scheme))
  ) {
    add("auth.scheme", `is ${JSON.stringify(raw.scheme)}: use one word, such as "Bearer"`);
  }
  if (!(typeof raw.secret === "string" && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(raw.secret))) {
    add(
      "auth.secret",
      `is ${JSON.stringify(raw.secret)}: name the stack config key that holds the key, such as "githubToken" (letters, digits, _)`,
    );
  } else if (isSecretSet && !isSecretSet(raw.secret)) {
    add(
      "auth.secret",
      `names the config key \`${raw.secret}\`, which is not set: set it with \`pulumi config set --secret ${raw.secret} <key>\` (npm start: the environment variable ${secretEnvName(raw.secret)})`,
    );
  }
}

function errorRuleProblems(raw: unknown, add: Add): void {
  if (raw === undefined) {
    return;
  }
  if (!isRecord(raw) || (raw.rules !== undefined && !Array.isArray(raw.rules))) {
    add(
      "errors",
      "is not `{ rules: [ … ] }`: use `{ rules: [{ bodyPath: $.error, action: fail }] }`",
    );
    return;
  }
  ((raw.rules ?? []) as unknown[]).forEach((rule, index) => {
    const where = `errors.rules[${index}]`;
    if (!isRecord(rule)) {
      add(where, "is not a map: use `{ status?, bodyPath?, equals?, action, hint? }`");
      return;
    }
    if (!(RULE_ACTIONS as readonly unknown[]).includes(rule.action)) {
      add(`${where}.action`, `is ${JSON.stringify(rule.action)}: use one of ${list(RULE_ACTIONS)}`);
    }
    if (rule.status === undefined && rule.bodyPath === undefined) {
      add(where, "matches every answer: give `status`, `bodyPath` or both");
    }
    if (
      rule.status !== undefined &&
      !(
        Number.isInteger(rule.status) &&
        (rule.status as number) >= 100 &&
        (rule.status as number) <= 599
      )
    ) {
      add(`${where}.status`, `is ${JSON.stringify(rule.status)}: use an HTTP status such as 200`);
    }
    if (rule.bodyPath !== undefined) {
      const problem = pathProblem(rule.bodyPath);
      if (problem) {
        add(`${where}.bodyPath`, problem);
      }
    }
    if (rule.equals !== undefined && rule.bodyPath === undefined) {
      add(`${where}.equals`, "needs `bodyPath`: say where the value is compared");
    }
    if (rule.hint !== undefined && typeof rule.hint !== "string") {
      add(`${where}.hint`, "is not a string: write the sentence the error should add");
    }
  });
}

/**
 * The environment variable `npm start` reads a source's secret from: `API_S3_LOAD_SECRET_` and the
 * config key in upper snake case (`githubToken` → `API_S3_LOAD_SECRET_GITHUB_TOKEN`).
 */
export function secretEnvName(secret: string): string {
  return `API_S3_LOAD_SECRET_${secret.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}`;
}

/** The page size an offset or page source asks for, when it says: `params[sizeParam]` or `pageSize`. */
export function declaredPageSize(
  pagination: Pagination | undefined,
  params: Record<string, unknown>,
): number | undefined {
  const type = pagination?.type ?? "none";
  const sizeParam = pagination?.sizeParam ?? (type === "offset" ? "limit" : undefined);
  const fromParams = sizeParam === undefined ? undefined : Number(params[sizeParam]);
  if (fromParams !== undefined && Number.isInteger(fromParams) && fromParams >= 1) {
    return fromParams;
  }
  return pagination?.pageSize;
}
