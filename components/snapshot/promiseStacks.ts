/**
 * Makes the stack traces Pulumi takes while a resource registers (its constructor's `super(...)`)
 * cheap, unless `PULUMI_DEBUG_PROMISE_LEAKS` asks for them; returns what `restorePromiseStacks`
 * puts back.
 *
 * Pulumi wraps every property of a resource in a "debuggable" promise that reads `new Error().stack`
 * at once, which only its promise-leak report under PULUMI_DEBUG_PROMISE_LEAKS prints. Under ts-node
 * (the Pulumi CLI's language host, and the benchmark) formatting a stack runs source-map-support over
 * every frame: with a Snapshot's ~25 properties, that was most of what each added Snapshot cost the
 * program (issue 20). So while registering, a stack is formatted as its first line only.
 *
 * The frames are still captured (at most `REGISTRATION_FRAMES`): V8 formats a stack when it is first
 * read, so the error Pulumi preallocates for a failed registration (`preallocError`,
 * runtime/resource.js), read only once it is thrown, is formatted with the program's own formatter
 * and names the line of the program that declared the resource (issue 23). Two functions rather than
 * a callback, because `super()` cannot move into one.
 */

/** Frames from Pulumi's registration down to the program's line, with room for a helper or two. */
export const REGISTRATION_FRAMES = 10;

/** What `quietPromiseStacks` replaced. */
export interface SavedStacks {
  limit: number;
  prepare: ErrorConstructor["prepareStackTrace"];
}

/** The first line of a stack (`Error: message`): what the promise records cost nothing to make. */
function headerOnly(error: Error): string {
  return `${error}`;
}

export function quietPromiseStacks(): SavedStacks {
  const saved = { limit: Error.stackTraceLimit, prepare: Error.prepareStackTrace };
  if (!process.env.PULUMI_DEBUG_PROMISE_LEAKS) {
    Error.stackTraceLimit = Math.min(saved.limit, REGISTRATION_FRAMES);
    Error.prepareStackTrace = headerOnly;
  }
  return saved;
}

/** Puts back what `quietPromiseStacks` returned. */
export function restorePromiseStacks(saved: SavedStacks): void {
  Error.stackTraceLimit = saved.limit;
  Error.prepareStackTrace = saved.prepare;
}
