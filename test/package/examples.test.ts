/**
 * examples/python and examples/yaml cannot run here (no Pulumi CLI, no AWS); what can be checked
 * is: the Python compiles, and every resource, argument and output the two programs use exists in
 * the package schema under the name the generated SDK gives it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as yaml from "js-yaml";
import { PROJECT_ROOT } from "../helpers/pulumiHost";
import { PROVIDER_DIR, urnFor } from "../helpers/packageProviderHost";
import { checkSnapshot } from "../../provider/src/snapshot";

interface PropertySpec {
  $ref?: string;
  type?: string;
  items?: PropertySpec;
  oneOf?: PropertySpec[];
}
interface ResourceSpec {
  inputProperties: Record<string, PropertySpec>;
  properties: Record<string, unknown>;
  requiredInputs?: string[];
}
interface TypeSpec {
  properties?: Record<string, PropertySpec>;
  required?: string[];
}
const schema = JSON.parse(readFileSync(join(PROVIDER_DIR, "schema.json"), "utf8")) as {
  name: string;
  resources: Record<string, ResourceSpec>;
  types: Record<string, TypeSpec>;
};
const TYPE_PREFIX = "#/types/";

/** The object type a property holds (directly, in a list or as a union's member), if any. */
function objectTypeOf(spec: PropertySpec | undefined): string | undefined {
  const ref = [spec, spec?.items, ...(spec?.oneOf ?? [])].find(
    (s) =>
      s?.$ref?.startsWith(TYPE_PREFIX) && schema.types[s.$ref.slice(TYPE_PREFIX.length)].properties,
  )?.$ref;
  return ref?.slice(TYPE_PREFIX.length);
}

/**
 * Every problem of a literal object value against the schema type its property holds, at any
 * depth: keys the type does not declare, and required keys left out. Interpolations are skipped.
 */
function nestedProblems(value: unknown, spec: PropertySpec | undefined, path: string): string[] {
  const token = objectTypeOf(spec);
  if (token === undefined || typeof value !== "object" || value === null) {
    return [];
  }
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => nestedProblems(v, spec, `${path}[${i}]`));
  }
  const type = schema.types[token];
  const fields = type.properties ?? {};
  return [
    ...Object.keys(value)
      .filter((k) => !(k in fields))
      .map((k) => `${path}.${k} is not a property of ${token}`),
    ...(type.required ?? [])
      .filter((k) => !(k in value))
      .map((k) => `${path}.${k} is required by ${token}`),
    ...Object.entries(value).flatMap(([k, v]) => nestedProblems(v, fields[k], `${path}.${k}`)),
  ];
}
const EXAMPLES = join(PROJECT_ROOT, "examples");
const PYTHON_MAIN = join(EXAMPLES, "python", "__main__.py");

/** The generated Python SDK's names: a class per resource, snake_case arguments and properties. */
const pythonClass = (token: string) => token.split(":")[2];
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** `api_s3_load.X(...)` calls and `<var>.<attr>` reads of __main__.py, parsed by Python's own ast. */
function pythonUses(): {
  calls: { cls: string; target: string; kwargs: string[] }[];
  attributes: { target: string; attr: string }[];
  argsCalls: { cls: string; kwargs: string[] }[];
  keywords: string[];
} {
  const script = `
import ast, json, keyword, sys
tree = ast.parse(open(sys.argv[1]).read())
calls, attributes, targets, args_calls = [], [], {}, []
for node in ast.walk(tree):
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
        f = node.value.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "api_s3_load":
            name = node.targets[0].id
            targets[name] = f.attr
            calls.append({"cls": f.attr, "target": name, "kwargs": [k.arg for k in node.value.keywords]})
for node in ast.walk(tree):
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in targets:
        attributes.append({"target": node.value.id, "attr": node.attr})
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and node.func.value.id == "api_s3_load" and node.func.attr.endswith("Args"):
        args_calls.append({"cls": node.func.attr, "kwargs": [k.arg for k in node.keywords]})
print(json.dumps({"calls": calls, "attributes": attributes, "argsCalls": args_calls, "keywords": keyword.kwlist}))
`;
  const run = spawnSync("python3", ["-c", script, PYTHON_MAIN], { encoding: "utf8" });
  if (run.status !== 0) {
    throw new Error(`python3 could not parse ${PYTHON_MAIN}: ${run.stderr}`);
  }
  return JSON.parse(run.stdout) as ReturnType<typeof pythonUses>;
}

