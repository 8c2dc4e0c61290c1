/**
 * Turns V8 stack traces off while a resource registers (its constructor's `super(...)`), unless
 * `PULUMI_DEBUG_PROMISE_LEAKS` asks for them; returns what `restorePromiseStacks` puts back.
 *
 * Pulumi wraps every property of a resource in a "debuggable" promise that stores `new Error().stack`,
 * which only its promise-leak report under PULUMI_DEBUG_PROMISE_LEAKS prints. Under ts-node (the
 * Pulumi CLI's language host, and the benchmark) reading `.stack` runs source-map-support over every
 * frame: with a Snapshot's ~25 properties, that was most of what each added Snapshot cost the program
 * (issue 20). Pulumi's record of where a resource was declared is unaffected: it raises
 * `Error.stackTraceLimit` itself for that one trace. Two functions rather than a callback, because
 * `super()` cannot move into one.
 */
export function quietPromiseStacks(): number {
  const limit = Error.stackTraceLimit;
  if (!process.env.PULUMI_DEBUG_PROMISE_LEAKS) {
    Error.stackTraceLimit = 0;
  }
  return limit;
}

/** Puts back the limit `quietPromiseStacks` returned. */
export function restorePromiseStacks(limit: number): void {
  Error.stackTraceLimit = limit;
}
