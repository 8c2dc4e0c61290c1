/**
 * `npm start` as a user runs it: the real npm script in a child process, in a copy of the project
 * whose stack files a test writes (the command reads the stack files beside its own code). The copy
 * holds the command's code and links the installed node_modules, so it runs what this checkout
 * built (the engine's dist included).
 */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as yaml from "js-yaml";
import {
  startFakeCoingecko,
  type FakeCoingecko,
  type FakeCoingeckoOptions,
} from "../helpers/fakeCoingecko";
import { PROJECT_ROOT } from "../helpers/programRun";

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The folders `npm start` loads code from: what a project copy must hold to run it. */
const CODE_FOLDERS = ["cli", "config", "flags", "verify", "components", "startup", "demo"];

/**
 * A folder with the real Pulumi.yaml and the given stack files (keys without a namespace are the
 * project's): enough for `runCommand` in the test's own process, which takes it as its root.
 */
export function stackFolder(stacks: Record<string, Record<string, unknown>>): string {
  const root = mkdtempSync(join(tmpdir(), "api-s3-load-npm-start-"));
  cpSync(join(PROJECT_ROOT, "Pulumi.yaml"), join(root, "Pulumi.yaml"));
  for (const [stack, config] of Object.entries(stacks)) {
    writeStack(root, stack, config);
  }
  return root;
}

/**
 * A stack folder that also holds the command's code and links the installed node_modules, so the
 * real `npm start` runs in it: the one copy of the project the `npm start` tests make.
 */
export function projectCopy(stacks: Record<string, Record<string, unknown>>): string {
  const root = stackFolder(stacks);
  for (const entry of CODE_FOLDERS) {
    cpSync(join(PROJECT_ROOT, entry), join(root, entry), { recursive: true });
  }
  for (const file of ["package.json", "tsconfig.json", ".npmrc"]) {
    cpSync(join(PROJECT_ROOT, file), join(root, file));
  }
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(root, "node_modules"));
  return root;
}

/** Writes Pulumi.<stack>.yaml: keys without a namespace are the project's. */
export function writeStack(root: string, stack: string, config: Record<string, unknown>): void {
  const full = Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key.includes(":") ? key : `api-s3-load:${key}`,
      value,
    ]),
  );
  writeFileSync(join(root, `Pulumi.${stack}.yaml`), yaml.dump({ config: full }));
}

export function removeProject(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/** Environment without the variables `npm start` reads, so the developer's shell cannot leak in. */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ["COINGECKO_API_KEY", "COINGECKO_PLAN", "COINGECKO_BASE_URL"]) {
    delete env[name];
  }
  return { ...env, ...extra };
}

/**
 * A running `npm start -- <args>` in `root`. `lines` collects stderr lines as they come; `until`
 * resolves when one matches. The process runs in its own group, which `stop` ends.
 */
export function spawnStart(
  root: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  /** Where the user types the command: the project folder or one below it. */
  cwd: string = root,
) {
  const child = spawn("npm", ["start", "--silent", "--", ...args], {
    cwd,
    env: cleanEnv(env),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const watchers: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const started = Date.now();
  const timeline: { at: number; line: string }[] = [];
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  let pending = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    const lines = (pending + chunk.toString()).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      timeline.push({ at: Date.now() - started, line });
      for (const watcher of watchers.filter((w) => w.pattern.test(line))) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve(line);
      }
    }
  });
  const finished = new Promise<Finished>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return {
    finished,
    /** stderr lines with the milliseconds since the start at which each arrived. */
    timeline,
    until(pattern: RegExp): Promise<string> {
      const seen = timeline.find((entry) => pattern.test(entry.line));
      return seen
        ? Promise.resolve(seen.line)
        : new Promise((resolve) => watchers.push({ pattern, resolve }));
    },
    /** Ends the process group this call started. */
    async stop(): Promise<Finished> {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
      return finished;
    },
  };
}

/** Runs `npm start -- <args>` in `root` to its end. */
export function npmStart(
  root: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd: string = root,
): Promise<Finished> {
  return spawnStart(root, args, env, cwd).finished;
}

/**
 * The setup the `npm start` test files share: a fake CoinGecko API started and a project copy with
 * `stacks` made before the file's tests, the fake's record cleared before each test, both removed
 * after. Read `fake` and `root` inside tests (they exist once the file's tests start).
 */
export function useFakeApiAndProject(
  stacks: Record<string, Record<string, unknown>> = { dev: {} },
  options?: FakeCoingeckoOptions,
): { readonly fake: FakeCoingecko; readonly root: string } {
  let fake: FakeCoingecko | undefined;
  let root: string | undefined;
  beforeAll(async () => {
    fake = await startFakeCoingecko(options);
    root = projectCopy(stacks);
  });
  beforeEach(() => fake?.reset());
  afterAll(async () => {
    await fake?.stop();
    if (root !== undefined) {
      removeProject(root);
    }
  });
  return {
    get fake() {
      return fake!;
    },
    get root() {
      return root!;
    },
  };
}
