/**
 * Record paths: `$`, `$.a.b`, `$[1]`, `$.data[0].items`. Dots and indexes only, read literally:
 * no filters, wildcards or script, so a stack file can never make the engine evaluate anything.
 */

/** One step of a path: an object field or a list index. */
export type PathStep = string | number;

const STEP = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d{1,9})\])/;

/** The steps of a path, or undefined when the text is not a dot/index path. */
export function parsePath(text: unknown): PathStep[] | undefined {
  if (typeof text !== "string" || !text.startsWith("$")) {
    return undefined;
  }
  const steps: PathStep[] = [];
  let rest = text.slice(1);
  while (rest !== "") {
    const match = STEP.exec(rest);
    if (!match) {
      return undefined;
    }
    steps.push(match[1] !== undefined ? match[1] : Number(match[2]));
    rest = rest.slice(match[0].length);
  }
  return steps;
}

/** Why `text` is not a path, as the end of a sentence naming the field; undefined when it is one. */
export function pathProblem(text: unknown): string | undefined {
  if (parsePath(text) !== undefined) {
    return undefined;
  }
  return `is ${JSON.stringify(text)}, which is not a path: write "$" for the whole body, then ".field" or "[index]" steps, such as "$.results" or "$[1]" (no filters, wildcards or expressions)`;
}

/** The value at `path` in `value`; `found` is false when a step is missing. */
export function readPath(value: unknown, path: string): { found: boolean; value?: unknown } {
  const steps = parsePath(path);
  if (steps === undefined) {
    throw new Error(`"${path}" is not a path`);
  }
  let current: unknown = value;
  for (const step of steps) {
    if (typeof step === "number") {
      if (!Array.isArray(current) || step >= current.length) {
        return { found: false };
      }
      current = current[step];
    } else {
      if (
        typeof current !== "object" ||
        current === null ||
        Array.isArray(current) ||
        !Object.prototype.hasOwnProperty.call(current, step)
      ) {
        return { found: false };
      }
      current = (current as Record<string, unknown>)[step];
    }
  }
  return { found: true, value: current };
}
