/** How `npm run policy` prints a stack's verdict: one block per violation, then a count. */
import type { StackVerdict, StackViolation } from "./stackVerdict";

/** The policy's own sentence: the host puts the policy's description on a line before it. */
export function ownMessage(v: Pick<StackViolation, "message" | "description">): string {
  const prefix = `${v.description}\n`;
  return v.description !== "" && v.message.startsWith(prefix)
    ? v.message.slice(prefix.length)
    : v.message;
}

const ORDER = { mandatory: 0, remediate: 1, advisory: 2, disabled: 3 } as const;

/** What the verdict stands for, said on its second line. */
export const MODE_LINES = {
  up:
    "as `pulumi up` runs the pack: every value known, a mandatory resource violation stops the " +
    "deployment before the stack policies (--preview for a first `pulumi preview`)",
  preview:
    "as a first `pulumi preview` runs the pack (--preview): outputs of new resources unknown, " +
    "policies that read them reported as advisory notes, every resource and the stack policies checked",
} as const;

/** The lines printed for `verdict`, mandatory violations first. */
export function formatVerdict(verdict: StackVerdict): string[] {
  const lines = [
    `policy: stack ${verdict.stack}: ${verdict.resources} resources checked by ` +
      `${verdict.pack.name}@${verdict.pack.version} (${verdict.pack.policies} policies, ` +
      `config ${verdict.configFile})`,
    `policy: stack ${verdict.stack}: ${MODE_LINES[verdict.mode]}`,
  ];
  for (const warning of verdict.warnings) {
    lines.push(`  WARNING ${warning}`);
  }
  if (verdict.unknownValues.length > 0) {
    lines.push(
      `  UNKNOWN to this runner, which the CLI's policies would see: ${verdict.unknownValues.join("; ")}`,
    );
  }
  for (const r of verdict.remediations) {
    lines.push(`  REMEDIATED ${r.policyName} on ${r.resource}`);
  }
  const sorted = [...verdict.violations].sort(
    (a, b) => ORDER[a.enforcementLevel] - ORDER[b.enforcementLevel],
  );
  for (const v of sorted) {
    lines.push(`  ${v.enforcementLevel.toUpperCase()} ${v.policyName} on ${v.resource}`);
    lines.push(
      ...ownMessage(v)
        .split("\n")
        .map((l) => `      ${l}`),
    );
  }
  if (verdict.stoppedAt !== undefined) {
    lines.push(
      `  STOPPED \`pulumi up\` stops at ${verdict.stoppedAt}: later resources and the stack ` +
        "policies are not checked (--preview checks them all).",
    );
  }
  const count = (level: string) =>
    verdict.violations.filter((v) => v.enforcementLevel === level).length;
  lines.push(
    `policy: stack ${verdict.stack}: ${count("mandatory")} mandatory, ${count("advisory")} advisory ` +
      `violation(s)${count("mandatory") > 0 ? ": the engine would stop this deployment" : ""}`,
  );
  return lines;
}

/** Exit code: 1 when a mandatory violation would stop `pulumi preview`/`up`, else 0. */
export function exitCodeOf(verdict: StackVerdict): number {
  return verdict.violations.some((v) => v.enforcementLevel === "mandatory") ? 1 : 0;
}
