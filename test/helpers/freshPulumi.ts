/**
 * Pulumi's runtime and @pulumi/aws add `exit`/`beforeExit` listeners to the process each time their
 * modules load. A real `pulumi up` loads them once per process; a test that runs the program again in
 * a fresh module registry loads them again, on the one process jest gives a test file, so finished
 * runs' listeners pile up until Node warns of a leak (past 10). Before each run, the listeners that
 * earlier runs left behind are removed: those runs are over, and nothing of theirs is pending.
 */
import type { EventEmitter } from "node:events";
import { disconnectInspectorSessions } from "./inspectorSessions";

const EVENTS = ["exit", "beforeExit"];
// Typed as a plain emitter: the listeners are only compared and removed, never called.
const emitter: EventEmitter = process;

const baseline = new Map<string, ReadonlySet<unknown>>(
  EVENTS.map((event) => [event, new Set<unknown>(emitter.listeners(event))]),
);

/** Removes every `exit`/`beforeExit` listener added since this module loaded. */
export function releaseFinishedRunListeners(): void {
  for (const event of EVENTS) {
    const kept = baseline.get(event) ?? new Set<unknown>();
    for (const listener of emitter.listeners(event)) {
      if (!kept.has(listener)) {
        emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
}

/** Pulumi's SDK in a fresh module registry, as a new `pulumi up` process would load it. */
export async function freshPulumi(): Promise<typeof import("@pulumi/pulumi")> {
  releaseFinishedRunListeners();
  disconnectInspectorSessions();
  jest.resetModules();
  return import("@pulumi/pulumi");
}
