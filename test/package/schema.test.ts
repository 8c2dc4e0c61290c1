/**
 * provider/schema.json, the contract every generated SDK is built from: valid against Pulumi's
 * package metaschema, every `$ref` resolving, and in step with the code (the inputs the provider
 * reads, the TypeScript args they mirror, the engine's defaults).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv-2020/dist/2020";
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_PAGES,
  DEFAULT_RETRY_POLICY,
  MAX_MAX_PAGES,
  UNKNOWN,
  sourceProblems,
} from "@api-s3-load/snapshot-engine";
import type { PrivateBucketArgs } from "../../components/privateBucket";
import type { SnapshotArgs } from "../../components/snapshot";
import { PRIVATE_BUCKET_INPUTS } from "../../provider/src/privateBucket";
import {
  SNAPSHOT_INPUTS,
  SNAPSHOT_REQUIRED_INPUTS,
  type SnapshotInputName,
  checkSnapshot,
  engineInputs,
} from "../../provider/src/snapshot";
import { PRIVATE_BUCKET_TOKEN, SNAPSHOT_TOKEN } from "../../provider/src/tokens";
import { PROVIDER_DIR } from "../helpers/packageProviderHost";
import { PROJECT_ROOT } from "../helpers/pulumiHost";
import { type Kind, type Shape, interfaceShape } from "../helpers/typeShape";
import { SNAPSHOT_SAMPLE, SNAPSHOT_URN, SOURCED_SNAPSHOT_SAMPLE } from "./samples";

interface PropertySpec {
  type?: string;
  $ref?: string;
  description?: string;
  default?: unknown;
  secret?: boolean;
  plain?: boolean;
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
  oneOf?: PropertySpec[];
}
interface ResourceSpec {
  isComponent?: boolean;
  description?: string;
  inputProperties: Record<string, PropertySpec>;
  requiredInputs?: string[];
  properties: Record<string, PropertySpec>;
  required?: string[];
}
interface PackageSchema {
  name: string;
  types: Record<
    string,
    {
      type: string;
      enum?: { value: unknown }[];
      properties?: Record<string, PropertySpec>;
      required?: string[];
    }
  >;
  resources: Record<string, ResourceSpec>;
}

const schemaText = readFileSync(join(PROVIDER_DIR, "schema.json"), "utf8");
const schema = JSON.parse(schemaText) as PackageSchema;
const metaschema = JSON.parse(
  readFileSync(join(__dirname, "fixtures", "pulumi.json"), "utf8"),
) as Record<string, unknown>;
const snapshot = schema.resources[SNAPSHOT_TOKEN];
const privateBucket = schema.resources[PRIVATE_BUCKET_TOKEN];

/** True when A and B are the same union of names; a mismatch is a type error in this file. */
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// The provider reads exactly the TypeScript args: a field added to one and not the other stops
// `npm run typecheck` and this suite.
const snapshotNamesMatch: SameNames<SnapshotInputName, keyof SnapshotArgs> = true;
const bucketNamesMatch: SameNames<(typeof PRIVATE_BUCKET_INPUTS)[number], keyof PrivateBucketArgs> =
  true;

/** Every `$ref` in the schema, with the path where it stands. */
function refs(value: unknown, path: string, out: [string, string][] = []): [string, string][] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => refs(v, `${path}[${i}]`, out));
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") {
        out.push([path, v]);
      } else {
        refs(v, `${path}.${k}`, out);
      }
    }
  }
  return out;
}

/** Every property spec of the schema (inputs, outputs, object types), with its path. */
function propertySpecs(): [string, PropertySpec][] {
  const out: [string, PropertySpec][] = [];
  for (const [token, resource] of Object.entries(schema.resources)) {
    for (const [name, spec] of Object.entries(resource.inputProperties)) {
      out.push([`${token} input ${name}`, spec]);
    }
    for (const [name, spec] of Object.entries(resource.properties)) {
      out.push([`${token} output ${name}`, spec]);
    }
  }
  for (const [token, type] of Object.entries(schema.types)) {
    for (const [name, spec] of Object.entries(type.properties ?? {})) {
      out.push([`${token} property ${name}`, spec]);
    }
  }
  return out;
}

