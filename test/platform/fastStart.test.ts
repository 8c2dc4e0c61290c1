/**
 * Issue 10 item 2: under the Pulumi CLI the program and the policy pack start without a second
 * type check, while `npm run typecheck` stays the gate in `npm test` and before every `pulumi`
 * command in CI.
 *
 * The program is loaded by @pulumi/pulumi's own cmd/run/run.js (bench/cliLoadChild.js), in a fresh
 * process, with the environment the Node.js language host derives from Pulumi.yaml.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { load } from "js-yaml";
import * as ts from "typescript";

const ROOT = join(__dirname, "..", "..");
const POLICY_DIR = join(ROOT, "policy");
const LOADER = join(ROOT, "bench", "cliLoadChild.js");
const TYPE_ERROR = `const answer: number = "forty-two";\nexport const value = answer;\n`;

interface LoadResult {
  loadMs: number;
  transpileOnly: boolean | null;
  resources: number;
  snapshots: number;
  error?: string;
}

interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

function execNode(args: string[], cwd = ROOT): Promise<Exec> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Loads `program` through run.js; `tsconfig` is what the host passes (undefined: none). */
async function loadLikeTheCli(program: string, tsconfig: string | undefined): Promise<LoadResult> {
  const run = await execNode([LOADER, program, "dev", ...(tsconfig ? [tsconfig] : [])]);
  const line = run.stdout.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
  if (run.code !== 0 || !line) {
    throw new Error(`cliLoadChild.js exited ${run.code} without a result:\n${run.stderr}`);
  }
  return JSON.parse(line.slice("BENCH_RESULT ".length)) as LoadResult;
}

/** `runtime.options` of Pulumi.yaml, which the language host turns into its environment. */
function runtimeOptions(): Record<string, unknown> {
  const project = load(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as {
    runtime: { name: string; options?: Record<string, unknown> };
  };
  expect(project.runtime.name).toBe("nodejs");
  return project.runtime.options ?? {};
}

/** The compiler options run.js and run-policy-pack read: the file's own, `extends` not followed. */
function ownCompilerOptions(path: string): Record<string, unknown> {
  const { loadTypeScriptCompilerOptions } = require("@pulumi/pulumi/tsutils") as {
    loadTypeScriptCompilerOptions: (p: string) => Record<string, unknown>;
  };
  return loadTypeScriptCompilerOptions(path);
}

function parsedConfig(path: string): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (!parsed) {
    throw new Error(`${path} could not be parsed.`);
  }
  return parsed;
}

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      return name === "node_modules" || name === "dist" ? [] : tsFilesUnder(path);
    }
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

