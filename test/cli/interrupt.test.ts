/**
 * Issue 18: Ctrl-C, SIGTERM or kill -9 at any moment of `npm start` leaves every stored object
 * byte-identical to the previous data or to the new data, with metadata that agrees with its bytes,
 * and a signal gets a sentence per snapshot saying what was and was not written.
 *
 * Each run is the real `npm start`, spawned through npm in a process group of its own and signalled
 * as a terminal signals it (the whole group), against the fake CoinGecko answering a slow,
 * multi-megabyte payload so that kill points land inside the fetch and inside the write. A kill
 * point is timed from what the test sees happen: the request reaching the fake (fetch) or the
 * embedded server's staging folder appearing (write).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  watch,
  type FSWatcher,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { isAlive, STAGING_DIR, stagingPid } from "../../cli/atomicStore";
import { startEmbeddedS3 } from "../../cli/embeddedS3";
import { marketsItem, startFakeCoingecko, type FakeCoingecko } from "../helpers/fakeCoingecko";
import { PROJECT_ROOT } from "../helpers/programRun";

const BUCKET = "api-s3-load-dev";
const KEY = "coingecko/coins-markets.json";
const URI = `s3://${BUCKET}/${KEY}`;
const OBJECT_FILE = join(BUCKET, `${KEY}._S3rver_object`);
/** The fake waits this long before it answers: the fetch kill points fall in it. */
const LATENCY_MS = 300;

/**
 * Two versions of the data: the fake's `oversize` answer repeats one markets item until this many
 * bytes, and `npm start` stores it as pretty JSON (about 8.7 and 6.8 MB).
 */
const VERSIONS = { old: 7_000_000, new: 5_500_000 } as const;
type Version = keyof typeof VERSIONS;

/** The exact bytes `npm start` stores for a version: what the fake sends, as pretty JSON. */
function storedBytes(version: Version): Buffer {
  const item = marketsItem(0);
  const count = Math.ceil(VERSIONS[version] / (JSON.stringify(item).length + 1));
  return Buffer.from(`${JSON.stringify(Array(count).fill(item), null, 2)}\n`);
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const md5 = (bytes: Buffer) => createHash("md5").update(bytes).digest("hex");

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /**
   * The status a shell reports for the run: its exit code, or 128 + the signal's number when npm
   * ended by re-raising the signal its script's shell died of (npm runs the script through `sh -c`).
   */
  status: number | null;
  stdout: string;
  stderr: string;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = {
  SIGINT: 2,
  SIGKILL: 9,
  SIGTERM: 15,
};

/** `npm start` through npm, as its own process group (the way a terminal runs a command). */
function npmStart(fake: FakeCoingecko, dataDir: string) {
  const child = spawn(
    "npm",
    ["start", "--silent", "--", "--base-url", fake.baseUrl, "--data-dir", dataDir],
    { cwd: PROJECT_ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((resolve) =>
    child.on("close", (code, signal) =>
      resolve({
        code,
        signal,
        status: code ?? (signal ? 128 + (SIGNAL_NUMBERS[signal] ?? 0) : null),
        stdout,
        stderr,
      }),
    ),
  );
  return {
    exited,
    /**
     * Signals the whole group, as a terminal's Ctrl-C (or a kill of the job) does; false if the run
     * had already ended.
     */
    group: (signal: NodeJS.Signals) => signalled(() => process.kill(-child.pid!, signal)),
    /** Signals npm alone. */
    npm: (signal: NodeJS.Signals) => process.kill(child.pid!, signal),
  };
}

function signalled(send: () => void): boolean {
  try {
    send();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") {
      return false;
    }
    throw error;
  }
}

/** Resolves when the fake receives its next request. */
function requestArrives(fake: FakeCoingecko): Promise<void> {
  const seen = fake.requests.length;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (fake.requests.length > seen) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
}

/** Resolves when the embedded server starts staging a write in `dataDir`. */
function writeStarts(dataDir: string): { started: Promise<void>; watcher: FSWatcher } {
  let watcher!: FSWatcher;
  const started = new Promise<void>((resolve) => {
    watcher = watch(join(dataDir, STAGING_DIR), (_event, name) => {
      if (name && /^put-\d+-\w+$/.test(name)) {
        resolve();
      }
    });
  });
  return { started, watcher };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Staging folders a run left: `put-…` (not committed) and `put-….commit` (committed). */
function leftStaged(dataDir: string): { uncommitted: number; committed: number } {
  const names = existsSync(join(dataDir, STAGING_DIR))
    ? readdirSync(join(dataDir, STAGING_DIR))
    : [];
  const committed = names.filter((n) => n.endsWith(".commit")).length;
  return { uncommitted: names.length - committed, committed };
}

/**
 * What a reader gets after the run: the object through the embedded server started again on the
 * same folder (which first finishes or discards what a killed run left staged), its bytes checked
 * against its own metadata and ETag.
 */
async function readBack(dataDir: string): Promise<Version> {
  // A killed process is gone a moment after its parent saw its pipes close; until then its staged
  // write is rightly left alone. Start again as a user would: once it is gone.
  for (const name of readdirSync(join(dataDir, STAGING_DIR))) {
    for (let wait = 0; isAlive(stagingPid(name)) && wait < 5_000; wait += 10) {
      await sleep(10);
    }
  }
  const s3 = await startEmbeddedS3({ directory: dataDir });
  try {
    const object = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }));
    const body = Buffer.from(await object.Body!.transformToByteArray());
    expect(object.Metadata?.sha256).toBe(sha256(body));
    expect(object.ETag).toBe(`"${md5(body)}"`);
    expect(object.ContentLength).toBe(body.length);
    expect(readdirSync(join(dataDir, STAGING_DIR))).toEqual([]);
    return whichVersion(body);
  } finally {
    await s3.stop();
  }
}

