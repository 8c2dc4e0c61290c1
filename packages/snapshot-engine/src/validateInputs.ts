import { parseDuration } from "./duration";
import { PLAN_NAMES, isPlan } from "./plans";
import { MAX_TIMEOUT_SECONDS } from "./retryPolicy";
import {
  declaredPageSize,
  DEFAULT_MAX_PAGES,
  MAX_MAX_PAGES,
  sourceProblems,
} from "./sources/model";
import type { Pagination } from "./sources/model";
import type { SpecFailure } from "./types";
import { UNKNOWN } from "./version";

/** Where a snapshot is stored unless `key` says otherwise. */
export function defaultSnapshotKey(name: string): string {
  return `coingecko/${name}.json`;
}

/** Where a declared source's snapshot is stored unless `key` says otherwise. */
export function sourcedSnapshotKey(source: string, name: string): string {
  return `${source}/${name}.json`;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KEY_PARAMS = [
  "x_cg_demo_api_key",
  "x_cg_pro_api_key",
  "x-cg-demo-api-key",
  "x-cg-pro-api-key",
  "api_key",
];
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** Largest accepted `maxBytes` (1 GiB): the payload is held in memory while it is formatted. */
export const MAX_BYTES_LIMIT = 1024 ** 3;
export const MAX_PAGES = 100;

function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

function isInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value);
}

/** A whole number from `min` to `max`, both included. */
function isWholeIn(value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): value is number {
  return isInteger(value) && value >= min && value <= max;
}

/**
 * Checks the resource inputs (also `tags`) and returns one failure per problem, each saying what is wrong and
 * how to fix it. Values Pulumi does not know yet (the `UNKNOWN` sentinel, at any depth) are
 * accepted: they are checked again when known. Never echoes `apiKey`.
 */
