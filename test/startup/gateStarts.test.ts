/**
 * Issue 23 §1: the type-check gate never stops a program that type-checks, however the deploy
 * starts: from another working directory (an Automation API inline program runs in the caller's
 * process and never changes directory), with TypeScript hoisted into a parent node_modules, and with
 * a node_modules the program cannot write to.
 */
import { execFile } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  cpSync,
  linkSync,
  copyFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import * as ts from "typescript";
import { RunRequest } from "@pulumi/pulumi/proto/language_pb";
import {
  assertProgramTypeChecks,
  installedTypescriptVersion,
  stampMatches,
  stampPaths,
} from "../../startup/typeCheckGate";

const ROOT = join(__dirname, "..", "..");

/** automation/server.js's LanguageServer, which its published typings leave out (@internal). */
interface InlineProgramServer {
  run(
    call: { request: RunRequest },
    callback: (error: Error | null | undefined) => void,
  ): Promise<void>;
}
const { LanguageServer } = require("@pulumi/pulumi/automation/server") as {
  LanguageServer: new (program: () => Promise<unknown>) => InlineProgramServer;
};
const GATE = join(ROOT, "startup", "typeCheckGate");

/** A small program that needs Node's types; `gateImport` makes index.ts start with the gate, as ours does. */
function writeProgram(dir: string, gateImport = false): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { strict: true, module: "commonjs", target: "ES2022" } }),
  );
  const gate = gateImport
    ? `import { assertProgramTypeChecks } from ${JSON.stringify(GATE)};\nexport const gate = assertProgramTypeChecks(__dirname);\n`
    : "";
  writeFileSync(
    join(dir, "index.ts"),
    `${gate}import { join } from "node:path";\nimport { size } from "./lib";\nexport const where: string = join("data", String(size));\n`,
  );
  writeFileSync(join(dir, "lib.ts"), "export const size: number = 1;\n");
}

const removeStamps = (root: string) =>
  stampPaths(root).forEach((path) => rmSync(path, { force: true }));

let scratch: string;
let cwd: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "gate-starts-"));
  cwd = process.cwd();
});
afterEach(() => {
  process.chdir(cwd);
  rmSync(scratch, { recursive: true, force: true });
});

it("an Automation API inline program started from another directory passes the gate, then finds its record", async () => {
  const project = join(scratch, "project");
  writeProgram(project, true);
  symlinkSync(join(ROOT, "node_modules"), join(project, "node_modules"), "dir");
  // The caller's directory holds no node_modules: type definitions must come from the program's.
  const elsewhere = join(scratch, "runner");
  mkdirSync(elsewhere);
  process.chdir(elsewhere);

  /**
   * What `Stack.up` with an inline `program` does in this process (automation/stack.js): a
   * LanguageServer whose `run` the CLI calls over gRPC; it resets the runtime's settings and runs the
   * program inside runInPulumiStack, with `pwd` in the request but no change of directory. No
   * monitor address: the runtime answers registrations itself, as it does when no engine is attached.
   */
  async function runInline(): Promise<{ error?: Error; gate: unknown }> {
    let gate: unknown;
    const server = new LanguageServer(async () => {
      ({ gate } = require(join(project, "index.ts")) as { gate: unknown });
    });
    const request = new RunRequest()
      .setProject("gate-inline")
      .setStack("dev")
      .setPwd(join(scratch, "workspace"))
      .setMonitorAddress("")
      .setArgsList([]);
    const error = await new Promise<Error | undefined>((resolve) => {
      // run() answers through the callback (twice on an error: the first is the outcome).
      void server.run({ request }, (err) => resolve(err ?? undefined));
    });
    return { error, gate };
  }

  try {
    expect(await runInline()).toEqual({ error: undefined, gate: "checked" });
    expect(process.cwd()).toBe(elsewhere);
    jest.resetModules();
    expect(await runInline()).toEqual({ error: undefined, gate: "unchanged" });
  } finally {
    removeStamps(project);
  }
}, 120_000);

it("finds TypeScript and Node's types hoisted into a parent node_modules (a workspace member)", () => {
  const workspace = join(scratch, "workspace");
  mkdirSync(workspace);
  symlinkSync(join(ROOT, "node_modules"), join(workspace, "node_modules"), "dir");
  const app = join(workspace, "app");
  writeProgram(app);
  writeFileSync(join(workspace, "package-lock.json"), "{}\n");
  process.chdir(scratch);
  try {
    expect(existsSync(join(app, "node_modules"))).toBe(false);
    expect(assertProgramTypeChecks(app)).toBe("checked");
    // The record sits in the hoisted node_modules and names the workspace's lockfile.
    const record = JSON.parse(readFileSync(stampPaths(app)[0], "utf8")) as { files: object };
    expect(stampPaths(app)[0].startsWith(join(workspace, "node_modules", ".cache"))).toBe(true);
    expect(Object.keys(record.files).sort()).toEqual([
      "../package-lock.json",
      "index.ts",
      "lib.ts",
      "tsconfig.json",
    ]);
    const version = installedTypescriptVersion(app);
    expect(stampMatches(app, version)).toBe(true);
    writeFileSync(join(workspace, "package-lock.json"), '{"lockfileVersion":3}\n');
    expect(stampMatches(app, version)).toBe(false);
  } finally {
    removeStamps(app);
  }
}, 120_000);

