/**
 * The `run:` scripts of a GitHub Actions workflow and the shell GitHub runs each with, so shellcheck
 * can check them as that shell would run them.
 */
import { load } from "js-yaml";

export interface RunScript {
  /** Where the step is, for messages: `jobs.<job>.steps[<i>]` and the step's name when it has one. */
  where: string;
  script: string;
  /** `bash` or `sh`: the shells shellcheck understands. */
  shell: "bash" | "sh";
}

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `defaults.run.shell` of a workflow or job, if set. */
function defaultShell(node: Node): string | undefined {
  const defaults = node.defaults;
  if (isNode(defaults) && isNode(defaults.run) && typeof defaults.run.shell === "string") {
    return defaults.run.shell;
  }
  return undefined;
}

/** Whether every `runs-on` label is a Windows one, where the default shell is PowerShell. */
function runsOnWindows(job: Node): boolean {
  const labels = ([] as unknown[]).concat(job["runs-on"] ?? []);
  return labels.some((label) => typeof label === "string" && /^windows(-|$)/i.test(label));
}

/**
 * Every `run:` step run by bash or sh, with the shell GitHub picks: the step's `shell`, else the
 * job's `defaults.run.shell`, else the workflow's, else bash on Linux and macOS runners. A shell
 * given as a command (`bash -l {0}`) counts as its program. Steps in other shells (pwsh, python)
 * are left out. Throws the YAML parser's message when the file is not YAML.
 */
export function runScripts(source: string): RunScript[] {
  const workflow = load(source);
  if (!isNode(workflow) || !isNode(workflow.jobs)) {
    return [];
  }
  const found: RunScript[] = [];
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    if (!isNode(job) || !Array.isArray(job.steps)) {
      continue;
    }
    const jobShell =
      defaultShell(job) ?? defaultShell(workflow) ?? (runsOnWindows(job) ? "pwsh" : "bash");
    job.steps.forEach((step: unknown, index: number) => {
      if (!isNode(step) || typeof step.run !== "string") {
        return;
      }
      const shell = (typeof step.shell === "string" ? step.shell : jobShell).split(/\s+/)[0];
      if (shell !== "bash" && shell !== "sh") {
        return;
      }
      const name = typeof step.name === "string" ? ` ("${step.name}")` : "";
      found.push({ where: `jobs.${jobId}.steps[${index}]${name}`, script: step.run, shell });
    });
  }
  return found;
}
