import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import * as yaml from "js-yaml";
import { StackFileConfig } from "../../cli/stackFile";
import { DEFAULT_SNAPSHOTS, readStackConfig } from "../../config/stackConfig";
import { PROJECT_ROOT } from "../helpers/programRun";

interface ItemsType {
  type: string;
  items?: ItemsType;
}

interface Declaration {
  type?: string;
  items?: ItemsType;
  secret?: boolean;
  default?: unknown;
  value?: unknown;
  description?: string;
}

const project = yaml.load(readFileSync(join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as {
  name: string;
  config: Record<string, Declaration | string>;
};
const ownKeys = Object.entries(project.config).filter(([key]) => !key.includes(":")) as [
  string,
  Declaration,
][];

describe("Pulumi.yaml", () => {
  it("is the api-s3-load project on the Node.js runtime", () => {
    expect(project.name).toBe("api-s3-load");
  });

  // The Pulumi CLI fails every stack that does not set a declared key lacking a default, and
  // refuses a default on a key typed secret; both would break `pulumi up` for every user.
  it.each(ownKeys)("gives %s a description and a default the CLI accepts", (_key, declaration) => {
    expect(typeof declaration.description).toBe("string");
    expect(declaration).toHaveProperty("default");
    expect(declaration.secret && declaration.type !== undefined).toBeFalsy();
  });

  it("declares every key the program reads", () => {
    // The program reads most keys through readStackConfig; a recording source lists them.
    const read = new Set<string>();
    const record = (key: string) => {
      read.add(key);
      return undefined;
    };
    readStackConfig(
      { get: record, getBoolean: record, getNumber: record, getObject: record },
      { hasApiKey: false },
    );
    const program = readFileSync(join(PROJECT_ROOT, "index.ts"), "utf8");
    for (const m of program.matchAll(/config\.(?:get|require)\w*\("(\w+)"\)/g)) {
      read.add(m[1]);
    }
    expect(read.size).toBeGreaterThan(10);
    for (const key of read) {
      expect(ownKeys.map(([k]) => k)).toContain(key);
    }
  });

  it("documents as default exactly the snapshot the program falls back to", () => {
    const snapshots = project.config.snapshots as Declaration;
    expect(snapshots.default).toEqual(DEFAULT_SNAPSHOTS);
  });
});

/*
 * The Pulumi CLI's own rules for a project's config declarations, as read in pulumi/pulumi at
 * 1b5949891b3cefcb9974752b24a5ecef0acc86c8 (v3.259.0 + 14 commits, the newest stored snapshot):
 *   1. LoadProjectBytes (sdk/go/common/workspace/loaders.go:116) validates the file against the JSON
 *      schema sdk/go/common/workspace/project.json, copied unchanged as
 *      fixtures/pulumi-project.schema.json. Its `simpleConfigType` enum gained "object" in #20129
 *      (first in v3.186.0).
 *   2. Project.Validate (sdk/go/common/workspace/project.go:837, called at loaders.go:141) refuses an
 *      `array` without `items` and checks every typed default with ValidateConfigValue
 *      (project.go:771), whose `object` branch (project.go:809, #20132, first in v3.187.0) accepts
 *      any map and looks no deeper.
 *   3. At `pulumi up`, validateStackConfigValue (pkg/workspace/config.go:119) checks each typed key's
 *      stack value with the same function: the value's text, or for a map or list (a config value
 *      whose Object() is true) its JSON parsed back (config.go:138).
 */
const SCHEMA_FILE = join(__dirname, "fixtures", "pulumi-project.schema.json");
const cliSchema = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as Record<string, unknown>;

/** Ajv 6 implements draft-07; these are the keywords project.json uses that mean the same there. */
const SAME_IN_DRAFT_07 = new Set([
  "$schema",
  "$id",
  "$defs", // a container only: `$ref`s reach it by JSON pointer, which draft-07 resolves alike
  "$ref",
  "title",
  "description",
  "default",
  "type",
  "enum",
  "const",
  "minLength",
  "properties",
  "additionalProperties",
  "required",
  "items",
  "oneOf",
  "if",
  "then",
]);

interface SchemaUse {
  keywords: Set<string>;
  /** Schemas with a `$ref` beside other keywords: draft-07 ignores those, 2020-12 applies them. */
  refsWithSiblings: number;
  /** `items` given as a list: a tuple in draft-07, `prefixItems` in 2020-12. */
  tupleItems: number;
}

function schemaUse(
  schema: unknown,
  use: SchemaUse = { keywords: new Set(), refsWithSiblings: 0, tupleItems: 0 },
) {
  if (typeof schema !== "object" || schema === null) {
    return use;
  }
  const node = schema as Record<string, unknown>;
  if ("$ref" in node && Object.keys(node).length > 1) {
    use.refsWithSiblings++;
  }
  for (const [keyword, value] of Object.entries(node)) {
    use.keywords.add(keyword);
    if (keyword === "properties" || keyword === "$defs") {
      Object.values(value as Record<string, unknown>).forEach((sub) => schemaUse(sub, use));
    } else if (keyword === "oneOf") {
      (value as unknown[]).forEach((sub) => schemaUse(sub, use));
    } else if (["items", "additionalProperties", "if", "then"].includes(keyword)) {
      if (Array.isArray(value)) {
        use.tupleItems++;
      }
      schemaUse(value, use);
    }
  }
  return use;
}

/** The CLI's schema check of a project file; its errors, empty when the file passes. */
function schemaErrors(schema: Record<string, unknown>, file: unknown): string[] {
  // Ajv 6 knows no 2020-12 meta-schema; the first test shows the rest of the schema means the same.
  const { $schema: _metaSchema, ...draft07 } = schema;
  const validate = new Ajv({ allErrors: true }).compile(draft07);
  return validate(file) ? [] : (validate.errors ?? []).map((e) => `${e.dataPath} ${e.message}`);
}

/** ValidateConfigValue (project.go:771), for values as JSON or YAML parse them. */
function cliAcceptsValue(type: string, items: ItemsType | undefined, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      // An int, a whole float64, or text strconv.Atoi parses.
      return (
        (typeof value === "number" && Number.isInteger(value)) ||
        (typeof value === "string" && /^[+-]?\d+$/.test(value))
      );
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      // Any other name, `array` included, needs a list and `items`.
      return (
        Array.isArray(value) &&
        items !== undefined &&
        value.every((item) => cliAcceptsValue(items.type, items.items, item))
      );
  }
}

/** InferFullTypeName (project.go:760): how the CLI's errors name a type, `array<object>`. */
function cliTypeName(type: string, items: ItemsType | undefined): string {
  return items === undefined ? type : `array<${cliTypeName(items.type, items.items)}>`;
}

/** Project.Validate (project.go:837) for this project's own keys: why the CLI refuses, or undefined. */
function projectDeclarationProblem(key: string, declaration: Declaration): string | undefined {
  if (declaration.type === undefined) {
    return undefined;
  }
  if (declaration.type === "array" && declaration.items === undefined) {
    return `The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`;
  }
  if (
    declaration.default !== undefined &&
    !cliAcceptsValue(declaration.type, declaration.items, declaration.default)
  ) {
    return `The default value specified for configuration key '${key}' is not of the expected type '${cliTypeName(declaration.type, declaration.items)}'`;
  }
  return undefined;
}

/**
 * A stack file's value as validateStackConfigValue sees it: a map or list as itself (its JSON parsed
 * back), any scalar as its text (config.Value keeps `true` and `90` as "true" and "90").
 */
function asCliSeesStackValue(value: unknown): unknown {
  return typeof value === "object" && value !== null ? value : String(value);
}

const stackFiles = readdirSync(PROJECT_ROOT).filter((file) => /^Pulumi\.[^.]+\.yaml$/.test(file));

describe("Pulumi.yaml under the Pulumi CLI's own rules (pulumi/pulumi 1b5949891b)", () => {
  it("is checked with a schema whose every keyword means the same to Ajv's draft-07", () => {
    const use = schemaUse(cliSchema);
    expect([...use.keywords].filter((keyword) => !SAME_IN_DRAFT_07.has(keyword))).toEqual([]);
    expect(use.refsWithSiblings).toBe(0);
    expect(use.tupleItems).toBe(0);
  });

  it("passes the CLI's project schema", () => {
    expect(schemaErrors(cliSchema, project)).toEqual([]);
  });

  it("needs a CLI whose schema knows `object` (3.186.0 on): an older one refuses the file", () => {
    const defs = cliSchema.$defs as Record<string, { enum?: string[] }>;
    const beforeObjectType = {
      ...cliSchema,
      $defs: {
        ...defs,
        simpleConfigType: {
          ...defs.simpleConfigType,
          enum: defs.simpleConfigType.enum?.filter((type) => type !== "object"),
        },
      },
    };
    expect(schemaErrors(beforeObjectType, project).join("\n")).toMatch(/config\['tags'\]/);
  });

  it("types tags as a map and snapshots as a list of maps", () => {
    expect(project.config.tags).toMatchObject({ type: "object" });
    expect(project.config.snapshots).toMatchObject({ type: "array", items: { type: "object" } });
  });

  it.each(ownKeys)("gives %s a declaration Project.Validate accepts", (key, declaration) => {
    expect(projectDeclarationProblem(key, declaration)).toBeUndefined();
  });

  it("would be refused for a default that is not of its type, as the CLI refuses it", () => {
    const tags = project.config.tags as Declaration;
    const snapshots = project.config.snapshots as Declaration;
    expect(projectDeclarationProblem("tags", { ...tags, default: [] })).toBe(
      "The default value specified for configuration key 'tags' is not of the expected type 'object'",
    );
    expect(
      projectDeclarationProblem("snapshots", { ...snapshots, default: [{ name: "a" }, "b"] }),
    ).toBe(
      "The default value specified for configuration key 'snapshots' is not of the expected type 'array<object>'",
    );
    expect(projectDeclarationProblem("snapshots", { ...snapshots, items: undefined })).toMatch(
      /'snapshots' declares an array but does not specify the underlying type/,
    );
    expect(
      schemaErrors(cliSchema, {
        ...project,
        config: { ...project.config, tags: { ...tags, type: "map" } },
      }),
    ).not.toEqual([]);
  });

  it("finds the stack files", () => {
    expect(stackFiles).toEqual(
      expect.arrayContaining(["Pulumi.dev.yaml", "Pulumi.local.yaml", "Pulumi.prod.yaml"]),
    );
  });

  it.each(stackFiles)("%s sets every typed key to a value `pulumi up` accepts", (file) => {
    const stack = yaml.load(readFileSync(join(PROJECT_ROOT, file), "utf8")) as {
      config?: Record<string, unknown>;
    };
    const refused = Object.entries(stack.config ?? {}).filter(([fullKey, value]) => {
      const key = fullKey.startsWith(`${project.name}:`)
        ? fullKey.slice(project.name.length + 1)
        : undefined;
      const declaration =
        key === undefined ? undefined : (project.config[key] as Declaration | undefined);
      return (
        declaration?.type !== undefined &&
        !cliAcceptsValue(declaration.type, declaration.items, asCliSeesStackValue(value))
      );
    });
    expect(refused).toEqual([]);
  });

  it("refuses tags given as JSON text, which `pulumi config set tags '{...}'` writes", () => {
    const { type = "", items } = project.config.tags as Declaration;
    expect(cliAcceptsValue(type, items, asCliSeesStackValue('{"team":"data"}'))).toBe(false);
    expect(cliAcceptsValue(type, items, asCliSeesStackValue({ team: "data" }))).toBe(true);
  });

  it("is enforced by npm start too: structured keys written as text are refused, with the fix", () => {
    const read = (values: Record<string, unknown>) => () =>
      readStackConfig(new StackFileConfig(values), { hasApiKey: false });
    expect(read({ tags: '{"team":"data"}' })).toThrow(
      'Config `api-s3-load:tags` is "{\\"team\\":\\"data\\"}", not valid structured config. Use a map of strings, e.g. `tags: {team: data}` in the stack file.',
    );
    expect(read({ snapshots: JSON.stringify(DEFAULT_SNAPSHOTS) })).toThrow(
      /^Config `api-s3-load:snapshots` is .*, not valid structured config\. Use a list of/,
    );
    expect(read({ tags: { team: "data" } })().tags).toMatchObject({ team: "data" });
  });
});