/** Whether a sample value is of the schema's type for it. */
function ofSchemaType(value: unknown, spec: PropertySpec): boolean {
  if (spec.oneOf !== undefined) {
    return spec.oneOf.some((member) => ofSchemaType(value, member));
  }
  if (spec.$ref !== undefined) {
    if (spec.$ref === "pulumi.json#/Any") {
      return true;
    }
    const type = schema.types[spec.$ref.replace("#/types/", "")];
    if (type.enum) {
      return type.enum.some((e) => e.value === value);
    }
    return (
      typeof value === "object" &&
      value !== null &&
      Object.entries(value).every(
        ([k, v]) => type.properties?.[k] && ofSchemaType(v, type.properties[k]),
      )
    );
  }
  switch (spec.type) {
    case "integer":
      return Number.isInteger(value);
    case "array":
      return Array.isArray(value) && value.every((v) => ofSchemaType(v, spec.items ?? {}));
    case "object":
      return (
        typeof value === "object" &&
        value !== null &&
        Object.values(value).every((v) => ofSchemaType(v, spec.additionalProperties ?? {}))
      );
    default:
      return typeof value === spec.type;
  }
}

/** The metaschema's validator, with the formats it uses (`regex`, `uri-reference`). */
function metaschemaValidator() {
  // strict off: the metaschema carries keywords of its own (and one misspelt "desciption").
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat("regex", (text: string) => {
    try {
      new RegExp(text);
      return true;
    } catch {
      return false;
    }
  });
  // `$ref` values: any reference is well-formed here; the test below checks that each resolves.
  ajv.addFormat("uri-reference", true);
  return ajv.compile(metaschema);
}