const BYTES: Record<Version, Buffer> = { old: storedBytes("old"), new: storedBytes("new") };
function whichVersion(body: Buffer): Version {
  const version = (Object.keys(BYTES) as Version[]).find((v) => BYTES[v].equals(body));
  if (!version) {
    throw new Error(`The stored object (${body.length} bytes) is neither version: a mix.`);
  }
  return version;
}

let fake: FakeCoingecko;
let dataDir: string;
const other = (version: Version): Version => (version === "old" ? "new" : "old");

beforeAll(async () => {
  fake = await startFakeCoingecko({ latencyMs: LATENCY_MS });
  dataDir = mkdtempSync(join(tmpdir(), "api-s3-load-interrupt-"));
  fake.setFault({ kind: "oversize", bytes: VERSIONS.old });
  const first = await npmStart(fake, dataDir).exited;
  expect(first).toMatchObject({ code: 0 });
  expect(await readBack(dataDir)).toBe("old");
});
afterAll(async () => {
  await fake.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * Starts a run that fetches the version the store does not hold: `stored` is what it holds before,
 * `next` what a whole run stores.
 */
function nextRun() {
  const stored = whichVersion(readFileSync(join(dataDir, OBJECT_FILE)));
  const next = other(stored);
  fake.setFault({ kind: "oversize", bytes: VERSIONS[next] });
  const write = writeStarts(dataDir);
  const arrival = requestArrives(fake);
  const run = npmStart(fake, dataDir);
  const exited = run.exited.finally(() => write.watcher.close());
  /** Waits for `moment`; fails at once if the run ends first. */
  const until = (moment: Promise<void>, what: string) =>
    Promise.race([
      moment,
      exited.then((exit) => {
        throw new Error(`The run ended before ${what}: ${JSON.stringify(exit)}`);
      }),
    ]);
  return {
    ...run,
    exited,
    stored,
    next,
    untilWrite: () => until(write.started, "its write started"),
    untilFetch: () => until(arrival, "its fetch started"),
  };
}

describe("kill -9 of the whole npm start at any moment", () => {
  // Fetch points: as the request arrives, and while the answer streams in. Write points: from the
  // moment the server stages the body to past the point it commits (tens of milliseconds here).
  const points: [string, number][] = [
    ["fetch", 0],
    ["fetch", LATENCY_MS + 60],
    ["write", 0],
    ["write", 10],
    ["write", 30],
    ["write", 70],
    ["write", 150],
  ];
  const inside = { uncommitted: 0, committed: 0 };

  it.each(points)(
    "at %s start + %i ms leaves the previous object or the new one, whole, metadata agreeing",
    async (phase, delay) => {
      const run = nextRun();
      await (phase === "fetch" ? run.untilFetch() : run.untilWrite());
      await sleep(delay);
      // A point past the end of the run finds it ended, having written the new data: the group is
      // gone, or (npm not yet reaped) the signal reaches only a process that already exited 0.
      const killed = run.group("SIGKILL");
      const exit = await run.exited;
      const endedFirst = !killed || exit.signal === null;
      if (endedFirst) {
        expect(exit.code).toBe(0);
      } else {
        expect(exit.signal).toBe("SIGKILL");
      }

      // Straight from the disk, before anything repairs it: the object file is one version whole.
      const onDisk = whichVersion(readFileSync(join(dataDir, OBJECT_FILE)));
      const left = leftStaged(dataDir);
      inside.uncommitted += left.uncommitted;
      inside.committed += left.committed;
      const found = await readBack(dataDir);
      if (phase === "fetch" || left.uncommitted > 0) {
        // Killed before the commit point: the write never happened.
        expect(found).toBe(run.stored);
      } else if (left.committed > 0 || endedFirst) {
        // Killed after it (the next start finishes the write), or not killed at all.
        expect(found).toBe(run.next);
      } else {
        expect(found).toBe(onDisk);
      }
    },
  );

  it("landed at least one kill inside a write, before its commit", () => {
    expect(inside.uncommitted).toBeGreaterThan(0);
  });
});

describe("Ctrl-C and SIGTERM", () => {
  it("Ctrl-C during the fetch stops at once, says nothing was written, exits 130", async () => {
    const run = nextRun();
    await run.untilFetch();
    run.group("SIGINT");
    const exit = await run.exited;
    expect(exit.status).toBe(130);
    expect(exit.stderr).toContain(
      `Interrupted by SIGINT: stopped before the run ended; 0 of 1 snapshot written, none half-written.\n  coins-markets: not written: its fetch was stopped; ${URI} was left as it was.\n`,
    );
    expect(exit.stdout).toBe("");
    expect(await readBack(dataDir)).toBe(run.stored);
  });

  it("Ctrl-C during the write lets it finish, says it was written, exits 130", async () => {
    const run = nextRun();
    await run.untilWrite();
    run.group("SIGINT");
    const exit = await run.exited;
    expect(exit.status).toBe(130);
    expect(exit.stderr).toContain(`SIGINT: letting the write of ${URI} finish`);
    expect(exit.stderr).toContain(
      `Interrupted by SIGINT: stopped before the run ended; 1 of 1 snapshot written, none half-written.\n  coins-markets: written: ${URI} holds the new data.\n`,
    );
    expect(await readBack(dataDir)).toBe(run.next);
  });

  it("SIGTERM sent to npm alone stops the run too, through the shell npm runs it in", async () => {
    // npm forwards the signal to its script's shell, which dies of it without passing it on; the
    // command notices its parent gone and stops as if it had been sent the signal.
    const run = nextRun();
    await run.untilFetch();
    run.npm("SIGTERM");
    const exit = await run.exited;
    expect(exit.status).toBe(143);
    expect(exit.stderr).toContain(
      `Interrupted by SIGTERM: stopped before the run ended; 0 of 1 snapshot written, none half-written.\n  coins-markets: not written: its fetch was stopped; ${URI} was left as it was.\n`,
    );
    expect(await readBack(dataDir)).toBe(run.stored);
  });

  it("SIGTERM exits 143 with the same account", async () => {
    const run = nextRun();
    await run.untilFetch();
    run.group("SIGTERM");
    const exit = await run.exited;
    expect(exit.status).toBe(143);
    expect(exit.stderr).toContain(
      `Interrupted by SIGTERM: stopped before the run ended; 0 of 1 snapshot written, none half-written.\n  coins-markets: not written: its fetch was stopped; ${URI} was left as it was.\n`,
    );
    expect(await readBack(dataDir)).toBe(run.stored);
  });
});
