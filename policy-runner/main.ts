/**
 * `npm run policy -- [--stack <name>] [--preview]`: the policy pack's verdict on a stack without the
 * Pulumi CLI, a backend or credentials, as `pulumi up` would give it (the CI gate), or with
 * `--preview` as a first `pulumi preview` would. Without `--stack`, every stack with a
 * Pulumi.<stack>.yaml, each in its own process (Pulumi's runtime state is per process).
 *
 * Exit code: 0 when no mandatory violation, 1 when one would stop the deployment, 2 when the check
 * could not run (usage, stack file, policy config, program, or a pack that does not load), with one
 * line saying why.
 */
import "../startup/supportedNode";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { flagsOrMistakes, formatFlags, parseFlags } from "../flags/parseFlags";
import { exitCodeOf, formatVerdict } from "./report";
import { checkStack, RunMode, SetupError } from "./stackVerdict";

const ROOT = resolve(__dirname, "..");
const COMMAND = "npm run policy";

const FLAGS = {
  stack: { type: "string", value: "NAME", help: "the stack to check (default: every stack)" },
  preview: {
    type: "boolean",
    help: "judge as a first pulumi preview would (unknown outputs); default: as pulumi up",
  },
  help: { type: "boolean", help: "this text" },
} as const;

export const USAGE = [
  `Usage: ${COMMAND} -- [--stack <name>] [--preview]`,
  "Runs the program under Pulumi's mocks and sends every resource to the policy pack (policy/) as",
  "`pulumi up --policy-pack policy --policy-pack-config policy/config/<stack>.json` would: every",
  "value known, and a mandatory resource violation stops before the stack policies (the CI gate).",
  "--preview: as a first `pulumi preview` would instead: outputs of new resources unknown, every",
  "resource and the stack policies checked. See docs/policy.md for what only the CLI knows.",
  "Without --stack, checks every stack that has a Pulumi.<stack>.yaml.",
  "",
  "Options:",
  formatFlags(FLAGS),
];

export interface Io {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

/** The stacks of the project: every Pulumi.<stack>.yaml next to Pulumi.yaml. */
export function projectStacks(root: string): string[] {
  return readdirSync(root)
    .map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

async function checkOne(stack: string, mode: RunMode, io: Io): Promise<number> {
  try {
    const verdict = await checkStack({ root: ROOT, stack, mode });
    formatVerdict(verdict).forEach((line) => io.stdout(line));
    return exitCodeOf(verdict);
  } catch (error) {
    if (error instanceof SetupError) {
      io.stderr(`policy: stack ${stack}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

/** Checks each stack in a child process of this same command, and returns the worst exit code. */
function checkEach(stacks: string[], mode: RunMode): number {
  let worst = 0;
  for (const stack of stacks) {
    const child = spawnSync(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        __filename,
        "--stack",
        stack,
        ...(mode === "preview" ? ["--preview"] : []),
      ],
      { cwd: ROOT, stdio: "inherit" },
    );
    worst = Math.max(worst, child.status ?? 2);
  }
  return worst;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const flags = flagsOrMistakes(
    () => parseFlags(argv, FLAGS, COMMAND),
    (problem) => io.stderr(`policy: ${problem}`),
  );
  if (flags === undefined) {
    return 2;
  }
  if (flags.help) {
    USAGE.forEach((line) => io.stdout(line));
    return 0;
  }
  const mode: RunMode = flags.preview ? "preview" : "up";
  if (flags.stack !== undefined) {
    return checkOne(flags.stack, mode, io);
  }
  const stacks = projectStacks(ROOT);
  if (stacks.length === 0) {
    io.stderr(`policy: no Pulumi.<stack>.yaml in ${ROOT}. Create a stack, or pass --stack.`);
    return 2;
  }
  return checkEach(stacks, mode);
}

if (require.main === module) {
  main(process.argv.slice(2), {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (code) => {
      process.exit(code);
    },
    (error: unknown) => {
      process.stderr.write(`policy: ${(error as Error).message}\n`);
      process.exit(2);
    },
  );
}
