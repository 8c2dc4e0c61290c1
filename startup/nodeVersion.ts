import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * The Node.js versions this project runs on are the ones package.json's `engines.node` names: npm
 * enforces them at install time (`engine-strict`), and this module at start, for the three ways the
 * project is started (`npm start`, `npm run policy`, the Pulumi program). Without it an older Node
 * runs on until the AWS SDK prints a deprecation warning, or something fails further in.
 */

const ROOT = resolve(__dirname, "..");

type Version = [number, number, number];

function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)] : undefined;
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** One comparator of a range (`>=22.13.0`, `^24.0.0`, `22.13.0`), as npm's semver reads it. */
function satisfiesComparator(version: Version, comparator: string): boolean {
  const match = /^(>=|<=|>|<|=|\^)?\s*(.+)$/.exec(comparator);
  const bound = match ? parseVersion(match[2]) : undefined;
  if (!match || !bound) {
    throw new Error(
      `package.json's engines.node has "${comparator}", which this check does not read: write the range with >=, >, <=, <, = or ^ and full versions, such as ">=22.13.0".`,
    );
  }
  const order = compare(version, bound);
  switch (match[1]) {
    case ">=":
      return order >= 0;
    case ">":
      return order > 0;
    case "<=":
      return order <= 0;
    case "<":
      return order < 0;
    case "^":
      return order >= 0 && version[0] === bound[0];
    default:
      return order === 0;
  }
}

/** Whether `version` (e.g. "20.20.2") is in `range` (`||` of space-separated comparators). */
export function satisfiesRange(version: string, range: string): boolean {
  const parsed = parseVersion(version);
  if (!parsed) {
    throw new Error(`"${version}" is not a Node.js version.`);
  }
  return range
    .split("||")
    .map((alternative) => alternative.trim().split(/\s+/).filter(Boolean))
    .some((comparators) => comparators.every((c) => satisfiesComparator(parsed, c)));
}

/** The supported range, from package.json's `engines.node`; undefined when it names none. */
export function supportedRange(root: string = ROOT): string | undefined {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    engines?: { node?: string };
  };
  return manifest.engines?.node;
}

/** The Node line the project develops on, from `.nvmrc`, for the fix the refusal names. */
function developmentLine(root: string): string {
  try {
    return readFileSync(join(root, ".nvmrc"), "utf8").trim() || "26";
  } catch {
    return "26";
  }
}

/**
 * The sentence that refuses an unsupported Node, or undefined when `version` is supported.
 * `command` is what the user ran (e.g. `npm start`), repeated in the fix.
 */
export function unsupportedNodeMessage(
  version: string,
  execPath: string,
  command: string,
  root: string = ROOT,
): string | undefined {
  const range = supportedRange(root);
  if (range === undefined || satisfiesRange(version, range)) {
    return undefined;
  }
  const line = developmentLine(root);
  return `api-s3-load needs Node.js ${range} (package.json engines), and this is Node.js ${version.replace(/^v/, "")} (${execPath}): run it on a supported one with \`.ci/with-node ${line} ${command}\` (installs Node ${line} from the npm registry into .ci/node), or \`nvm install\` (reads .nvmrc) and then \`${command}\`.`;
}

/** What the user ran, as npm names it (`npm start`, `npm run policy`), else the Pulumi CLI. */
export function commandOf(env: NodeJS.ProcessEnv): string {
  const script = env.npm_lifecycle_event;
  if (script === "start" || script === "test") {
    return `npm ${script}`;
  }
  return script ? `npm run ${script}` : "pulumi up";
}

/**
 * Stops the process with that sentence on an unsupported Node. Every entry point imports
 * startup/supportedNode.ts first, which calls this before anything else loads.
 */
export function refuseUnsupportedNode(): void {
  const message = unsupportedNodeMessage(process.version, process.execPath, commandOf(process.env));
  if (message !== undefined) {
    process.stderr.write(`error: ${message}\n`);
    process.exit(1);
  }
}
