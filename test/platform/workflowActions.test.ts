/**
 * Issue 23 §3: every action the workflows use runs on GitHub's node24 runtime. node20 is deprecated
 * on GitHub's runners (forced onto node24, then removed), so an action pinned to a node20 major
 * warns on every run and later stops.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";

const WORKFLOWS = join(__dirname, "..", "..", ".github", "workflows");

/**
 * The first major of each action whose action.yml says `runs.using: node24`, from each project's
 * release notes: checkout v5.0.0 and setup-node v5.0.0 (2025-08/09), setup-python v6.0.0,
 * configure-aws-credentials v6.0.0 (2026-02-04), pulumi/actions v7.0.0 (2026-05; v6.x is node20).
 */
const FIRST_NODE24_MAJOR: Record<string, number> = {
  "actions/checkout": 5,
  "actions/setup-node": 5,
  "actions/setup-python": 6,
  "aws-actions/configure-aws-credentials": 6,
  "pulumi/actions": 7,
};

interface Workflow {
  jobs: Record<string, { steps?: { uses?: string }[] }>;
}

const uses = readdirSync(WORKFLOWS)
  .filter((f) => f.endsWith(".yml"))
  .flatMap((file) => {
    const workflow = load(readFileSync(join(WORKFLOWS, file), "utf8")) as Workflow;
    return Object.entries(workflow.jobs).flatMap(([job, { steps = [] }]) =>
      steps.filter((s) => s.uses !== undefined).map((s) => [`${file} ${job}`, s.uses!] as const),
    );
  });

it("the workflows use actions", () => {
  expect(uses.length).toBeGreaterThan(0);
});

it.each(uses)("%s: %s is on a major tag that runs on node24", (_where, ref) => {
  const [action, tag] = ref.split("@");
  expect(Object.keys(FIRST_NODE24_MAJOR)).toContain(action);
  const major = /^v(\d+)$/.exec(tag);
  expect(major).not.toBeNull();
  expect(Number(major![1])).toBeGreaterThanOrEqual(FIRST_NODE24_MAJOR[action]);
});
