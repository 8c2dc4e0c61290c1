/**
 * Writes policy/npm-shrinkwrap.json: the pack's dependency tree with exactly the versions the
 * project's tests ran with, taken from the root package-lock.json (the pack is an npm workspace,
 * so its packages are locked there, and `npm shrinkwrap` cannot be run on a workspace).
 *
 * `npm pack` ships npm-shrinkwrap.json with the pack, and the `npm install` a consuming Pulumi CLI
 * runs in the unpacked pack installs exactly that tree. test/policy/shrinkwrap.test.ts fails when
 * the file no longer matches the lockfile (run `npm run policy:shrinkwrap`), and
 * test/policy/publishedPack.host.test.ts checks an install from the tarball against it.
 *
 * Not part of the published pack (see `files` in policy/package.json).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, posix } from "node:path";

/** One `packages` entry of a lockfile (v3). */
export interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

export interface Lockfile {
  name?: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

export interface PackManifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  engines?: Record<string, string>;
}

/**
 * Where Node would find `name` for a package installed at `from` (a lockfile path such as
 * `node_modules/a/node_modules/b`, or a workspace folder such as `policy`): the nearest
 * `node_modules/<name>` walking up to the root.
 */
export function resolveIn(
  packages: Record<string, LockEntry>,
  from: string,
  name: string,
): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = dir === "" ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (packages[candidate] !== undefined) {
      return candidate;
    }
    if (dir === "") {
      return undefined;
    }
    // Up one package: strip "/node_modules/<name>" (or "<scope>/<name>"), or a workspace folder.
    const at = dir.lastIndexOf("node_modules/");
    dir = at < 0 ? posix.dirname(dir).replace(/^\.$/, "") : dir.slice(0, Math.max(0, at - 1));
  }
}

/** The dependency edges of a lock entry: name → optional? */
function edges(entry: LockEntry): [string, boolean][] {
  const out = new Map<string, boolean>();
  for (const name of Object.keys(entry.dependencies ?? {})) {
    out.set(name, false);
  }
  for (const name of Object.keys(entry.optionalDependencies ?? {})) {
    out.set(name, true);
  }
  for (const name of Object.keys(entry.peerDependencies ?? {})) {
    if (!out.has(name)) {
      out.set(name, entry.peerDependenciesMeta?.[name]?.optional === true);
    }
  }
  return [...out];
}

/** Lock fields that describe the package itself; install-context flags are recomputed. */
const CONTEXT_FLAGS = ["dev", "devOptional", "optional", "peer"];

function packageFields(entry: LockEntry): LockEntry {
  return Object.fromEntries(
    Object.entries(entry).filter(([key]) => !CONTEXT_FLAGS.includes(key)),
  ) as LockEntry;
}

/**
 * The shrinkwrap of the workspace at `location` in `lock`: every package its dependencies resolve
 * to, at the version the lockfile resolves, laid out as an install of the pack alone lays it out
 * (hoisted to the top unless a different version is already there, then nested under the package
 * that needs it).
 */
export function packShrinkwrap(lock: Lockfile, manifest: PackManifest, location: string): Lockfile {
  const out: Record<string, LockEntry> = {
    "": {
      name: manifest.name,
      version: manifest.version,
      dependencies: { ...(manifest.dependencies ?? {}) },
      ...(manifest.engines ? { engines: manifest.engines } : {}),
    },
  };
  /** Output path → whether only optional edges reach it. */
  const optionalOnly = new Map<string, boolean>();
  const queue: { source: string; target: string; optional: boolean }[] = [];
  const visit = (sourceFrom: string, targetFrom: string, entry: LockEntry, optional: boolean) => {
    for (const [name, optionalEdge] of edges(entry)) {
      const source = resolveIn(lock.packages, sourceFrom, name);
      if (source === undefined) {
        if (optionalEdge) {
          continue;
        }
        throw new Error(
          `${name}, a dependency of ${targetFrom || manifest.name}, is not in package-lock.json. ` +
            "Run `npm install` at the project root, then `npm run policy:shrinkwrap`.",
        );
      }
      queue.push({
        source,
        target: place(targetFrom, name, source),
        optional: optional || optionalEdge,
      });
    }
  };
  /** Where the pack's own install puts `name` for the package at `targetFrom` (see above). */
  const place = (targetFrom: string, name: string, source: string): string => {
    const version = lock.packages[source].version;
    const seen = resolveIn(out, targetFrom, name);
    if (seen !== undefined && out[seen].version === version) {
      return seen;
    }
    const target =
      seen === undefined
        ? `node_modules/${name}`
        : targetFrom === ""
          ? `node_modules/${name}`
          : `${targetFrom}/node_modules/${name}`;
    out[target] = packageFields(lock.packages[source]);
    return target;
  };
  visit(location, "", out[""], false);
  while (queue.length > 0) {
    const { source, target, optional } = queue.shift() as (typeof queue)[number];
    const known = optionalOnly.get(target);
    if (known !== undefined && (known === false || optional)) {
      continue;
    }
    optionalOnly.set(target, optional);
    visit(source, target, lock.packages[source], optional);
  }
  for (const [path, optional] of optionalOnly) {
    if (optional) {
      out[path] = { ...out[path], optional: true };
    }
  }
  const sorted = Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    name: manifest.name,
    version: manifest.version,
    lockfileVersion: 3,
    requires: true,
    packages: sorted,
  };
}

/** The shrinkwrap the repository's current lockfile gives, as JSON text. */
export function shrinkwrapText(root: string): string {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as Lockfile;
  const manifest = JSON.parse(
    readFileSync(join(root, "policy", "package.json"), "utf8"),
  ) as PackManifest;
  return `${JSON.stringify(packShrinkwrap(lock, manifest, "policy"), null, 2)}\n`;
}

export const SHRINKWRAP_PATH = join("policy", "npm-shrinkwrap.json");

if (require.main === module) {
  const root = join(__dirname, "..", "..");
  writeFileSync(join(root, SHRINKWRAP_PATH), shrinkwrapText(root));
  process.stdout.write(`wrote ${SHRINKWRAP_PATH}\n`);
}