describe("program start under the Pulumi CLI", () => {
  let scratch: string;

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "fast-start-"));
  });

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it("Pulumi.yaml names a tsconfig whose own options turn type checking off and keep CommonJS", () => {
    const options = runtimeOptions();
    expect(options.typescript).toBe(true);
    expect(typeof options.tsconfig).toBe("string");
    const own = ownCompilerOptions(join(ROOT, options.tsconfig as string));
    expect(own.noCheck).toBe(true);
    // run.js lays these over its nodenext defaults: they must match what `tsc -p .` checks.
    const strict = ownCompilerOptions(join(ROOT, "tsconfig.json"));
    expect({
      module: own.module,
      moduleResolution: own.moduleResolution,
      target: own.target,
    }).toEqual({
      module: strict.module,
      moduleResolution: strict.moduleResolution,
      target: strict.target,
    });
  });

  it("run.js loads index.ts transpile-only with the project's config files and the program registers its resources", async () => {
    const result = await loadLikeTheCli(".", runtimeOptions().tsconfig as string);
    expect(result.error).toBeUndefined();
    expect(result.transpileOnly).toBe(true);
    expect(result.snapshots).toBe(1);
    expect(result.resources).toBeGreaterThan(result.snapshots);
  }, 120_000);

  it("a type error loads under the CLI's tsconfig, fails with ts-node's default, and fails the gate", async () => {
    const fixture = join(scratch, "typeError.ts");
    writeFileSync(fixture, TYPE_ERROR);

    const cli = await loadLikeTheCli(fixture, runtimeOptions().tsconfig as string);
    expect(cli.error).toBeUndefined();
    expect(cli.transpileOnly).toBe(true);

    // Control: the same load without the CLI tsconfig type-checks, so it is the check we skip.
    const checked = await loadLikeTheCli(fixture, undefined);
    expect(checked.transpileOnly).toBe(false);
    expect(checked.error).toContain("TS2322");

    // The gate: tsc with tsconfig.json's options (what `npm run typecheck` runs) on the file.
    const gateConfig = join(scratch, "tsconfig.json");
    writeFileSync(
      gateConfig,
      JSON.stringify({
        extends: join(ROOT, "tsconfig.json"),
        compilerOptions: { typeRoots: [join(ROOT, "node_modules", "@types")] },
        include: [],
        files: [fixture],
      }),
    );
    const tsc = await execNode([require.resolve("typescript/bin/tsc"), "-p", gateConfig]);
    expect(tsc.code).not.toBe(0);
    expect(tsc.stdout).toContain("error TS2322: Type 'string' is not assignable to type 'number'.");
  }, 180_000);

  it("`npm run typecheck` checks the program, the policy pack and everything they import", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.typecheck).toBe("tsc -p .");
    expect(pkg.scripts.pretest).toContain("npm run typecheck");
    const gate = parsedConfig(join(ROOT, "tsconfig.json"));
    expect(gate.options.noCheck).toBeFalsy();
    expect(gate.options.strict).toBe(true);
    const checked = new Set(gate.fileNames.map((f) => relative(ROOT, f)));
    const required = [
      join(ROOT, "index.ts"),
      ...["components", "config", "policy", join("packages", "snapshot-engine", "src")].flatMap(
        (dir) => tsFilesUnder(join(ROOT, dir)),
      ),
    ].map((f) => relative(ROOT, f));
    expect(required.filter((f) => !checked.has(f))).toEqual([]);
  });

  it("every workflow job runs the gate's check (`npm run typecheck:program`) before any pulumi command", () => {
    const dir = join(ROOT, ".github", "workflows");
    const files = readdirSync(dir).filter((f) => f.endsWith(".yml"));
    expect(files).toEqual(
      expect.arrayContaining(["main.yml", "pull-request.yml", "scheduled.yml"]),
    );
    const unguarded: string[] = [];
    let pulumiSteps = 0;
    for (const file of files) {
      const workflow = load(readFileSync(join(dir, file), "utf8")) as {
        jobs: Record<string, { steps?: { uses?: string; run?: string }[] }>;
      };
      for (const [job, { steps = [] }] of Object.entries(workflow.jobs)) {
        let gated = false;
        for (const step of steps) {
          const run = step.run ?? "";
          if (/^npm run typecheck:program$/m.test(run)) {
            gated = true;
          }
          const runsPulumi =
            step.uses?.startsWith("pulumi/actions") === true ||
            /(^|\s)pulumi (up|preview|refresh|destroy)\b/m.test(run);
          if (runsPulumi) {
            pulumiSteps += 1;
            if (!gated) {
              unguarded.push(`${file}: ${job}`);
            }
          }
        }
      }
    }
    expect(pulumiSteps).toBeGreaterThan(0);
    expect(unguarded).toEqual([]);
  });
});

describe("policy pack start under the Pulumi CLI", () => {
  /** ts-node as run-policy-pack registers it: type checking forced on, the pack's tsconfig. */
  function policyPackService(overrides: Record<string, unknown> = {}) {
    const tsNode = require("ts-node") as typeof import("ts-node");
    return tsNode.create({
      cwd: POLICY_DIR,
      typeCheck: true,
      compiler: "typescript",
      compilerOptions: {
        target: "ES2020",
        module: "nodenext",
        moduleResolution: "nodenext",
        sourceMap: "true",
        ...ownCompilerOptions(join(POLICY_DIR, "tsconfig.json")),
        ...overrides,
      },
    });
  }

  it("its tsconfig keeps the checker and node_modules typings out of run-policy-pack's ts-node", () => {
    const own = ownCompilerOptions(join(POLICY_DIR, "tsconfig.json"));
    expect(own).toMatchObject({ noCheck: true, noResolve: true });
    const service = policyPackService();
    // noResolve leaves imported modules out of the program, so ts-node needs every pack file as a root.
    expect(service.options.files).toBe(true);
    const probe = join(POLICY_DIR, "typeErrorProbe.ts");
    expect(() => service.compile(TYPE_ERROR, probe)).not.toThrow();
    // Control: with the checker on, the same source fails, so noCheck is what skips it.
    expect(() => policyPackService({ noCheck: false }).compile(TYPE_ERROR, probe)).toThrow(
      /TS2322/,
    );
  }, 60_000);
});