describe("examples/python", () => {
  it("compiles", () => {
    const dir = mkdtempSync(join(tmpdir(), "api-s3-load-pyc-"));
    try {
      const run = spawnSync(
        "python3",
        [
          "-c",
          "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)",
          PYTHON_MAIN,
          join(dir, "main.pyc"),
        ],
        { encoding: "utf8" },
      );
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("uses only resources, arguments and outputs the schema declares, and every required one", () => {
    const byClass = new Map(
      Object.entries(schema.resources).map(([token, spec]) => [pythonClass(token), spec]),
    );
    const uses = pythonUses();
    expect(uses.calls.map((c) => c.cls).sort()).toEqual(["PrivateBucket", "Snapshot", "Snapshot"]);
    for (const call of uses.calls) {
      const spec = byClass.get(call.cls)!;
      const inputs = Object.keys(spec.inputProperties).map(snake);
      expect(call.kwargs.filter((k) => !inputs.includes(k))).toEqual([]);
      expect(
        (spec.requiredInputs ?? []).map(snake).filter((r) => !call.kwargs.includes(r)),
      ).toEqual([]);
    }
    const targets = new Map(uses.calls.map((c) => [c.target, byClass.get(c.cls)!]));
    const unknown = uses.attributes.filter(
      ({ target, attr }) => !Object.keys(targets.get(target)!.properties).map(snake).includes(attr),
    );
    expect(unknown).toEqual([]);
    expect(uses.attributes.map((a) => a.attr)).toContain("s3_uri");
  });

  it("builds nested inputs only from types the schema declares, with their arguments, required ones set", () => {
    const uses = pythonUses();
    // The generated SDK's argument name: snake_case, with `_` after a Python keyword (`from_`).
    const pyArg = (name: string) =>
      uses.keywords.includes(snake(name)) ? `${snake(name)}_` : snake(name);
    expect(uses.argsCalls.map((c) => c.cls).sort()).toEqual(["PaginationArgs", "SourceArgs"]);
    for (const call of uses.argsCalls) {
      const type = schema.types[`${schema.name}:index:${call.cls.replace(/Args$/, "")}`];
      expect(type?.properties).toBeDefined();
      const args = Object.keys(type.properties ?? {}).map(pyArg);
      expect(call.kwargs.filter((k) => !args.includes(k))).toEqual([]);
      expect((type.required ?? []).map(pyArg).filter((r) => !call.kwargs.includes(r))).toEqual([]);
    }
  });
});

interface YamlProgram {
  packages: Record<string, string>;
  resources: Record<string, { type: string; properties: Record<string, unknown> }>;
  outputs: Record<string, string>;
}

describe.each(["python", "yaml"])("examples/%s/Pulumi.yaml", (example) => {
  const project = yaml.load(
    readFileSync(join(EXAMPLES, example, "Pulumi.yaml"), "utf8"),
  ) as YamlProgram;

  it("adds the package from this checkout's plugin folder", () => {
    const source = project.packages[schema.name];
    expect(resolve(EXAMPLES, example, source)).toBe(PROVIDER_DIR);
    expect(existsSync(join(PROVIDER_DIR, "PulumiPlugin.yaml"))).toBe(true);
  });
});

describe("examples/yaml", () => {
  const project = yaml.load(
    readFileSync(join(EXAMPLES, "yaml", "Pulumi.yaml"), "utf8"),
  ) as YamlProgram;
  const ours = Object.entries(project.resources).filter(([, r]) =>
    r.type.startsWith(`${schema.name}:`),
  );

  it("declares a PrivateBucket and two Snapshots with properties the schema has, required ones set", () => {
    expect(ours.map(([, r]) => r.type).sort()).toEqual([
      "api-s3-load:index:PrivateBucket",
      "api-s3-load:index:Snapshot",
      "api-s3-load:index:Snapshot",
    ]);
    for (const [, resource] of ours) {
      const spec = schema.resources[resource.type];
      expect(spec).toBeDefined();
      const props = Object.keys(resource.properties);
      expect(props.filter((p) => !(p in spec.inputProperties))).toEqual([]);
      expect((spec.requiredInputs ?? []).filter((r) => !props.includes(r))).toEqual([]);
    }
  });

  it("gives nested object properties (a declared source) only fields the schema's types have", () => {
    const problems = ours.flatMap(([name, resource]) =>
      Object.entries(resource.properties).flatMap(([prop, value]) =>
        nestedProblems(
          value,
          schema.resources[resource.type].inputProperties[prop],
          `${name}.${prop}`,
        ),
      ),
    );
    expect(problems).toEqual([]);
    expect(ours.filter(([, r]) => r.properties.source !== undefined)).toHaveLength(1);
  });

  it("declares Snapshots the provider's check accepts (interpolated values left out)", async () => {
    const snapshots = ours.filter(([, r]) => r.type === "api-s3-load:index:Snapshot");
    for (const [name, resource] of snapshots) {
      const literal = Object.fromEntries(
        Object.entries(resource.properties).filter(
          ([, v]) => !(typeof v === "string" && v.includes("${")),
        ),
      );
      const checked = await checkSnapshot(urnFor(resource.type, name), {
        ...literal,
        bucket: "example-bucket",
      });
      expect(checked.failures).toEqual([]);
    }
  });

  it("would report a nested field the schema lacks, and a required one left out", () => {
    const source = schema.resources["api-s3-load:index:Snapshot"].inputProperties.source;
    const value = { baseUrl: "https://x.example", pagination: { type: "page", size: 5 } };
    expect(nestedProblems(value, source, "s")).toEqual([
      "s.name is required by api-s3-load:index:Source",
      "s.pagination.size is not a property of api-s3-load:index:Pagination",
    ]);
  });

  it("reads only outputs the schema declares", () => {
    const text = JSON.stringify(project);
    const refs = [...text.matchAll(/\$\{(\w+)\.(\w+)\}/g)].map(([, name, prop]) => ({
      name,
      prop,
    }));
    expect(refs.length).toBeGreaterThan(0);
    const unknown = refs.filter(({ name, prop }) => {
      const resource = project.resources[name];
      return !resource || !(prop in schema.resources[resource.type].properties);
    });
    expect(unknown).toEqual([]);
    expect(project.outputs.s3Uri).toBe("${coinsMarkets.s3Uri}");
  });
});
