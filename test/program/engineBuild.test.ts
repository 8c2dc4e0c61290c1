/**
 * The program runs the engine's build (packages/snapshot-engine/dist); after a `git pull` without
 * `npm ci` that build is older than the sources ts-node type-checks, and the program must refuse to
 * start rather than deploy old code (issue 11, item 7).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { engineBuildProblem } from "../../components/snapshot/engineBuild";
import { PROJECT_ROOT, runProgram } from "../helpers/programRun";

const FIX = "run `npm run build:engine` (or `npm ci`, which builds it) and try again.";
const message = (files: string) =>
  `The snapshot engine's build (packages/snapshot-engine/dist) is older than its sources (${files} changed since it was built), so this deploy would run old code: ${FIX}`;

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(join(tmpdir(), "engine-build-"));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** A package folder whose sources were written at `srcTime` and built at `distTime` (seconds). */
function pkg(name: string, files: Record<string, { src: number; dist?: number }>): string {
  const dir = join(root, name);
  fs.mkdirSync(join(dir, "src"), { recursive: true });
  fs.mkdirSync(join(dir, "dist"), { recursive: true });
  for (const [file, times] of Object.entries(files)) {
    const src = join(dir, "src", `${file}.ts`);
    fs.writeFileSync(src, "export {};\n");
    fs.utimesSync(src, times.src, times.src);
    if (times.dist !== undefined) {
      const built = join(dir, "dist", `${file}.js`);
      fs.writeFileSync(built, "");
      fs.utimesSync(built, times.dist, times.dist);
    }
  }
  return dir;
}

describe("engineBuildProblem", () => {
  const BUILT = 1_700_000_000;

  it("accepts a build newer than every source", () => {
    expect(engineBuildProblem(pkg("fresh", { a: { src: BUILT - 60, dist: BUILT } }))).toBe(
      undefined,
    );
  });

  it("names the sources changed since the build (a git pull) and the command that fixes it", () => {
    const dir = pkg("pulled", {
      lifecycle: { src: BUILT + 60, dist: BUILT },
      run: { src: BUILT - 60, dist: BUILT },
      s3: { src: BUILT + 1, dist: BUILT },
    });
    expect(engineBuildProblem(dir)).toBe(message("lifecycle.ts, s3.ts"));
  });

  it("counts a source that was never built, and shortens a long list", () => {
    const dir = pkg("new-files", {
      a: { src: BUILT },
      b: { src: BUILT },
      c: { src: BUILT },
      d: { src: BUILT },
      e: { src: BUILT },
    });
    expect(engineBuildProblem(dir)).toBe(message("a.ts, b.ts, c.ts and 2 more"));
  });

  it("trusts a package without sources, which runs what it ships", () => {
    const dir = join(root, "installed");
    fs.mkdirSync(join(dir, "dist"), { recursive: true });
    expect(engineBuildProblem(dir)).toBeUndefined();
  });

  it("is cleared by the build it names, run on a copy of the real engine", () => {
    // A copy laid out as in the checkout, so the engine's tsconfig finds the root one it extends.
    const copy = join(root, "checkout");
    const engine = join(copy, "packages", "snapshot-engine");
    fs.mkdirSync(engine, { recursive: true });
    fs.copyFileSync(join(PROJECT_ROOT, "tsconfig.json"), join(copy, "tsconfig.json"));
    fs.symlinkSync(join(PROJECT_ROOT, "node_modules"), join(copy, "node_modules"), "dir");
    for (const file of ["package.json", "tsconfig.json"]) {
      fs.copyFileSync(join(PROJECT_ROOT, "packages", "snapshot-engine", file), join(engine, file));
    }
    fs.cpSync(join(PROJECT_ROOT, "packages", "snapshot-engine", "src"), join(engine, "src"), {
      recursive: true,
    });
    // Every source is unbuilt in the copy: the message names three and counts the rest.
    const sources = fs
      .readdirSync(join(engine, "src"))
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"));
    expect(engineBuildProblem(engine)).toContain(
      `and ${sources.length - 3} more changed since it was built`,
    );

    // What `npm run build:engine` runs, from the copy's root.
    execFileSync(
      process.execPath,
      [require.resolve("typescript/bin/tsc"), "-p", "packages/snapshot-engine/tsconfig.json"],
      { cwd: copy, stdio: "pipe" },
    );
    expect(engineBuildProblem(engine)).toBeUndefined();

    // Then a pull changes one source: refused again, naming it.
    const later = Date.now() / 1000 + 60;
    fs.utimesSync(join(engine, "src", "lifecycle.ts"), later, later);
    expect(engineBuildProblem(engine)).toBe(message("lifecycle.ts"));
  });
});

describe("the program", () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it("refuses to start on a stale engine build, naming the command that fixes it", async () => {
    // The checkout's own engine, seen as if it had been built after every source and a `git pull`
    // had then rewritten lifecycle.ts.
    const src = join(PROJECT_ROOT, "packages", "snapshot-engine", "src");
    // The module object itself, which the program's `import { statSync } from "node:fs"` reads.
    const nodeFs = jest.requireActual<typeof fs>("node:fs");
    const statSync = nodeFs.statSync;
    jest.spyOn(nodeFs, "statSync").mockImplementation(((path: fs.PathLike, options?: undefined) => {
      const stats = statSync(path, options);
      const file = String(path);
      if (!file.startsWith(`${src}/`)) {
        return stats;
      }
      const mtimeMs = file === join(src, "lifecycle.ts") ? Date.now() + 3_600_000 : 0;
      return Object.assign(Object.create(Object.getPrototypeOf(stats) as object), stats, {
        mtimeMs,
      });
    }) as typeof fs.statSync);
    await expect(runProgram("dev")).rejects.toThrow(message("lifecycle.ts"));
  });
});
