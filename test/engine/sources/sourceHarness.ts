import {
  createS3Client,
  runSnapshot,
  type S3Target,
  type SnapshotResult,
  type SourceDefinition,
  type SourcedSnapshotSpec,
} from "@api-s3-load/snapshot-engine";
import { startFakeApis, type FakeApis } from "../../helpers/fakeApis";
import { startS3Server, type EmbeddedS3 } from "../../helpers/s3Server";
import { FAST_RETRY, readObject, recordingSleep, useS3rverCredentials } from "../engineHarness";

export const BUCKET = "sources";

/** The six styles of the issue, as a stack file would declare them against the fakes. */
export function styles(base: string): Record<string, Omit<SourceDefinition, "name">> {
  return {
    pokeapi: {
      baseUrl: `${base}/pokeapi`,
      pagination: { type: "next-url", from: "$.next" },
      records: "$.results",
    },
    openalex: {
      baseUrl: `${base}/openalex`,
      pagination: { type: "cursor", param: "cursor", from: "$.meta.next_cursor", first: "*" },
      records: "$.results",
      rateLimit: { calls: 100, windowSeconds: 1 },
    },
    github: {
      baseUrl: `${base}/github`,
      auth: { in: "header", name: "Authorization", scheme: "Bearer", secret: "githubToken" },
      pagination: { type: "link-header" },
      rateLimit: {
        calls: 60,
        windowSeconds: 3600,
        remainingHeader: "x-ratelimit-remaining",
        resetHeader: "x-ratelimit-reset",
        resetFormat: "epoch-seconds",
      },
    },
    worldbank: {
      baseUrl: `${base}/worldbank`,
      pagination: { type: "page", param: "page", sizeParam: "per_page", totalPages: "$[0].pages" },
      records: "$[1]",
    },
    items: {
      baseUrl: `${base}/offset`,
      pagination: { type: "offset", total: "$.total" },
      records: "$.items",
      auth: { in: "query", name: "api_key", secret: "itemsKey" },
    },
    openmeteo: {
      baseUrl: `${base}/openmeteo/v1`,
      errors: {
        rules: [{ bodyPath: "$.error", equals: true, action: "fail", hint: "check the params" }],
      },
    },
  };
}

/** A snapshot of each style. */
export const SNAPSHOTS: Record<string, Omit<SourcedSnapshotSpec, "key">> = {
  pokeapi: { name: "pokemon", endpoint: "pokemon", params: { limit: 10 } },
  openalex: { name: "works", endpoint: "works", params: { "per-page": 10 } },
  github: { name: "releases", endpoint: "repos/o/r/releases", params: { per_page: 10 } },
  worldbank: {
    name: "population",
    endpoint: "country/all/indicator/SP.POP.TOTL",
    params: { format: "json", per_page: 10 },
  },
  items: { name: "items", endpoint: "items", params: { limit: 10 } },
  openmeteo: {
    name: "forecast",
    endpoint: "forecast",
    params: { latitude: 52.52, longitude: 13.41 },
  },
};

/** The fakes and s3rver for a describe block; `run` runs one style's snapshot against them. */
export function useSources() {
  const env = {} as { api: FakeApis; s3: EmbeddedS3; target: S3Target };
  let restore: () => void;
  beforeAll(async () => {
    restore = useS3rverCredentials();
    [env.api, env.s3] = await Promise.all([startFakeApis(), startS3Server([BUCKET])]);
    env.target = { bucket: BUCKET, endpoint: env.s3.endpoint, forcePathStyle: true };
  });
  beforeEach(() => env.api.reset());
  afterAll(async () => {
    await env.api.stop();
    await env.s3.stop();
    restore();
  });

  const run = async (
    style: string,
    options: {
      key?: string;
      secret?: string;
      spec?: Partial<SourcedSnapshotSpec>;
      source?: Partial<SourceDefinition>;
      previous?: { etag: string; sha256: string };
    } = {},
  ): Promise<{ result: SnapshotResult; log: string[]; sleeps: number[] }> => {
    const log: string[] = [];
    const { sleeps, sleep } = recordingSleep();
    const s3 = createS3Client(env.target, { maxAttempts: 1 });
    try {
      const result = await runSnapshot(
        {
          ...SNAPSHOTS[style],
          key: options.key ?? `${style}/${SNAPSHOTS[style].name}.json`,
          ...options.spec,
        },
        {
          plan: "public",
          apiKey: options.secret,
          definition: { ...styles(env.api.baseUrl)[style], ...options.source, name: style },
        },
        env.target,
        { s3, retry: FAST_RETRY, sleep, log: (line) => log.push(line), previous: options.previous },
      );
      return { result, log, sleeps };
    } finally {
      s3.destroy();
    }
  };
  const stored = async (key: string) => {
    const s3 = createS3Client(env.target);
    try {
      return await readObject(s3, BUCKET, key);
    } finally {
      s3.destroy();
    }
  };
  return { env, run, stored };
}

/** What a list of the catalogue's items `from`–`to` is stored as. */
export function storedItems(from: number, to: number): string {
  const items = [];
  for (let n = from; n <= to; n += 1) {
    items.push({ id: n, name: `item-${n}` });
  }
  return `${JSON.stringify(items, null, 2)}\n`;
}