describe("a node_modules the program cannot write to", () => {
  // Root ignores file modes, so as root the program runs as `nobody` (setpriv); another user sees
  // the modes as they are. Either way node_modules and its .cache are refused with EACCES.
  const asRoot = process.getuid?.() === 0;
  const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => existsSync(p));
  const runnable = !asRoot || setpriv !== undefined ? it : it.skip;
  const NOBODY = 65534;

  let project: string;
  let gateJs: string;
  let nodeBinary: string;

  beforeEach(() => {
    chmodSync(scratch, 0o755);
    project = join(scratch, "project");
    writeProgram(project);
    // A node_modules of its own, read-only once set up. Copies, not links: `nobody` may not be
    // able to reach this checkout at all (a clone in a 0700 temporary folder, as CI's may be).
    const nodeModules = join(project, "node_modules");
    mkdirSync(nodeModules);
    for (const name of ["typescript", "@types/node", "undici-types"]) {
      const installed = join(ROOT, "node_modules", name);
      if (existsSync(installed)) {
        cpSync(installed, join(nodeModules, name), { recursive: true });
      }
    }
    // Node itself, for the same reason: a hard link where the file system allows, else a copy.
    nodeBinary = join(scratch, "node");
    try {
      linkSync(process.execPath, nodeBinary);
    } catch {
      copyFileSync(process.execPath, nodeBinary);
    }
    chmodSync(nodeModules, 0o555);
    chmodSync(project, 0o555);
    // The gate as JavaScript, so the child needs no TypeScript loader (nothing it must write).
    gateJs = join(scratch, "gate");
    mkdirSync(gateJs);
    for (const file of readdirSync(join(ROOT, "startup")).filter((f) => f.endsWith(".ts"))) {
      const source = readFileSync(join(ROOT, "startup", file), "utf8");
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
      });
      writeFileSync(join(gateJs, `${basename(file, ".ts")}.js`), outputText);
    }
    writeFileSync(
      join(gateJs, "start.js"),
      'const { assertProgramTypeChecks } = require("./typeCheckGate.js");\nconsole.log(`gate: ${assertProgramTypeChecks(process.argv[2])}`);\n',
    );
  });

  afterEach(() => {
    chmodSync(project, 0o755);
    chmodSync(join(project, "node_modules"), 0o755);
  });

  /** A folder `nobody` (or this user) may write to, or one it may not. */
  function folder(name: string, writable: boolean): string {
    const path = join(scratch, name);
    mkdirSync(path);
    if (writable && asRoot) {
      chownSync(path, NOBODY, NOBODY);
    }
    chmodSync(path, writable ? 0o700 : 0o555);
    return path;
  }

  function start(env: { XDG_CACHE_HOME: string; TMPDIR: string }) {
    const command = [nodeBinary, join(gateJs, "start.js"), project];
    const [file, ...args] = asRoot
      ? [setpriv!, `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", ...command]
      : command;
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        file,
        args,
        { cwd: scratch, env: { PATH: process.env.PATH, HOME: "/nonexistent", ...env } },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  runnable(
    "the program passes, and its record goes to the user's cache, so the next start does not check",
    async () => {
      const env = { XDG_CACHE_HOME: folder("cache", true), TMPDIR: folder("tmp", false) };
      const first = await start(env);
      expect(first).toEqual({ code: 0, stdout: "gate: checked\n", stderr: "" });
      expect(readdirSync(join(env.XDG_CACHE_HOME, "api-s3-load"))).toHaveLength(1);
      expect(existsSync(join(project, "node_modules", ".cache"))).toBe(false);
      expect(await start(env)).toEqual({ code: 0, stdout: "gate: unchanged\n", stderr: "" });
    },
    120_000,
  );

  runnable(
    "a record made while building the image (as root) serves the program run as another user",
    async () => {
      const env = { XDG_CACHE_HOME: folder("cache", false), TMPDIR: folder("tmp", false) };
      expect(assertProgramTypeChecks(project)).toBe("checked");
      expect(await start(env)).toEqual({ code: 0, stdout: "gate: unchanged\n", stderr: "" });
    },
    120_000,
  );

  runnable(
    "with no writable place at all, the program passes with one note and leaves no record (the next start checks again)",
    async () => {
      const env = { XDG_CACHE_HOME: folder("cache", false), TMPDIR: folder("tmp", false) };
      const run = await start(env);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe("gate: checked\n");
      expect(run.stderr.match(/^Note: /gm)).toHaveLength(1);
      expect(run.stderr).toContain(
        "Note: the program type-checks, but no place would keep that record, so the next start checks again",
      );
      expect(run.stderr).toContain(
        `${join(project, "node_modules", ".cache", "api-s3-load")}/program-typecheck-`,
      );
      expect(run.stderr).toContain("EACCES");
      const places = [
        join(project, "node_modules", ".cache"),
        join(env.XDG_CACHE_HOME, "api-s3-load"),
        join(env.TMPDIR, `api-s3-load-${asRoot ? NOBODY : process.getuid?.()}`),
      ];
      expect(places.filter((place) => existsSync(place))).toEqual([]);
    },
    120_000,
  );
});
