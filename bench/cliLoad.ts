/**
 * Item 2 (issue 10): how long the Pulumi CLI takes to start the program. Each run is a fresh process
 * (`cliLoadChild.js`) in which @pulumi/pulumi's cmd/run/run.js loads index.ts under mocks, as the
 * Node.js language host does: with the tsconfig Pulumi.yaml names (`runtime.options.tsconfig`,
 * noCheck: transpile-only), and with tsconfig.json (ts-node's default: type checking), the two
 * alternated so load on the machine falls on both alike.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { stampPaths } from "../startup/typeCheckGate";
import { PROJECT_ROOT, progress, runChild, spread, type Spread } from "./common";

export interface CliLoadResult {
  loadMs: number;
  transpileOnly: boolean | null;
  resources: number;
  snapshots: number;
  error?: string;
}

export interface CliLoadResults {
  /** The tsconfig Pulumi.yaml gives the language host. */
  tsconfig: string;
  runs: number;
  transpileMs: Spread;
  checkedMs: Spread;
  /** Per round: transpile-only ÷ type-checked. */
  ratio: Spread;
  /**
   * The first transpile-only start after a source change, when the type-check gate
   * (startup/typeCheckGate.ts) checks the program; every round's starts find nothing changed.
   */
  gateCheckMs: number;
  resources: number;
}

function cliTsconfig(): string {
  const project = load(readFileSync(join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as {
    runtime?: { options?: { tsconfig?: unknown } };
  };
  const tsconfig = project.runtime?.options?.tsconfig;
  if (typeof tsconfig !== "string") {
    throw new Error(
      "Pulumi.yaml has no runtime.options.tsconfig: set it to tsconfig.pulumi.json for a transpile-only start.",
    );
  }
  return tsconfig;
}

async function loadOnce(tsconfig: string | undefined, expectTranspileOnly: boolean) {
  const result = await runChild<CliLoadResult>(
    "cliLoadChild.js",
    [".", "dev", ...(tsconfig ? [tsconfig] : [])],
    300_000,
  );
  if (result.error || result.transpileOnly !== expectTranspileOnly || result.snapshots < 1) {
    throw new Error(
      `Loading the program through run.js (${tsconfig ?? "tsconfig.json"}) gave ${JSON.stringify(result)}.`,
    );
  }
  return result;
}

export async function benchCliLoad(runs: number): Promise<CliLoadResults> {
  const tsconfig = cliTsconfig();
  const transpile: number[] = [];
  const checked: number[] = [];
  let resources = 0;
  // A change (here: no record of a check) makes the next start type-check; the rounds then measure
  // starts with nothing changed, as a redeploy of the same code has them.
  stampPaths(PROJECT_ROOT).forEach((path) => rmSync(path, { force: true }));
  const gateCheckMs = (await loadOnce(tsconfig, true)).loadMs;
  progress(
    `program load through run.js after a change (the type-check gate checks): ${Math.round(gateCheckMs)} ms`,
  );
  for (let round = 0; round < runs; round += 1) {
    const fast = await loadOnce(tsconfig, true);
    const slow = await loadOnce(undefined, false);
    transpile.push(fast.loadMs);
    checked.push(slow.loadMs);
    resources = fast.resources;
    progress(
      `program load through run.js, round ${round + 1}/${runs}: ${tsconfig} (transpile-only) ${Math.round(fast.loadMs)} ms, tsconfig.json (type-checked) ${Math.round(slow.loadMs)} ms, ${(fast.loadMs / slow.loadMs).toFixed(2)}×`,
    );
  }
  return {
    tsconfig,
    runs,
    transpileMs: spread(transpile),
    checkedMs: spread(checked),
    ratio: spread(transpile.map((t, k) => t / checked[k])),
    gateCheckMs,
    resources,
  };
}
