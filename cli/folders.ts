/**
 * The folders `npm start` writes to (`--data-dir`, `--export`), checked before anything is fetched:
 * a file standing at the path, or a path no folder can be made at (`/proc/nope`, a read-only
 * disk), is refused then, not after the fetch and the write. The check leaves nothing behind.
 */
import { mkdtempSync, rmdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Refuses `directory` as a folder this process can write in, or make and then write in, with a
 * sentence naming the flag. `what` says what the folder is for (" for the JSON files").
 */
export function checkWritableFolder(flag: string, directory: string, what: string): string {
  const existing = nearestExisting(directory);
  if (existing.isFile) {
    throw new Error(
      existing.path === directory
        ? `\`${flag} ${directory}\` is a file, not a folder: pass a folder${what} (it is created if missing).`
        : `\`${flag} ${directory}\` cannot be created: ${existing.path} is a file. Pass a folder${what} you can write to.`,
    );
  }
  // Making and removing an empty folder where the first missing one would go is the one test that
  // holds on every filesystem (permissions, read-only mounts, /proc); nothing is left behind.
  let probe: string;
  try {
    probe = mkdtempSync(join(existing.path, ".api-s3-load-probe-"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(
      `\`${flag} ${directory}\` cannot be ${existing.path === directory ? "written to" : "created"} (${code} in ${existing.path}): pass a folder${what} you can write to.`,
    );
  }
  rmdirSync(probe);
  return directory;
}

/** The path itself if it exists, else its nearest existing parent; and whether that is a file. */
function nearestExisting(path: string): { path: string; isFile: boolean } {
  for (let current = path; ; current = dirname(current)) {
    try {
      return { path: current, isFile: !statSync(current).isDirectory() };
    } catch {
      if (dirname(current) === current) {
        return { path: current, isFile: false };
      }
    }
  }
}
