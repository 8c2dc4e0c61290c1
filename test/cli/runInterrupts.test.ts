/**
 * RunInterrupts on its own: what a signal does at each moment of a run, and the sentence it leaves
 * for each snapshot. test/cli/interrupt.test.ts does the same through the real `npm start`.
 */
import { EventEmitter } from "node:events";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { RunInterrupts } from "../../cli/interrupt";

const SNAPSHOTS = ["a", "b", "c", "d", "e"].map((name) => ({
  name,
  key: `coingecko/${name}.json`,
}));

/** A client whose PUTs wait, without a network, until the test lets them answer. */
function pausedClient() {
  const client = new S3Client({
    region: "us-east-1",
    endpoint: "http://127.0.0.1:9",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  let started!: () => void;
  const sent = new Promise<void>((resolve) => (started = resolve));
  client.middlewareStack.add(
    () => async () => {
      started();
      await answered;
      return { output: { $metadata: {} }, response: {} };
    },
    { step: "build", name: "pausedAnswer" },
  );
  return { client, answer, sent };
}

function watch() {
  const signals = new EventEmitter();
  const lines: string[] = [];
  const exits: number[] = [];
  let now = 0;
  const interrupts = new RunInterrupts(
    "bucket",
    SNAPSHOTS,
    { stdout: (l) => lines.push(l), stderr: (l) => lines.push(l) },
    { signals, exit: (code) => exits.push(code), now: () => now },
  );
  return {
    interrupts,
    signals,
    lines,
    exits,
    later: (ms: number) => (now += ms),
  };
}

describe("a signal with no write under way", () => {
  it("ends the run at once, with one sentence per snapshot, exit 130 for SIGINT", () => {
    const { interrupts, signals, lines, exits } = watch();
    interrupts.begin("a");
    interrupts.end("a", "written");
    interrupts.begin("b");
    interrupts.end("b", "unchanged");
    interrupts.begin("c");
    interrupts.found("c", true);
    interrupts.end("c", "failed");
    interrupts.begin("d");
    interrupts.found("d", false);
    signals.emit("SIGINT");
    expect(exits).toEqual([130]);
    expect(lines).toEqual([
      "Interrupted by SIGINT: stopped before the run ended; 1 of 5 snapshots written, none half-written.",
      "  a: written: s3://bucket/coingecko/a.json holds the new data.",
      "  b: not written, as the data had not changed: s3://bucket/coingecko/b.json already held it.",
      "  c: not written: it failed before the signal (see above); s3://bucket/coingecko/c.json was left as it was.",
      "  d: not written: its fetch was stopped; nothing was there, and s3://bucket/coingecko/d.json still holds no object.",
      "  e: not written: not started; s3://bucket/coingecko/e.json was not touched.",
    ]);
    signals.emit("SIGINT");
    expect(exits).toEqual([130]);
  });

  it("exits 143 for SIGTERM", () => {
    const { signals, exits, lines } = watch();
    signals.emit("SIGTERM");
    expect(exits).toEqual([143]);
    expect(lines[0]).toBe(
      "Interrupted by SIGTERM: stopped before the run ended; 0 of 5 snapshots written, none half-written.",
    );
  });

  it("gives the signals back once disposed", () => {
    const { interrupts, signals, exits } = watch();
    interrupts.dispose();
    expect(signals.listenerCount("SIGINT") + signals.listenerCount("SIGTERM")).toBe(0);
    signals.emit("SIGINT");
    expect(exits).toEqual([]);
  });
});

describe("a signal while a write is under way", () => {
  it("waits for the write, then says it was written", async () => {
    const { interrupts, signals, lines, exits, later } = watch();
    const { client, answer, sent } = pausedClient();
    interrupts.guard(client);
    interrupts.begin("a");
    const put = client.send(new PutObjectCommand({ Bucket: "bucket", Key: "coingecko/a.json" }));
    await sent;
    signals.emit("SIGINT");
    // The same Ctrl-C forwarded by npm a moment later is not a second request.
    later(200);
    signals.emit("SIGINT");
    expect(exits).toEqual([]);
    expect(lines).toEqual([
      "SIGINT: letting the write of s3://bucket/coingecko/a.json finish, so that what is stored is known; signal again to abandon it (the object is then the previous one or the new one, whole).",
    ]);
    answer();
    await put;
    expect(exits).toEqual([130]);
    expect(lines[1]).toBe(
      "Interrupted by SIGINT: stopped before the run ended; 1 of 5 snapshots written, none half-written.",
    );
    expect(lines[2]).toBe("  a: written: s3://bucket/coingecko/a.json holds the new data.");
  });

  it("abandons it on a second signal a second or more later, saying what that leaves", async () => {
    const { interrupts, signals, lines, exits, later } = watch();
    const { client, sent } = pausedClient();
    interrupts.guard(client);
    interrupts.begin("a");
    void client.send(new PutObjectCommand({ Bucket: "bucket", Key: "coingecko/a.json" }));
    await sent;
    signals.emit("SIGTERM");
    later(1_500);
    signals.emit("SIGINT");
    expect(exits).toEqual([143]);
    expect(lines[2]).toBe(
      "  a: write abandoned: s3://bucket/coingecko/a.json holds either its previous object or the new one, whole; run again to be sure of the new data.",
    );
  });
});
