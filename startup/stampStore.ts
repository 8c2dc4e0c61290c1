import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

/**
 * Where the type-check gate keeps the record of its last successful check, and how it is read and
 * written. A record that cannot be written never stops the program: the next start checks again.
 */

/** What a successful check recorded: each project file it read, by path and content hash. */
export interface Stamp {
  typescript: string;
  files: Record<string, string>;
}

const CACHE_NAME = "api-s3-load";

/**
 * The places a record may live, in the order they are tried: the cache folder of `nodeModules`, the
 * node_modules the program resolves TypeScript from (so a fresh install starts with a fresh check), then the user's cache
 * (`$XDG_CACHE_HOME`, else `~/.cache`), then a per-user folder in the system's temporary directory,
 * for a read-only node_modules (a container run as another user, a shared CI cache). One file per
 * checkout path in each, since a linked node_modules or a user's cache may serve more than one.
 */
export function stampLocations(root: string, nodeModules: string): string[] {
  const file = `program-typecheck-${createHash("sha256").update(resolve(root)).digest("hex").slice(0, 12)}.json`;
  const userCache =
    process.env.XDG_CACHE_HOME || (process.env.HOME ? join(process.env.HOME, ".cache") : undefined);
  return [
    join(nodeModules, ".cache", CACHE_NAME, file),
    ...(userCache ? [join(userCache, CACHE_NAME, file)] : []),
    join(tmpdir(), `${CACHE_NAME}-${userId()}`, file),
  ];
}

function userId(): string {
  return typeof process.getuid === "function" ? String(process.getuid()) : "user";
}

/**
 * The records found, in location order. One in the shared temporary directory counts only when its
 * folder belongs to this user, so another user cannot plant a record that skips the check.
 */
export function readStamps(locations: string[]): Stamp[] {
  const stamps: Stamp[] = [];
  for (const path of locations) {
    try {
      if (path.startsWith(tmpdir()) && !ownedByThisUser(dirname(path))) {
        continue;
      }
      stamps.push(JSON.parse(readFileSync(path, "utf8")) as Stamp);
    } catch {
      // No record here (or an unreadable one): the other places may hold one.
    }
  }
  return stamps;
}

function ownedByThisUser(path: string): boolean {
  return typeof process.getuid !== "function" || statSync(path).uid === process.getuid();
}

/**
 * Writes the record to the first place that takes it and returns that path, or returns the reason
 * each place refused (the caller prints one note and carries on).
 */
export function writeStamp(
  locations: string[],
  stamp: Stamp,
): { written: string } | { refused: string[] } {
  const refused: string[] = [];
  for (const path of locations) {
    // Written whole and renamed, so a concurrent start never reads half a record.
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      // Readable by every user: a record made while building an image serves the user that runs it.
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(temporary, JSON.stringify(stamp, null, 2));
      renameSync(temporary, path);
      return { written: path };
    } catch (error) {
      removeQuietly(temporary);
      refused.push(`${path}: ${(error as Error).message}`);
    }
  }
  return { refused };
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // The folder refused the write in the first place; there is nothing to remove.
  }
}
