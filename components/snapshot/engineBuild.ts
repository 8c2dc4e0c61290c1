import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

/** Where the engine package lives: `packages/snapshot-engine` in a checkout, via its workspace link. */
export function enginePackageDir(): string {
  return dirname(require.resolve("@api-s3-load/snapshot-engine/package.json"));
}

/**
 * Why the engine's build cannot be trusted, or undefined when it can.
 *
 * The program runs `packages/snapshot-engine/dist`, which `npm ci` builds (`prepare`), while ts-node
 * type-checks the program against the engine's sources. After a `git pull` without `npm ci` the two
 * disagree and the deploy would run the old code, silently. A source file newer than its built
 * JavaScript (or one with no build at all) is that case. A package without `src` (installed from a
 * registry) runs what it ships and is never refused.
 * @internal
 */
export function engineBuildProblem(packageDir: string): string | undefined {
  const src = join(packageDir, "src");
  if (!existsSync(src)) {
    return undefined;
  }
  const stale = readdirSync(src)
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts") && !file.endsWith(".test.ts"))
    .filter((file) => {
      const built = join(packageDir, "dist", file.replace(/\.ts$/, ".js"));
      return !existsSync(built) || statSync(built).mtimeMs < statSync(join(src, file)).mtimeMs;
    })
    .sort();
  if (stale.length === 0) {
    return undefined;
  }
  const named =
    stale.length > 3
      ? `${stale.slice(0, 3).join(", ")} and ${stale.length - 3} more`
      : stale.join(", ");
  return `The snapshot engine's build (packages/snapshot-engine/dist) is older than its sources (${named} changed since it was built), so this deploy would run old code: run \`npm run build:engine\` (or \`npm ci\`, which builds it) and try again.`;
}

/** Refuses to let the program start on a stale engine build; see `engineBuildProblem`. */
export function assertEngineBuilt(packageDir: string = enginePackageDir()): void {
  const problem = engineBuildProblem(packageDir);
  if (problem !== undefined) {
    throw new Error(problem);
  }
}