export function validateSnapshotInputs(inputs: Record<string, unknown>): SpecFailure[] {
  const failures: SpecFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  const has = (name: string) =>
    inputs[name] !== undefined && inputs[name] !== null && !isUnknown(inputs[name]);
  // A declared source has its own host, key and paging: CoinGecko's checks of those do not apply.
  const sourced = inputs.source !== undefined && inputs.source !== null;
  if (sourced) {
    sourcedFailures(inputs, fail);
  } else if (has("maxPages")) {
    fail("maxPages", "`maxPages` applies to a declared `source`: for CoinGecko use `pages`.");
  }

  const name = inputs.name;
  if (!isUnknown(name)) {
    if (typeof name !== "string" || !NAME.test(name)) {
      fail(
        "name",
        `\`name\` must be 1–63 lowercase letters, digits or dashes starting with a letter or digit, such as "coins-markets"; got ${describe(name)}.`,
      );
    }
  }

  const endpoint = inputs.endpoint;
  if (!isUnknown(endpoint)) {
    if (typeof endpoint !== "string" || endpoint.trim() === "") {
      fail(
        "endpoint",
        '`endpoint` is required: give the API path relative to the API root, such as "coins/markets".',
      );
    } else if (
      /^[a-z]+:\/\//i.test(endpoint) ||
      endpoint.startsWith("/") ||
      // A first segment like "api.coingecko.com" or "localhost:8080" is a host, not an API path.
      /^(localhost|[a-z0-9-]+(\.[a-z0-9-]+)+)(:\d+)?(\/|$)/i.test(endpoint)
    ) {
      fail(
        "endpoint",
        `\`endpoint\` "${endpoint}" must be a path relative to the API root, such as "coins/markets": drop the scheme, host and leading slash (set the host with baseUrl).`,
      );
    } else if (
      /[?#\s]/.test(endpoint) ||
      endpoint.split("/").some((part) => part === ".." || part === ".")
    ) {
      fail(
        "endpoint",
        `\`endpoint\` "${endpoint}" must not contain "?", "#", spaces or "."/".." segments: put query parameters in \`params\`.`,
      );
    }
  }

  const params = inputs.params;
  if (params !== undefined && params !== null && !isUnknown(params)) {
    if (typeof params !== "object" || Array.isArray(params)) {
      fail(
        "params",
        '`params` must be a map of query parameter names to strings, numbers or booleans, such as {vs_currency: "usd"}.',
      );
    } else {
      for (const [param, value] of Object.entries(params as Record<string, unknown>)) {
        if (KEY_PARAMS.includes(param.toLowerCase())) {
          fail(
            `params.${param}`,
            `\`params.${param}\` would put the API key in the URL, where it ends up in logs: remove it and set \`apiKey\` (coingeckoApiKey), which is sent in a header.`,
          );
        } else if (!isUnknown(value) && !["string", "number", "boolean"].includes(typeof value)) {
          fail(
            `params.${param}`,
            `\`params.${param}\` must be a string, number or boolean; got ${describe(value)}. Join lists with commas, such as "bitcoin,ethereum".`,
          );
        }
      }
      const perPage = (params as Record<string, unknown>).per_page;
      if (
        !sourced &&
        perPage !== undefined &&
        !isUnknown(perPage) &&
        !(Number(perPage) >= 1 && Number(perPage) <= 250 && Number.isInteger(Number(perPage)))
      ) {
        fail(
          "params.per_page",
          `\`params.per_page\` must be a whole number from 1 to 250; got ${describe(perPage)}.`,
        );
      }
    }
  }

  const pages = inputs.pages;
  if (sourced && has("pages")) {
    fail("pages", "`pages` is CoinGecko's: a declared source takes `maxPages` (default 10).");
  } else if (has("pages") && !isWholeIn(pages, 1, MAX_PAGES)) {
    fail(
      "pages",
      `\`pages\` must be a whole number from 1 to ${MAX_PAGES}; got ${describe(pages)}. Use 1 for endpoints that are not lists.`,
    );
  }

  if (has("key")) {
    const problem = keyProblem(inputs.key);
    if (problem !== undefined) {
      fail("key", problem);
    }
  }

  if (has("maxAge")) {
    try {
      parseDuration(inputs.maxAge as string);
    } catch (error) {
      fail("maxAge", `\`maxAge\`: ${(error as Error).message}`);
    }
  }

  if (has("minItems") && !isWholeIn(inputs.minItems, 0)) {
    fail(
      "minItems",
      `\`minItems\` must be a whole number of 0 or more (0 accepts an empty result); got ${describe(inputs.minItems)}.`,
    );
  }

  if (has("maxBytes") && !isWholeIn(inputs.maxBytes, 1, MAX_BYTES_LIMIT)) {
    fail(
      "maxBytes",
      `\`maxBytes\` must be a whole number of bytes from 1 to ${MAX_BYTES_LIMIT} (1 GiB); got ${describe(inputs.maxBytes)}.`,
    );
  }

  if (has("timeoutSeconds") && !isWholeIn(inputs.timeoutSeconds, 1, MAX_TIMEOUT_SECONDS)) {
    fail(
      "timeoutSeconds",
      `\`timeoutSeconds\` must be a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}, the time one request may take (default 30); got ${describe(inputs.timeoutSeconds)}.`,
    );
  }

  const requiredFields = inputs.requiredFields;
  if (has("requiredFields")) {
    if (!Array.isArray(requiredFields)) {
      fail(
        "requiredFields",
        `\`requiredFields\` must be a list of field names (dotted paths allowed), such as ["id", "current_price"]; got ${describe(requiredFields)}.`,
      );
    } else {
      requiredFields.forEach((field, index) => {
        if (!isUnknown(field) && (typeof field !== "string" || field.trim() === "")) {
          fail(
            `requiredFields[${index}]`,
            `\`requiredFields[${index}]\` must be a non-empty field name such as "id"; got ${describe(field)}.`,
          );
        }
      });
    }
  }

  if (has("gzip") && typeof inputs.gzip !== "boolean") {
    fail("gzip", `\`gzip\` must be true or false; got ${describe(inputs.gzip)}.`);
  }

  if (
    has("cacheControl") &&
    (typeof inputs.cacheControl !== "string" ||
      /[\r\n]/.test(inputs.cacheControl) ||
      inputs.cacheControl.trim() === "")
  ) {
    fail(
      "cacheControl",
      `\`cacheControl\` must be a one-line Cache-Control value such as "max-age=60"; got ${describe(inputs.cacheControl)}.`,
    );
  }

  const tags = inputs.tags;
  if (has("tags")) {
    if (typeof tags !== "object" || Array.isArray(tags)) {
      fail(
        "tags",
        `\`tags\` must be a map of tag names to string values, such as {team: "data"}; got ${describe(tags)}.`,
      );
    } else if (Object.keys(tags as object).length > 10) {
      fail("tags", "`tags` may hold at most 10 tags, the S3 limit per object: remove some.");
    } else {
      for (const [tag, value] of Object.entries(tags as Record<string, unknown>)) {
        if (
          !isUnknown(value) &&
          (typeof value !== "string" || tag.length > 128 || value.length > 256)
        ) {
          fail(
            `tags.${tag}`,
            `\`tags.${tag}\` must be a string of at most 256 characters under a name of at most 128; got ${describe(value)}.`,
          );
        }
      }
    }
  }

  if (!sourced) {
    coingeckoFailures(inputs, fail);
  }

  const bucket = inputs.bucket;
  if (bucket !== undefined && !isUnknown(bucket)) {
    if (typeof bucket !== "string" || !BUCKET.test(bucket) || bucket.includes("..")) {
      fail(
        "bucket",
        `\`bucket\` must be an S3 bucket name (3–63 lowercase letters, digits, dots or dashes, starting and ending with a letter or digit); got ${describe(bucket)}.`,
      );
    }
  }

  return failures;
}

/** The checks of a declared source and of the snapshot's paging of it. */
function sourcedFailures(
  inputs: Record<string, unknown>,
  fail: (property: string, reason: string) => void,
): void {
  const source = inputs.source;
  if (isUnknown(source)) {
    return;
  }
  for (const { field, problem } of sourceProblems(source)) {
    fail(field ? `source.${field}` : "source", `\`source${field ? `.${field}` : ""}\` ${problem}.`);
  }
  const maxPages = inputs.maxPages;
  if (
    maxPages !== undefined &&
    maxPages !== null &&
    !isUnknown(maxPages) &&
    !isWholeIn(maxPages, 1, MAX_MAX_PAGES)
  ) {
    fail(
      "maxPages",
      `\`maxPages\` must be a whole number from 1 to ${MAX_MAX_PAGES} (default ${DEFAULT_MAX_PAGES}); got ${describe(maxPages)}.`,
    );
  }
  const pagination = (source as { pagination?: Pagination }).pagination;
  const params = inputs.params;
  if (
    pagination?.type === "offset" &&
    !isUnknown(params) &&
    declaredPageSize(pagination, (params ?? {}) as Record<string, unknown>) === undefined
  ) {
    const sizeParam = pagination.sizeParam ?? "limit";
    fail(
      `params.${sizeParam}`,
      `offset pagination needs a page size: set \`params.${sizeParam}\` of the snapshot, or \`pagination.pageSize\` of its source.`,
    );
  }
}

/** CoinGecko's plan, key and host checks. */
function coingeckoFailures(
  inputs: Record<string, unknown>,
  fail: (property: string, reason: string) => void,
): void {
  const has = (name: string) =>
    inputs[name] !== undefined && inputs[name] !== null && !isUnknown(inputs[name]);
  const plan = inputs.plan ?? "public";
  const planKnown = !isUnknown(plan);
  if (planKnown && !isPlan(plan)) {
    fail(
      "plan",
      `\`plan\` (coingeckoPlan) must be one of ${PLAN_NAMES.join(", ")}; got ${describe(plan)}.`,
    );
  }

  const apiKey = inputs.apiKey;
  const keyKnown = !isUnknown(apiKey);
  const keySet = apiKey !== undefined && apiKey !== null && apiKey !== "";
  if (keyKnown && keySet && (typeof apiKey !== "string" || /\s/.test(apiKey))) {
    fail(
      "apiKey",
      "`apiKey` (coingeckoApiKey) must be a single string without spaces or line breaks: set it again with `pulumi config set --secret coingeckoApiKey`.",
    );
  }
  if (planKnown && keyKnown && (plan === "demo" || plan === "pro") && !keySet) {
    fail(
      "apiKey",
      `\`apiKey\` is required with plan "${plan}": set it with \`pulumi config set --secret coingeckoApiKey <key>\`, or use coingeckoPlan=public.`,
    );
  }
  if (planKnown && keyKnown && plan === "public" && keySet) {
    fail(
      "apiKey",
      '`apiKey` is set but `plan` is "public", which sends no key: set coingeckoPlan=demo for a Demo key or coingeckoPlan=pro for a paid key.',
    );
  }
  const baseUrl = inputs.baseUrl;
  if (has("baseUrl")) {
    let parsed: URL | undefined;
    try {
      parsed = typeof baseUrl === "string" ? new URL(baseUrl) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed || !["http:", "https:"].includes(parsed.protocol)) {
      fail(
        "baseUrl",
        `\`baseUrl\` (coingeckoBaseUrl) must be an http(s) URL such as "https://api.coingecko.com/api/v3"; got ${describe(baseUrl)}.`,
      );
    } else if (parsed.search || parsed.hash || parsed.username || parsed.password) {
      fail(
        "baseUrl",
        "`baseUrl` (coingeckoBaseUrl) must not contain a query, fragment or credentials: keep only scheme, host and path, and put the key in coingeckoApiKey.",
      );
    } else if (
      parsed.protocol === "http:" &&
      !LOOPBACK.has(parsed.hostname) &&
      planKnown &&
      plan !== "public"
    ) {
      fail(
        "baseUrl",
        `\`baseUrl\` must use https with plan "${String(plan)}", because the API key travels in a header: use https://, or http only for a server on localhost.`,
      );
    }
  }
}

/**
 * What is wrong with an object key, as a sentence that names `key` and the fix; undefined for a
 * plain key. S3 accepts almost any bytes, but sync tools and file-backed servers (s3rver maps keys
 * to files) read "..", ".", empty segments and a leading or trailing "/" as paths: a ".." segment can
 * write outside their folder. The one rule for the Snapshot's `check` and `npm start`.
 */
export function keyProblem(key: unknown): string | undefined {
  if (typeof key !== "string" || key === "" || Buffer.byteLength(key) > 1024) {
    return `\`key\` must be a non-empty S3 object key of at most 1024 bytes, such as "coingecko/coins-markets.json"; got ${describe(key)}.`;
  }
  const segments = key.split("/");
  const control = /[\u0000-\u001f\u007f]/.exec(key);
  const problem = control
    ? `contains the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`
    : key.startsWith("/")
      ? 'starts with "/"'
      : key.endsWith("/")
        ? 'ends with "/", which names a folder rather than an object'
        : segments.includes("..")
          ? 'has a ".." segment, which file-based tools read as the parent folder'
          : segments.includes(".")
            ? 'has a "." segment (such as a leading "./")'
            : segments.includes("")
              ? 'has an empty segment ("//")'
              : undefined;
  if (problem === undefined) {
    return undefined;
  }
  const plain = segments
    .map((segment) => segment.replace(/[\u0000-\u001f\u007f]/g, ""))
    .filter((segment) => segment !== "" && segment !== "." && segment !== "..")
    .join("/");
  return `\`key\` ${JSON.stringify(key)} ${problem}: write it as a plain relative path of non-empty names separated by single "/", such as "${plain || "coingecko/coins-markets.json"}".`;
}

function describe(value: unknown): string {
  if (value === undefined) {
    return "nothing";
  }
  if (typeof value === "string") {
    return `"${value.length > 80 ? `${value.slice(0, 80)}…` : value}"`;
  }
  if (Array.isArray(value)) {
    return "a list";
  }
  return value === null
    ? "null"
    : typeof value === "object"
      ? "an object"
      : `${typeof value} ${String(value)}`;
}
