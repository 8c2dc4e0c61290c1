/**
 * The type-check gate: under the Pulumi CLI the program starts transpile-only, so the program checks
 * its own sources before it registers anything, and only again when one of them changed.
 */
import { execFile, execFileSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  assertProgramTypeChecks,
  installedTypescriptVersion,
  stampMatches,
  stampPaths,
} from "../../startup/typeCheckGate";

const ROOT = join(__dirname, "..", "..");
const TS_VERSION = installedTypescriptVersion(ROOT);

describe("the type-check gate on a small program", () => {
  let project: string;

  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), "typecheck-gate-"));
    symlinkSync(join(ROOT, "node_modules"), join(project, "node_modules"), "dir");
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, module: "commonjs", target: "ES2022" } }),
    );
    writeFileSync(
      join(project, "index.ts"),
      'import { size } from "./lib";\nexport const n = size;\n',
    );
    writeFileSync(join(project, "lib.ts"), "export const size: number = 1;\n");
  });

  afterEach(() => {
    stampPaths(project).forEach((path) => rmSync(path, { force: true }));
    rmSync(project, { recursive: true, force: true });
  });

  it("passes a program that type-checks and remembers it by its files' contents", () => {
    expect(stampMatches(project, TS_VERSION)).toBe(false);
    assertProgramTypeChecks(project);
    expect(stampMatches(project, TS_VERSION)).toBe(true);
    const stamp = JSON.parse(readFileSync(stampPaths(project)[0], "utf8")) as { files: object };
    expect(Object.keys(stamp.files).sort()).toEqual(["index.ts", "lib.ts", "tsconfig.json"]);
  });

  it("stops on a type error in an imported file, naming it and the error, and passes once fixed", () => {
    assertProgramTypeChecks(project);
    writeFileSync(join(project, "lib.ts"), 'export const size: number = "one";\n');
    expect(stampMatches(project, TS_VERSION)).toBe(false);
    expect(() => assertProgramTypeChecks(project)).toThrow(
      /does not type-check, so nothing was deployed[\s\S]*lib\.ts\(1,14\): error TS2322/,
    );
    writeFileSync(join(project, "lib.ts"), "export const size: number = 2;\n");
    expect(() => assertProgramTypeChecks(project)).not.toThrow();
    expect(stampMatches(project, TS_VERSION)).toBe(true);
  });

  it("checks again after a TypeScript upgrade or a settings change", () => {
    assertProgramTypeChecks(project);
    expect(stampMatches(project, "0.0.0")).toBe(false);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: false, module: "commonjs" } }),
    );
    expect(stampMatches(project, TS_VERSION)).toBe(false);
  });
});

describe("the project's program under the Pulumi CLI's start", () => {
  let copy: string;

  beforeAll(() => {
    // A copy of the working tree (tracked and new files) with the installed node_modules, so the real sources stay intact.
    copy = mkdtempSync(join(tmpdir(), "typecheck-gate-project-"));
    const files = execFileSync(
      "git",
      ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
      { cwd: ROOT, encoding: "utf8" },
    )
      .split("\0")
      .filter((f) => f !== "");
    for (const file of files) {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(ROOT, file), join(copy, file));
    }
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
  });

  afterAll(() => {
    stampPaths(copy).forEach((path) => rmSync(path, { force: true }));
    rmSync(copy, { recursive: true, force: true });
  });

  function startLikeTheCli(): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [join(copy, "bench", "cliLoadChild.js"), ".", "dev", "tsconfig.pulumi.json"],
        { cwd: copy, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
          resolve({ code, out: stdout + stderr });
        },
      );
    });
  }

  it("the CI step before `pulumi` (npm run typecheck:program) leaves the record the program's start uses", async () => {
    // The script as npm runs it: its command line from package.json, node_modules/.bin on PATH.
    const pkg = JSON.parse(readFileSync(join(copy, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    const step = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        "sh",
        ["-c", pkg.scripts["typecheck:program"]],
        {
          cwd: copy,
          env: {
            ...process.env,
            PATH: [
              join(copy, "node_modules", ".bin"),
              dirname(process.execPath),
              process.env.PATH,
            ].join(":"),
          },
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
      );
    });
    expect(step).toEqual({
      code: 0,
      out: "The program type-checks; its start under `pulumi` will not check again until a file changes.\n",
    });
    // The program's start in the same job: its files match the record, so it does not check again.
    expect(assertProgramTypeChecks(copy)).toBe("unchanged");
  }, 240_000);

  it("refuses a type error in a component that transpile-only would deploy, and starts once it is fixed", async () => {
    const file = join(copy, "components", "privateBucket", "bucketPolicies.ts");
    const original = readFileSync(file, "utf8");
    writeFileSync(file, `${original}\nexport const wrongType: number = "not a number";\n`);

    const refused = await startLikeTheCli();
    expect(refused.out).toContain("does not type-check, so nothing was deployed");
    expect(refused.out).toContain("bucketPolicies.ts");
    expect(refused.out).toContain("TS2322");
    expect(refused.out).not.toMatch(/"snapshots":[1-9]/);

    writeFileSync(file, original);
    const started = await startLikeTheCli();
    expect(started.out).toMatch(/"transpileOnly":true,"resources":\d+,"snapshots":1/);
    expect(stampMatches(copy, TS_VERSION)).toBe(true);
  }, 240_000);
});
