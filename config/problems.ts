/**
 * How a reading of settings reports mistakes: every check pushes a `ConfigError` (key, problem,
 * fix) into one list, and the reading throws one `ConfigErrors` at the end, so a run names every
 * mistake at once instead of one per attempt. Pure: the program, `npm start` and `npm run verify`
 * share it.
 */

/** The project's config namespace. */
export const PROJECT = "api-s3-load";

/** One mistake: what is wrong with a value, named as the user wrote it, and how to fix it. */
export class ConfigError extends Error {
  /**
   * @param key The config key (`snapshots[0].pages`) or flag the problem is about.
   * @param subject How the value is named for this command; the stack config key by default.
   */
  constructor(
    readonly key: string,
    readonly problem: string,
    readonly fix: string,
    subject = `Config \`${PROJECT}:${key}\``,
  ) {
    super(`${subject} ${problem}. ${fix}`);
    this.name = "ConfigError";
  }
}

/**
 * Every mistake of one reading. Its message is the one mistake's sentence when there is one, else a
 * heading and one line per mistake, each still naming its key, problem and fix.
 */
export class ConfigErrors extends Error {
  constructor(readonly problems: readonly Error[]) {
    super(
      problems.length === 1
        ? problems[0].message
        : [
            `${problems.length} problems; fix them all, nothing was fetched or written:`,
            ...problems.map((problem) => `  - ${problem.message}`),
          ].join("\n"),
    );
    this.name = "ConfigErrors";
  }
}

/**
 * Throws the collected mistakes as one error, if there are any; a mistake found by two checks (one
 * broken file read for two settings) is named once.
 */
export function throwIfAny(problems: readonly Error[]): void {
  const all = problems.flatMap((p) => (p instanceof ConfigErrors ? p.problems : [p]));
  const unique = all.filter((p, i) => all.findIndex((q) => q.message === p.message) === i);
  if (unique.length > 0) {
    throw new ConfigErrors(unique);
  }
}

/**
 * Runs one check of a reading; a thrown mistake joins the list and `fallback` stands in for its
 * value, so the checks after it still run.
 */
export function collect<T>(problems: Error[], check: () => T, fallback: T): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof Error)) {
      throw error;
    }
    problems.push(...(error instanceof ConfigErrors ? error.problems : [error]));
    return fallback;
  }
}

/**
 * The known name a typo most likely meant, or undefined when none is close: the one rule for
 * misspelt config keys, namespaces, snapshot fields and command-line flags.
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const nearest = [...known].sort((a, b) => editDistance(name, a) - editDistance(name, b))[0];
  return nearest !== undefined &&
    editDistance(name, nearest) <= Math.max(2, Math.floor(nearest.length / 4))
    ? nearest
    : undefined;
}

/** Levenshtein distance, ignoring case, for suggesting the name a typo meant. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}
