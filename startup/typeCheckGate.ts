import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { readStamps, stampLocations, writeStamp, type Stamp } from "./stampStore";

/**
 * The Pulumi CLI starts the program transpile-only (tsconfig.pulumi.json, `noCheck`), so a type
 * error would deploy. This gate closes that path for every way a deploy starts (a laptop, Pulumi
 * Deployments, the Automation API, inline programs included): the program's sources are type-checked
 * once, and the result is remembered by the content of every file that check read. A start whose
 * files all match costs a few milliseconds of hashing; any change runs the check again before
 * anything is registered, and a type error stops the program with the compiler's messages.
 *
 * Everything is resolved from the program's folder, never the working directory: an Automation API
 * inline program runs in the caller's process, wherever it was started. A record that cannot be
 * written (a read-only node_modules) is one note, never a stop: the next start checks again.
 */

type TypeScript = typeof import("typescript");

/** The nearest file named `name` in `dir` or a folder above it. */
function findUp(dir: string, name: string): string | undefined {
  for (let current = resolve(dir); ; current = dirname(current)) {
    const candidate = join(current, name);
    if (existsSync(candidate)) {
      return candidate;
    }
    if (dirname(current) === current) {
      return undefined;
    }
  }
}

/** The manifest of the TypeScript the program at `root` resolves (hoisted installs included). */
function typescriptManifest(root: string): string {
  try {
    return require.resolve("typescript/package.json", { paths: [resolve(root)] });
  } catch {
    throw new Error(
      `The type-check gate found no TypeScript from ${resolve(root)} (the program's folder) or any folder above it: run \`npm ci\` in the project so node_modules holds the version package.json pins.`,
    );
  }
}

/** The installed TypeScript's version, read without loading the checker. */
export function installedTypescriptVersion(root: string): string {
  return (JSON.parse(readFileSync(typescriptManifest(root), "utf8")) as { version: string })
    .version;
}

/** Where the gate looks for and keeps its record for the program at `root`. */
export function stampPaths(root: string): string[] {
  // The node_modules folder as the program sees it, links not followed (a linked or pnpm install
  // keeps its record beside the program, not in the store the link points to).
  const installed = findUp(root, join("node_modules", "typescript", "package.json"));
  const nodeModules = dirname(dirname(installed ?? typescriptManifest(root)));
  return stampLocations(root, nodeModules);
}

function digest(path: string): string | undefined {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    return undefined;
  }
}

function stampHolds(root: string, stamp: Stamp, typescriptVersion: string): boolean {
  if (stamp.typescript !== typescriptVersion || Object.keys(stamp.files ?? {}).length === 0) {
    return false;
  }
  return Object.entries(stamp.files).every(([file, hash]) => digest(resolve(root, file)) === hash);
}

/** True when every file a recorded successful check read is unchanged. */
export function stampMatches(root: string, typescriptVersion: string): boolean {
  return readStamps(stampPaths(root)).some((stamp) => stampHolds(root, stamp, typescriptVersion));
}

/** Files outside the program's imports whose change alters what the checker sees. */
function settingsFiles(configPath: string): string[] {
  const lockfile = findUp(dirname(configPath), "package-lock.json");
  return [configPath, ...(lockfile ? [lockfile] : [])];
}

function formatted(
  ts: TypeScript,
  root: string,
  diagnostics: readonly import("typescript").Diagnostic[],
) {
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

/**
 * Type-checks the program (`entry` and everything it imports) with the options of the nearest
 * tsconfig.json, as `npm run typecheck` does for it. Returns the compiler's messages, or an empty
 * list after recording the files it read (a record no place would take is one note on stderr).
 */
export function checkProgram(root: string, entry: string): string[] {
  root = resolve(root);
  // Loaded only when a check runs (the checker costs a second or more to load), from the program's
  // own node_modules: the version the record names is the version that checked.
  const ts = require(require.resolve("typescript", { paths: [root] })) as TypeScript;
  const configPath = ts.findConfigFile(root, (p) => ts.sys.fileExists(p));
  if (configPath === undefined) {
    return [
      `No tsconfig.json in ${root} or any folder above it: the gate checks with its options.`,
    ];
  }
  const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  // The config's own path makes type roots and `types` resolve from its folder, not the process's
  // working directory (TS2688 for 'node' when a program was started from elsewhere).
  const parsed = ts.parseJsonConfigFileContent(
    read.config,
    ts.sys,
    dirname(configPath),
    undefined,
    configPath,
  );
  const options = {
    ...parsed.options,
    // The program needs Node's types only; the test runner's belong to `npm run typecheck`.
    types: ["node"],
    noEmit: true,
    noCheck: false,
  };
  const host = ts.createCompilerHost(options);
  host.getCurrentDirectory = () => root;
  const program = ts.createProgram({ rootNames: [resolve(root, entry)], options, host });
  const diagnostics = [...(read.error ? [read.error] : []), ...ts.getPreEmitDiagnostics(program)];
  if (diagnostics.length > 0) {
    return formatted(ts, root, diagnostics);
  }
  const files: Record<string, string> = {};
  const projectFiles = program
    .getSourceFiles()
    .map((source) => source.fileName)
    .filter((file) => !file.split(/[\\/]/).includes("node_modules"));
  for (const file of [...projectFiles, ...settingsFiles(configPath)]) {
    const hash = digest(file);
    if (hash !== undefined) {
      files[relative(root, file).split("\\").join("/")] = hash;
    }
  }
  const outcome = writeStamp(stampPaths(root), { typescript: ts.version, files });
  if ("refused" in outcome) {
    console.warn(
      `Note: the program type-checks, but no place would keep that record, so the next start checks again (a few seconds). Make one of these writable to skip it:\n  ${outcome.refused.join("\n  ")}`,
    );
  }
  return [];
}

/**
 * Stops the program before it registers anything when its sources do not type-check, checking
 * again only when a file the last successful check read has changed. Says which it did.
 */
export function assertProgramTypeChecks(root: string, entry = "index.ts"): "unchanged" | "checked" {
  if (stampMatches(root, installedTypescriptVersion(root))) {
    return "unchanged";
  }
  const errors = checkProgram(root, entry);
  if (errors.length > 0) {
    const shown = errors.slice(0, 10).join("\n");
    const more = errors.length > 10 ? `\n…and ${errors.length - 10} more.` : "";
    throw new Error(
      `The program does not type-check, so nothing was deployed (the Pulumi CLI starts it transpile-only, so this gate checks it instead). Fix these and run the command again (\`npm run typecheck\` shows the same errors):\n${shown}${more}`,
    );
  }
  return "checked";
}
