/**
 * Pulumi serializes a function (the Snapshot provider) through an inspector session on its own
 * process: the first serialization connects a `node:inspector` Session, enables the debugger and
 * keeps both for the life of the process (@pulumi/pulumi runtime/closure/v8Hooks.js). A `pulumi up`
 * loads that module once. Jest loads it again for every test file and every fresh Pulumi
 * (freshPulumi.ts), in one worker process, so each load left one more session connected: each kept
 * its module registry alive through its listener, and each enabled debugger kept a copy of every
 * script the worker compiled after it, collected or not (V8 keeps collected scripts for a debugger
 * with no `maxScriptsCacheSize`). A worker grew by gigabytes outside the JS heap, where jest's
 * `workerIdleMemoryLimit` (which reads `heapUsed`) never saw it.
 *
 * `node:inspector` is a built-in, shared by every module registry of the worker, so the sessions
 * are tracked on its `Session` prototype, which this file's copies inside and outside the test
 * sandbox both reach, and disconnected once the run that opened them is over.
 */
import * as inspector from "node:inspector";

const TRACKED = Symbol.for("api-s3-load.test.inspectorSessions");

type Tracked = typeof inspector.Session.prototype & { [TRACKED]?: Set<inspector.Session> };

/** The worker's one set of connected sessions, created with the `connect` wrapper on first use. */
function connectedSessions(): Set<inspector.Session> {
  const prototype: Tracked = inspector.Session.prototype;
  const existing = prototype[TRACKED];
  if (existing) {
    return existing;
  }
  const sessions = new Set<inspector.Session>();
  const connect = prototype.connect;
  prototype.connect = function connectTracked(this: inspector.Session): void {
    connect.call(this);
    sessions.add(this);
  };
  prototype[TRACKED] = sessions;
  return sessions;
}

/** Starts tracking the inspector sessions that code loaded from now on connects. */
export function trackInspectorSessions(): void {
  connectedSessions();
}

/** Disconnects every session connected since tracking began; their Pulumi runs are over. */
export function disconnectInspectorSessions(): void {
  const sessions = connectedSessions();
  for (const session of sessions) {
    session.disconnect();
  }
  sessions.clear();
}
