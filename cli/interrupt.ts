/**
 * What `npm start` does on Ctrl-C (SIGINT) or SIGTERM (issue 18): it stops fetching at once, lets a
 * write already under way finish so it can say for sure what is stored, says in one sentence per
 * snapshot what was and was not written, and exits 130 or 143 as a shell expects of a process
 * ended by that signal.
 *
 * Stopping at once is safe because nothing but an S3 write changes anything outside the process,
 * and a write is never visible half done: S3 does not expose a partial PUT and the embedded server
 * commits a whole object or none (cli/atomicStore.ts). That is also why a second signal while the
 * write runs may abandon it: the object is then the previous one or the new one, whole.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { Io } from "./io";
import { EXIT_CODES, onStop, type StopSignal } from "./stopSignals";

export type InterruptSignal = StopSignal;
export { EXIT_CODES };

/**
 * A repeat of the signal this soon after the first is the same request: a Ctrl-C in a terminal
 * reaches this process both from the terminal and forwarded by npm.
 */
export const REPEAT_WITHIN_MS = 1_000;

/** S3 commands that change what is stored; everything else only reads. */
const WRITES = new Set([
  "PutObjectCommand",
  "CopyObjectCommand",
  "DeleteObjectCommand",
  "DeleteObjectsCommand",
  "CompleteMultipartUploadCommand",
  "PutObjectTaggingCommand",
]);

type State =
  | "not started"
  | "fetching"
  | "writing"
  | "written"
  | "unchanged"
  | "failed"
  | "write failed"
  | "abandoned";

interface Snapshot {
  name: string;
  uri: string;
  key: string;
  state: State;
  /** Whether an object stood at the key when the run looked; undefined before it looked. */
  stored?: boolean;
}

export interface InterruptOptions {
  /** Where the signals come from; the process by default. */
  signals?: NodeJS.EventEmitter;
  /** Ends the process; `process.exit` by default. */
  exit?: (code: number) => void;
  now?: () => number;
}

/**
 * Watches one run's snapshots. The run says when each starts and how it ended; the S3 client it
 * guards says when a write starts and ends.
 */
export class RunInterrupts {
  private readonly snapshots: Snapshot[];
  private readonly exit: (code: number) => void;
  private readonly now: () => number;
  private received?: { signal: InterruptSignal; at: number };
  private writes = 0;
  private ended = false;
  private readonly release: () => void;

  constructor(
    bucket: string,
    snapshots: { name: string; key: string }[],
    private readonly io: Io,
    options: InterruptOptions = {},
  ) {
    this.snapshots = snapshots.map(({ name, key }) => ({
      name,
      key,
      uri: `s3://${bucket}/${key}`,
      state: "not started",
    }));
    this.exit = options.exit ?? ((code) => process.exit(code));
    this.now = options.now ?? Date.now;
    this.release = onStop((signal) => this.onSignal(signal), options.signals);
  }

  /** Gives the signals back to their default handling, once the run is over. */
  dispose(): void {
    this.release();
  }

  /** A snapshot starts: from here until it ends, it is fetching unless a write of it is running. */
  begin(name: string): void {
    this.named(name).state = "fetching";
  }

  /** The run looked at a snapshot's key: whether an object stood there. */
  found(name: string, stored: boolean): void {
    this.named(name).stored = stored;
  }

  /** A snapshot ended, with this outcome. */
  end(name: string, outcome: "written" | "unchanged" | "failed"): void {
    this.named(name).state = outcome;
  }

  /** Tracks the writes `client` sends, so a signal during one waits for it. */
  guard(client: S3Client): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (!WRITES.has(context.commandName ?? "")) {
          return next(args);
        }
        const key = (args.input as { Key?: string }).Key;
        const snapshot = this.snapshots.find((s) => s.key === key);
        this.writes++;
        if (snapshot) {
          snapshot.state = "writing";
        }
        let settled: State = "write failed";
        try {
          const output = await next(args);
          settled = "written";
          return output;
        } finally {
          this.writes--;
          if (snapshot && snapshot.state === "writing") {
            snapshot.state = settled;
          }
          if (this.received && this.writes === 0) {
            this.report();
          }
        }
      },
      { step: "initialize", name: "interruptGuard" },
    );
  }

  private named(name: string): Snapshot {
    const snapshot = this.snapshots.find((s) => s.name === name);
    if (!snapshot) {
      throw new Error(`No snapshot named "${name}" in this run.`);
    }
    return snapshot;
  }

  private onSignal(signal: InterruptSignal): void {
    if (this.ended) {
      return;
    }
    const now = this.now();
    if (!this.received) {
      this.received = { signal, at: now };
      if (this.writes === 0) {
        this.report();
        return;
      }
      const writing = this.snapshots.filter((s) => s.state === "writing");
      this.io.stderr(
        `${signal}: letting the write of ${writing.map((s) => s.uri).join(", ") || "an object"} finish, so that what is stored is known; signal again to abandon it (the object is then the previous one or the new one, whole).`,
      );
      return;
    }
    if (now - this.received.at < REPEAT_WITHIN_MS) {
      return;
    }
    for (const snapshot of this.snapshots) {
      if (snapshot.state === "writing") {
        snapshot.state = "abandoned";
      }
    }
    this.report();
  }

  private report(): void {
    if (this.ended || !this.received) {
      return;
    }
    this.ended = true;
    const { signal } = this.received;
    const written = this.snapshots.filter((s) => s.state === "written").length;
    this.io.stderr(
      `Interrupted by ${signal}: stopped before the run ended; ${written} of ${this.snapshots.length} snapshot${this.snapshots.length === 1 ? "" : "s"} written, none half-written.`,
    );
    for (const snapshot of this.snapshots) {
      this.io.stderr(`  ${describe(snapshot)}`);
    }
    this.exit(EXIT_CODES[signal]);
  }
}

/** One sentence: what this snapshot's object holds after the interruption. */
export function describe(snapshot: {
  name: string;
  uri: string;
  state: State;
  stored?: boolean;
}): string {
  const { name, uri } = snapshot;
  switch (snapshot.state) {
    case "written":
      return `${name}: written: ${uri} holds the new data.`;
    case "unchanged":
      return `${name}: not written, as the data had not changed: ${uri} already held it.`;
    case "failed":
      return `${name}: not written: it failed before the signal (see above); ${untouched(snapshot)}.`;
    case "write failed":
      return `${name}: not written: the write failed; ${untouched(snapshot)}.`;
    case "fetching":
      return `${name}: not written: its fetch was stopped; ${untouched(snapshot)}.`;
    case "writing":
    case "abandoned":
      return `${name}: write abandoned: ${uri} holds either its previous object or the new one, whole; run again to be sure of the new data.`;
    case "not started":
      return `${name}: not written: not started; ${untouched(snapshot)}.`;
  }
}

/** What a snapshot that wrote nothing left at its key: the object there, or still none. */
function untouched({ uri, stored }: { uri: string; stored?: boolean }): string {
  if (stored === undefined) {
    return `${uri} was not touched`;
  }
  return stored
    ? `${uri} was left as it was`
    : `nothing was there, and ${uri} still holds no object`;
}
