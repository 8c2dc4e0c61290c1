/**
 * Reading values that may be unknown during `pulumi preview`.
 *
 * The policy host wraps every property bag in a proxy that throws the SDK's `UnknownValueError`
 * when a not-yet-computed value is read; uncaught, that error turns a whole policy into an advisory
 * "can't run during preview" note. Stack policies read many resources, so they catch it per value,
 * decide what they can, and rethrow only when an unknown value could change the verdict.
 */

/**
 * True when `err` is the policy SDK's unknown-value error. The class is internal to
 * `@pulumi/policy` (its typings export nothing), so it is recognised by its constructor's name.
 */
export function isUnknownValueError(err: unknown): err is Error {
  return err instanceof Error && err.constructor.name === "UnknownValueError";
}

/** A value read from a resource: either known, or unknown with the error that says where. */
export type Read<T> = { known: true; value: T } | { known: false; error: Error };

/** Runs `read`, turning the SDK's unknown-value error into `{ known: false }`; other errors propagate. */
export function tryRead<T>(read: () => T): Read<T> {
  try {
    return { known: true, value: read() };
  } catch (err) {
    if (isUnknownValueError(err)) {
      return { known: false, error: err };
    }
    throw err;
  }
}

/** Narrows an unknown property value to a record, for walking nested input shapes. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value that may be one item or a list (IAM's `Action`, `Resource`, principals), as a list. */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? [...value] : [value];
}

/** The strings of a one-or-many value, ignoring anything that is not a string. */
export function stringsOf(value: unknown): string[] {
  return asList(value).filter((v): v is string => typeof v === "string");
}

/**
 * Runs every check of one policy on one resource, even when an earlier one meets a value that is
 * unknown during preview; then rethrows the first unknown-value error, so the host reports what
 * was decided plus one advisory note that names the value it could not see.
 */
export function judgeAll(checks: readonly (() => void)[]): void {
  let unknown: Error | undefined;
  for (const check of checks) {
    const read = tryRead(check);
    if (!read.known) {
      unknown = unknown ?? read.error;
    }
  }
  if (unknown) {
    throw unknown;
  }
}

/** The value at `path` inside `props` (`["details", "policy"]`), or undefined where a step is missing. */
export function valueAt(props: unknown, path: readonly string[]): unknown {
  let value: unknown = props;
  for (const key of path) {
    value = isRecord(value) ? value[key] : undefined;
  }
  return value;
}
