/**
 * Values as the generic provider server hands them over: it declares that it accepts secrets, so a
 * secret arrives wrapped (`{[specialSigKey]: specialSecretSig, value}`), and a value a preview does
 * not know yet arrives as the unknown sentinel. The provider reveals values for use, and wraps
 * again what must stay secret in what it returns: the engine re-marks secrets only for providers
 * that decline them, so an unwrapped value would land in state as plain text.
 */
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";

/** The string the engine sends in place of a value it does not know yet. */
export const UNKNOWN: string = unknownValue;

export type PropertyMap = Record<string, unknown>;

export interface WireSecret {
  [specialSigKey]: string;
  value: unknown;
}

export function isWireSecret(value: unknown): value is WireSecret {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    (value as Record<string, unknown>)[specialSigKey] === specialSecretSig
  );
}

/** Marks `value` secret in the engine's wire form. */
export function asSecret(value: unknown): WireSecret {
  return { [specialSigKey]: specialSecretSig, value };
}

/** `value` with every secret wrapper removed, at any depth. */
export function reveal(value: unknown): unknown {
  if (isWireSecret(value)) {
    return reveal(value.value);
  }
  if (Array.isArray(value)) {
    return value.map(reveal);
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
  }
  return value;
}

/** Whether `value` holds a secret anywhere. */
export function holdsSecret(value: unknown): boolean {
  if (isWireSecret(value)) {
    return true;
  }
  if (Array.isArray(value)) {
    return value.some(holdsSecret);
  }
  if (typeof value === "object" && value !== null) {
    return Object.values(value).some(holdsSecret);
  }
  return false;
}

/** Whether `value` holds the unknown sentinel anywhere. */
export function holdsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) {
    return true;
  }
  if (isWireSecret(value)) {
    return holdsUnknown(value.value);
  }
  if (Array.isArray(value)) {
    return value.some(holdsUnknown);
  }
  if (typeof value === "object" && value !== null) {
    return Object.values(value).some(holdsUnknown);
  }
  return false;
}

/** Top-level properties of `props` that hold a secret anywhere. */
export function secretProperties(props: PropertyMap): Set<string> {
  return new Set(
    Object.entries(props)
      .filter(([, v]) => holdsSecret(v))
      .map(([k]) => k),
  );
}

/**
 * Shortest secret string an error is scrubbed of, besides the properties named always-secret: a
 * secret tag value such as "data" cannot be told apart from the words of a message.
 */
const MIN_SCRUBBED_LENGTH = 8;

/**
 * The strings an error must never show, longest first: every string of the `always` properties,
 * and every string of at least 8 characters inside any other secret of `props`.
 */
export function secretStrings(props: PropertyMap, always: readonly string[] = []): string[] {
  const found = new Set<string>();
  const collect = (value: unknown, inSecret: boolean, minLength: number): void => {
    if (isWireSecret(value)) {
      collect(value.value, true, minLength);
    } else if (Array.isArray(value)) {
      value.forEach((v) => collect(v, inSecret, minLength));
    } else if (typeof value === "object" && value !== null) {
      Object.values(value).forEach((v) => collect(v, inSecret, minLength));
    } else if (
      inSecret &&
      typeof value === "string" &&
      value.length >= minLength &&
      value !== UNKNOWN
    ) {
      found.add(value);
    }
  };
  for (const [name, value] of Object.entries(props)) {
    const isAlways = always.includes(name);
    collect(value, isAlways, isAlways ? 1 : MIN_SCRUBBED_LENGTH);
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/** `props` with the named top-level properties wrapped as secrets (once). */
export function wrapSecrets(props: PropertyMap, names: Iterable<string>): PropertyMap {
  const out = { ...props };
  for (const name of names) {
    if (out[name] !== undefined && !isWireSecret(out[name])) {
      out[name] = asSecret(out[name]);
    }
  }
  return out;
}

/**
 * `error` with every secret string replaced by `[secret]` in its message and stack: the generic
 * server prints a failed check, diff, read or delete with its stack to the CLI, and sends a failed
 * create or update's message to the engine.
 */
export function redacted(error: unknown, secrets: string[]): Error {
  const scrub = (text: string) =>
    secrets.reduce((acc, secret) => acc.split(secret).join("[secret]"), text);
  if (!(error instanceof Error)) {
    return new Error(scrub(String(error)));
  }
  if (secrets.length > 0) {
    error.message = scrub(error.message);
    if (error.stack !== undefined) {
      error.stack = scrub(error.stack);
    }
  }
  return error;
}
