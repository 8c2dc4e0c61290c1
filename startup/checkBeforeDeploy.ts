import { join } from "node:path";
import { assertProgramTypeChecks } from "./typeCheckGate";

/**
 * `npm run typecheck:program`: the gate's own check of the program (index.ts and what it imports),
 * run as a CI step before `pulumi preview`/`up`. It leaves the gate's record, so the program's start
 * in the same job finds its files unchanged and does not check a second time.
 */
function main(): void {
  const root = join(__dirname, "..");
  try {
    const outcome = assertProgramTypeChecks(root);
    console.log(
      outcome === "checked"
        ? "The program type-checks; its start under `pulumi` will not check again until a file changes."
        : "The program type-checks (unchanged since the last check).",
    );
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}

main();
