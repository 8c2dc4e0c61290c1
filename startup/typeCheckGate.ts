import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/**
 * The Pulumi CLI starts the program transpile-only (tsconfig.pulumi.json, `noCheck`), so a type
 * error would deploy. This gate closes that path for every way a deploy starts (a laptop, Pulumi
 * Deployments, the Automation API): the program's sources are type-checked once, and the result is
 * remembered by the content of every file that check read. A start whose files all match costs a few
 * milliseconds of hashing; any change runs the check again before anything is registered, and a
 * type error stops the program with the compiler's messages.
 */

/** What a successful check recorded: each project file it read, by path and content hash. */
interface Stamp {
  typescript: string;
  files: Record<string, string>;
}

/** Files outside the program's imports whose change alters what the checker sees. */
const SETTINGS_FILES = ["tsconfig.json", "package-lock.json"];

/**
 * Where the stamp lives: node_modules' cache, so a fresh install starts with a fresh check; one per
 * checkout path, since a linked node_modules may serve more than one.
 */
export function stampPath(root: string): string {
  const checkout = createHash("sha256").update(resolve(root)).digest("hex").slice(0, 12);
  return join(root, "node_modules", ".cache", "api-s3-load", `program-typecheck-${checkout}.json`);
}

function digest(path: string): string | undefined {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    return undefined;
  }
}

/** True when every file the last successful check read is unchanged. */
export function stampMatches(root: string, typescriptVersion: string): boolean {
  let stamp: Stamp;
  try {
    stamp = JSON.parse(readFileSync(stampPath(root), "utf8")) as Stamp;
  } catch {
    return false;
  }
  if (stamp.typescript !== typescriptVersion || Object.keys(stamp.files).length === 0) {
    return false;
  }
  return Object.entries(stamp.files).every(([file, hash]) => digest(join(root, file)) === hash);
}

/**
 * Type-checks the program (`entry` and everything it imports from the project) with tsconfig.json's
 * strict options, as `npm run typecheck` does for it. Returns the compiler's messages, or an empty
 * list after recording a stamp.
 */
export function checkProgram(root: string, entry: string): string[] {
  // Loaded only when a check runs: the checker costs a second or more to load.
  const ts = require("typescript") as typeof import("typescript");
  const configPath = join(root, "tsconfig.json");
  const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root);
  const options = {
    ...parsed.options,
    // The program needs Node's types only; the test runner's belong to `npm run typecheck`.
    types: ["node"],
    noEmit: true,
    noCheck: false,
  };
  const program = ts.createProgram([resolve(root, entry)], options);
  const diagnostics = [...(read.error ? [read.error] : []), ...ts.getPreEmitDiagnostics(program)];
  if (diagnostics.length > 0) {
    return diagnostics.map((d) =>
      ts
        .formatDiagnostic(d, {
          getCanonicalFileName: (f) => f,
          getCurrentDirectory: () => root,
          getNewLine: () => "\n",
        })
        .trim(),
    );
  }
  const files: Record<string, string> = {};
  const projectFiles = program
    .getSourceFiles()
    .map((source) => relative(root, source.fileName))
    .filter((file) => !file.startsWith("..") && !file.split(/[\\/]/).includes("node_modules"));
  for (const file of [...projectFiles, ...SETTINGS_FILES]) {
    const hash = digest(join(root, file));
    if (hash !== undefined) {
      files[file.split("\\").join("/")] = hash;
    }
  }
  writeStamp(root, { typescript: ts.version, files });
  return [];
}

function writeStamp(root: string, stamp: Stamp): void {
  const path = stampPath(root);
  mkdirSync(dirname(path), { recursive: true });
  // Written whole and renamed, so a concurrent start never reads half a stamp.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(stamp, null, 2));
  renameSync(temporary, path);
}

/** The installed TypeScript's version, read without loading the checker. */
export function installedTypescriptVersion(root: string): string {
  const manifest = join(root, "node_modules", "typescript", "package.json");
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

/**
 * Stops the program before it registers anything when its sources do not type-check, checking
 * again only when a file the last successful check read has changed.
 */
export function assertProgramTypeChecks(root: string, entry = "index.ts"): void {
  if (stampMatches(root, installedTypescriptVersion(root))) {
    return;
  }
  const errors = checkProgram(root, entry);
  if (errors.length > 0) {
    const shown = errors.slice(0, 10).join("\n");
    const more = errors.length > 10 ? `\n…and ${errors.length - 10} more.` : "";
    throw new Error(
      `The program does not type-check, so nothing was deployed (the Pulumi CLI starts it transpile-only, so this gate checks it instead). Fix these and run the command again (\`npm run typecheck\` shows the same errors):\n${shown}${more}`,
    );
  }
}