describe("provider/schema.json", () => {
  it("is valid against Pulumi's package metaschema (draft 2020-12)", () => {
    const validate = metaschemaValidator();
    const valid = validate(schema);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("fails the metaschema when a resource is broken, so the check above can fail", () => {
    const validate = metaschemaValidator();
    const broken = JSON.parse(schemaText) as PackageSchema;
    (broken.resources[SNAPSHOT_TOKEN].inputProperties.pages as Record<string, unknown>).type =
      "int32";
    expect(validate(broken)).toBe(false);
  });

  it("resolves every $ref to a type of this schema or a built-in", () => {
    const all = refs(schema, "schema");
    expect(all.length).toBeGreaterThan(0);
    const unresolved = all.filter(([, ref]) => {
      if (/^pulumi\.json#\/(Any|Archive|Asset|Json)$/.test(ref)) {
        return false;
      }
      const local = /^#\/(types|resources)\/(.+)$/.exec(ref);
      return (
        !local ||
        !(decodeURIComponent(local[2]) in (local[1] === "types" ? schema.types : schema.resources))
      );
    });
    expect(unresolved).toEqual([]);
  });

  it("names the package and exactly its two resources", () => {
    expect(schema.name).toBe("api-s3-load");
    expect(Object.keys(schema.resources).sort()).toEqual([PRIVATE_BUCKET_TOKEN, SNAPSHOT_TOKEN]);
    expect(privateBucket.isComponent).toBe(true);
    expect(snapshot.isComponent).toBeUndefined();
  });

  it.each(propertySpecs())("gives %s a type and a description", (_path, spec) => {
    expect(spec.type ?? spec.$ref ?? spec.oneOf).toBeDefined();
    expect(spec.description).toEqual(expect.stringMatching(/\S/));
  });

  it("lists exactly the Snapshot inputs the provider reads, which are the TypeScript SnapshotArgs", () => {
    expect(snapshotNamesMatch && bucketNamesMatch).toBe(true);
    expect(Object.keys(snapshot.inputProperties).sort()).toEqual([...SNAPSHOT_INPUTS].sort());
  });

  it("lists exactly the PrivateBucket inputs construct reads, which are the TypeScript PrivateBucketArgs", () => {
    expect(Object.keys(privateBucket.inputProperties).sort()).toEqual(
      [...PRIVATE_BUCKET_INPUTS].sort(),
    );
  });

  it("marks apiKey secret and never offers it as an output", () => {
    const secrets = propertySpecs().filter(([, spec]) => spec.secret === true);
    expect(secrets.map(([path]) => path)).toEqual([`${SNAPSHOT_TOKEN} input apiKey`]);
    expect(Object.keys(snapshot.properties)).not.toContain("apiKey");
  });

  it.each([
    ["CoinGecko", SNAPSHOT_SAMPLE],
    ["a declared source", SOURCED_SNAPSHOT_SAMPLE],
  ])(
    "types every Snapshot input of %s as the engine accepts it: a sample of each type passes check",
    async (_what, sample) => {
      const mistyped = Object.entries(sample).filter(
        ([name, value]) => !ofSchemaType(value, snapshot.inputProperties[name]),
      );
      expect(mistyped).toEqual([]);
      const checked = await checkSnapshot(SNAPSHOT_URN, sample);
      expect(checked.failures).toEqual([]);
    },
  );

  it("has a sample for every Snapshot input", () => {
    const sampled = new Set([
      ...Object.keys(SNAPSHOT_SAMPLE),
      ...Object.keys(SOURCED_SNAPSHOT_SAMPLE),
    ]);
    expect([...sampled].sort()).toEqual([...SNAPSHOT_INPUTS].sort());
  });

  // Generated SDKs send a property's schema default whenever a program leaves it out, so a default
  // that one kind of Snapshot refuses (`pages` with a source, `maxPages` without) cannot be declared.
  it.each([
    ["CoinGecko", SNAPSHOT_SAMPLE],
    ["a declared source", SOURCED_SNAPSHOT_SAMPLE],
  ])("passes check for %s with every schema default an SDK fills in", async (_what, sample) => {
    const sdkDefaults = Object.fromEntries(
      Object.entries(snapshot.inputProperties)
        .filter(([, spec]) => spec.default !== undefined)
        .map(([name, spec]) => [name, spec.default]),
    );
    const { bucket, key, endpoint, source } = sample;
    const minimal = { bucket, key, endpoint, ...(source === undefined ? {} : { source }) };
    const checked = await checkSnapshot(SNAPSHOT_URN, { ...sdkDefaults, ...minimal });
    expect(checked.failures).toEqual([]);
  });

  it("types whole-number inputs as integer", () => {
    const integers = Object.entries(snapshot.inputProperties)
      .filter(([, spec]) => spec.type === "integer")
      .map(([name]) => name);
    expect(integers.sort()).toEqual(
      ["callsPerMinute", "maxBytes", "maxPages", "minItems", "pages", "timeoutSeconds"].sort(),
    );
  });

  it("documents the engine's own defaults", () => {
    const defaults = Object.fromEntries(
      Object.entries(snapshot.inputProperties)
        .filter(([, spec]) => spec.default !== undefined)
        .map(([name, spec]) => [name, spec.default]),
    );
    expect(defaults).toEqual({
      minItems: 1,
      maxBytes: DEFAULT_MAX_BYTES,
      timeoutSeconds: DEFAULT_RETRY_POLICY.requestTimeoutMs / 1000,
      gzip: false,
      plan: engineInputs("x", {}).plan,
      s3ForcePathStyle: false,
      adopt: false,
    });
  });

  it("requires the inputs check refuses to go without", async () => {
    expect([...(snapshot.requiredInputs ?? [])].sort()).toEqual(
      [...SNAPSHOT_REQUIRED_INPUTS].sort(),
    );
    const { bucket: _b, key: _k, endpoint: _e, ...rest } = SNAPSHOT_SAMPLE;
    const checked = await checkSnapshot(SNAPSHOT_URN, rest);
    expect(checked.failures).toEqual([
      {
        property: "bucket",
        reason:
          "`bucket` is required: give the bucket to write into, such as a PrivateBucket's `bucketName`.",
      },
      {
        property: "key",
        reason: '`key` is required: give the object key, such as "coingecko/coins-markets.json".',
      },
      {
        property: "endpoint",
        reason:
          '`endpoint` is required: give the API path relative to the API root, such as "coins/markets".',
      },
    ]);
  });

  it("accepts inputs a preview does not know yet, and carries them on unknown", async () => {
    const unknownEverywhere = Object.fromEntries(SNAPSHOT_INPUTS.map((name) => [name, UNKNOWN]));
    const checked = await checkSnapshot(SNAPSHOT_URN, unknownEverywhere);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toMatchObject({ bucket: UNKNOWN, maxAgePeriod: UNKNOWN });
  });
});

const SOURCE_TOKEN = "api-s3-load:index:Source";
/** The engine's source model: the code every schema type of a source must agree with. */
const SOURCE_MODEL = join(
  PROJECT_ROOT,
  "packages",
  "snapshot-engine",
  "src",
  "sources",
  "model.ts",
);
/** The engine's SourceDefinition as the compiler sees it (read once: it compiles model.ts). */
let sourceModelShape: Shape | undefined;
function engineSourceShape(): Shape {
  sourceModelShape ??= interfaceShape(SOURCE_MODEL, "SourceDefinition");
  return sourceModelShape;
}

/** A schema property's type, described as typeShape describes the code's (integers as numbers). */
function schemaKind(spec: PropertySpec): Kind {
  if (spec.oneOf !== undefined) {
    return { kind: "oneOf", members: spec.oneOf.map(schemaKind) };
  }
  if (spec.$ref === "pulumi.json#/Any") {
    return { kind: "any" };
  }
  if (spec.$ref !== undefined) {
    const type = schema.types[spec.$ref.replace("#/types/", "")];
    return type.enum
      ? { kind: "enum", values: type.enum.map((e) => String(e.value)) }
      : { kind: "object", shape: schemaShape(spec.$ref.replace("#/types/", "")) };
  }
  if (spec.type === "array") {
    return { kind: "array", items: schemaKind(spec.items ?? {}) };
  }
  return { kind: spec.type === "integer" ? "number" : (spec.type as "string" | "boolean") };
}

function schemaShape(token: string): Shape {
  const type = schema.types[token];
  return Object.fromEntries(
    Object.entries(type.properties ?? {}).map(([name, spec]) => [
      name,
      { optional: !(type.required ?? []).includes(name), type: schemaKind(spec) },
    ]),
  );
}

/** `kind` with enum values and union members in a fixed order, so that order is no difference. */
function normalized(kind: Kind): Kind {
  switch (kind.kind) {
    case "enum":
      return { kind: "enum", values: [...kind.values].sort() };
    case "array":
      return { kind: "array", items: normalized(kind.items) };
    case "oneOf":
      return {
        kind: "oneOf",
        members: kind.members.map(normalized).sort((a, b) => a.kind.localeCompare(b.kind)),
      };
    case "object":
      return {
        kind: "object",
        shape: Object.fromEntries(
          Object.entries(kind.shape).map(([name, f]) => [
            name,
            { optional: f.optional, type: normalized(f.type) },
          ]),
        ),
      };
    default:
      return kind;
  }
}

/** A source whose one field at `path` is 1.5, the rest valid for it. */
const FRACTIONAL: [string, unknown][] = [
  ["pagination.start", { pagination: { type: "page", param: "page", start: 1.5 } }],
  ["pagination.pageSize", { pagination: { type: "page", param: "page", pageSize: 1.5 } }],
  ["rateLimit.calls", { rateLimit: { calls: 1.5, windowSeconds: 60 } }],
  ["rateLimit.windowSeconds", { rateLimit: { calls: 60, windowSeconds: 1.5 } }],
  ["errors.rules[0].status", { errors: { rules: [{ status: 1.5, action: "fail" }] } }],
];

describe("provider/schema.json's source types", () => {
  it("are the engine's SourceDefinition, field by field at every depth: names, required, types and enum values", () => {
    const code = engineSourceShape();
    expect(normalized({ kind: "object", shape: schemaShape(SOURCE_TOKEN) })).toEqual(
      normalized({ kind: "object", shape: code }),
    );
  });

  it("give the Snapshot a `source` of that type, a `maxPages` and a `truncated` output", () => {
    expect(snapshot.inputProperties.source.$ref).toBe(`#/types/${SOURCE_TOKEN}`);
    expect(snapshot.inputProperties.maxPages.type).toBe("integer");
    expect(snapshot.inputProperties.maxPages.description).toContain(
      `1 to ${MAX_MAX_PAGES}; a run that stops`,
    );
    expect(snapshot.inputProperties.maxPages.description).toContain(
      `Defaults to ${DEFAULT_MAX_PAGES}.`,
    );
    expect(snapshot.properties.truncated.type).toBe("boolean");
    expect(snapshot.required).not.toContain("truncated");
  });

  it("are checked by the engine through the provider's check: every problem by its path, at once", async () => {
    const checked = await checkSnapshot(SNAPSHOT_URN, {
      ...SOURCED_SNAPSHOT_SAMPLE,
      pages: 2,
      source: {
        name: "feed",
        baseUrl: "https://api.example.com",
        pagination: { type: "next-url" },
        rateLimit: { calls: 10 },
        colour: "red",
      },
    });
    const failures = checked.failures ?? [];
    expect(failures.map((f) => f.property).sort()).toEqual(
      ["pages", "source.colour", "source.pagination.from", "source.rateLimit"].sort(),
    );
    expect(failures.find((f) => f.property === "source.pagination.from")?.reason).toBe(
      '`source.pagination.from` is required for type "next-url": give the body path of the next URL, such as "$.next".',
    );
  });

  it("type every number of a source as integer, and the engine refuses a fraction in each", () => {
    const numbers: string[] = [];
    const collect = (shape: Shape, path: string) => {
      for (const [name, field] of Object.entries(shape)) {
        const type = field.type.kind === "array" ? field.type.items : field.type;
        const at = `${path}${name}${field.type.kind === "array" ? "[0]" : ""}`;
        if (type.kind === "number") {
          numbers.push(at);
        } else if (type.kind === "object") {
          collect(type.shape, `${at}.`);
        }
      }
    };
    collect(engineSourceShape(), "");
    expect(numbers.sort()).toEqual(FRACTIONAL.map(([path]) => path).sort());
    for (const [path, fields] of FRACTIONAL) {
      const problems = sourceProblems({
        baseUrl: "https://api.example.com",
        ...(fields as object),
      });
      expect(problems.map((p) => p.field)).toEqual([path]);
    }
    const integerPaths = propertySpecs()
      .filter(([path, spec]) => path.startsWith("api-s3-load:index:") && spec.type === "number")
      .map(([path]) => path);
    expect(integerPaths).toEqual([]);
  });
});
