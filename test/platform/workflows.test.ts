/**
 * What the GitHub workflows must do for what the README and docs/operations.md say about them to
 * hold: run the whole suite (moto included) on the Node line the project develops on, install the
 * Pulumi CLI the code was read against, and give the CLI the flags the scheduled job uses.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { MOTO_VERSION } from "../helpers/motoAvailability";

const ROOT = join(__dirname, "..", "..");
const WORKFLOWS = join(ROOT, ".github/workflows");

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  env?: Record<string, unknown>;
  strategy?: { matrix?: Record<string, unknown> };
  steps: Step[];
}
interface Workflow {
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const workflows: [string, Workflow][] = readdirSync(WORKFLOWS)
  .filter((f) => f.endsWith(".yml"))
  .sort()
  .map((f) => [f, load(readFileSync(join(WORKFLOWS, f), "utf8")) as Workflow]);

/** Every job as `<file> <job>`, with its steps and the environment its steps inherit. */
const jobs = workflows.flatMap(([file, workflow]) =>
  Object.entries(workflow.jobs).map(([id, job]) => ({
    where: `${file} ${id}`,
    job,
    env: { ...workflow.env, ...job.env },
  })),
);

const runs = (step: Step, pattern: RegExp) =>
  typeof step.run === "string" && pattern.test(step.run);
const usesAction = (step: Step, action: string) => step.uses?.split("@")[0] === action;

/** @pulumi/pulumi's version as the lockfile installs it: the SDK the code was read against. */
function lockedSdkVersion(): string {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { version?: string }>;
  };
  const version = lock.packages["node_modules/@pulumi/pulumi"]?.version;
  if (!version) {
    throw new Error("package-lock.json has no node_modules/@pulumi/pulumi entry");
  }
  return version;
}

describe("every job that runs npm test", () => {
  const testing = jobs.filter(({ job }) => job.steps.some((s) => runs(s, /\bnpm test\b/)));

  it("exists in the push and the pull-request workflow", () => {
    expect(testing.map((j) => j.where)).toEqual(["main.yml test", "pull-request.yml test"]);
  });

  it.each(testing.map((j) => [j.where, j.job] as const))(
    "%s installs the pinned moto before npm test, so the moto suites run instead of being skipped",
    (_where, job) => {
      const index = (match: (s: Step) => boolean) => job.steps.findIndex(match);
      const python = index((s) => usesAction(s, "actions/setup-python"));
      const moto = index((s) => runs(s, /^pip install 'moto\[server\]==([\d.]+)'$/m));
      const test = index((s) => runs(s, /\bnpm test\b/));
      expect(python).toBeGreaterThanOrEqual(0);
      expect(moto).toBeGreaterThan(python);
      expect(test).toBeGreaterThan(moto);
      expect(job.steps[moto].run?.trim()).toBe(`pip install 'moto[server]==${MOTO_VERSION}'`);
    },
  );
});

describe("Node.js in the workflows", () => {
  const nvmrc = readFileSync(join(ROOT, ".nvmrc"), "utf8").trim();
  const setups = jobs.flatMap(({ where, job }) =>
    job.steps
      .filter((s) => usesAction(s, "actions/setup-node"))
      .map((s) => ({ where, step: s, job })),
  );

  it(".nvmrc names one Node line, the one the project develops on", () => {
    expect(nvmrc).toMatch(/^\d+$/);
  });

  it.each(setups.map(({ where, step, job }) => [where, step, job] as const))(
    "%s reads .nvmrc, or tests a matrix of lines that includes it",
    (_where, step, job) => {
      if (step.with?.["node-version-file"] !== undefined) {
        expect(step.with).toEqual({ "node-version-file": ".nvmrc", cache: "npm" });
      } else {
        expect(step.with?.["node-version"]).toBe("${{ matrix.node }}");
        expect(job.strategy?.matrix?.node).toContain(Number(nvmrc));
      }
    },
  );
});

describe("the Pulumi CLI the workflows install", () => {
  const sdk = lockedSdkVersion();
  const pulumiSteps = jobs.flatMap(({ where, job }) =>
    job.steps.filter((s) => usesAction(s, "pulumi/actions")).map((s) => [where, s] as const),
  );

  it("is installed by pulumi/actions in every job that deploys or previews", () => {
    expect(pulumiSteps.map(([where]) => where)).toEqual([
      "main.yml deploy-dev",
      "main.yml deploy-prod",
      "pull-request.yml preview",
      "pull-request.yml preview-local",
      "scheduled.yml refresh",
    ]);
  });

  it.each(pulumiSteps)(
    "%s pins pulumi-version to @pulumi/pulumi's version in package-lock.json",
    (_where, step) => {
      expect(step.with?.["pulumi-version"]).toBe(sdk);
    },
  );

  it("is the only Pulumi CLI: every run: step that calls pulumi comes after a pinned install", () => {
    const unpinned: string[] = [];
    for (const { where, job } of jobs) {
      const installed = job.steps.findIndex((s) => usesAction(s, "pulumi/actions"));
      job.steps.forEach((step, i) => {
        if (runs(step, /(^|[\s;&|(])pulumi\s/m) && (installed < 0 || installed > i)) {
          unpinned.push(`${where} steps[${i}]`);
        }
        if (runs(step, /get\.pulumi\.com|install-pulumi/)) {
          unpinned.push(`${where} steps[${i}] installs a CLI of its own`);
        }
      });
    }
    expect(unpinned).toEqual([]);
  });
});

describe("the type check before pulumi", () => {
  it("runs in every job that runs pulumi, before it, as the gate's own check that leaves its record", () => {
    const unchecked: string[] = [];
    for (const { where, job } of jobs) {
      const typecheck = job.steps.findIndex((s) => runs(s, /^npm run typecheck:program$/m));
      const pulumi = job.steps.findIndex(
        (s) =>
          (usesAction(s, "pulumi/actions") && s.with?.command !== undefined) ||
          runs(s, /(^|[\s;&|(])pulumi\s/m),
      );
      if (pulumi >= 0 && (typecheck < 0 || typecheck > pulumi)) {
        unchecked.push(where);
      }
    }
    expect(unchecked).toEqual([]);
  });
});

describe("pulumi commands in run: steps", () => {
  const pulumiRuns = jobs.flatMap(({ where, job, env }) =>
    job.steps
      .filter((s) => runs(s, /(^|[\s;&|(])pulumi\s/m))
      .map((s) => [where, s, { ...env, ...s.env }] as const),
  );

  it("include the scheduled refresh", () => {
    expect(pulumiRuns.map(([where]) => where)).toEqual(["scheduled.yml refresh"]);
  });

  it.each(pulumiRuns)(
    "%s sets PULUMI_DEBUG_COMMANDS where it passes --event-log (the CLI defines that flag only then)",
    (_where, step, env) => {
      if (/--event-log\b/.test(step.run ?? "")) {
        expect(env.PULUMI_DEBUG_COMMANDS).toBe("true");
      }
    },
  );

  it("refresh before each scheduled update, so drift outside the stack does not fail every run", () => {
    const [, step] = pulumiRuns.find(([where]) => where === "scheduled.yml refresh")!;
    expect(step.run).toMatch(/pulumi up [^\n]*\\\n\s+--refresh /);
  });
});
