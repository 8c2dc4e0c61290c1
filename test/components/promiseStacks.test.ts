import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { Snapshot } from "../../components/snapshot";
import { quietPromiseStacks, restorePromiseStacks } from "../../components/snapshot/promiseStacks";

/**
 * A Snapshot registers without the stack trace Pulumi stores on each property's promise (issue 20:
 * under ts-node those traces were most of what each Snapshot cost a program), and leaves the
 * program's own stack traces as they were.
 */
describe("Snapshot registration and stack traces", () => {
  const registered: string[] = [];
  beforeAll(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push(args.type);
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: (args) => args.inputs,
      },
      "api-s3-load",
      "test",
    );
  });

  const saved = { limit: Error.stackTraceLimit, debug: process.env.PULUMI_DEBUG_PROMISE_LEAKS };
  afterEach(() => {
    Error.stackTraceLimit = saved.limit;
    if (saved.debug === undefined) {
      delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    } else {
      process.env.PULUMI_DEBUG_PROMISE_LEAKS = saved.debug;
    }
  });

  it("registers the Snapshot and gives the program back its stack trace limit", async () => {
    Error.stackTraceLimit = 17;
    const snapshot = new Snapshot("coins", {
      bucket: "b",
      key: "coingecko/coins.json",
      endpoint: "coins/markets",
    });
    expect(Error.stackTraceLimit).toBe(17);
    await new Promise((resolve) => snapshot.urn.apply(resolve));
    expect(registered).toContain("pulumi-nodejs:dynamic/coingecko:Snapshot");
    expect(new Error("x").stack?.split("\n").length).toBeGreaterThan(1);
  });

  it("formats stacks as their first line only while registering, unless PULUMI_DEBUG_PROMISE_LEAKS asks for them", () => {
    delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    Error.stackTraceLimit = 12;
    const programFormatter = Error.prepareStackTrace;
    const saved = quietPromiseStacks();
    expect(new Error("quiet").stack).toBe("Error: quiet");
    // Captured now, read later: formatted in full once the program's formatter is back.
    const preallocated = new Error("later");
    restorePromiseStacks(saved);
    expect(Error.stackTraceLimit).toBe(12);
    expect(Error.prepareStackTrace).toBe(programFormatter);
    expect(preallocated.stack).toContain("promiseStacks.test.ts:");

    process.env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
    const kept = quietPromiseStacks();
    expect(Error.stackTraceLimit).toBe(12);
    expect(new Error("debugging").stack).toContain("\n    at ");
    restorePromiseStacks(kept);
  });

  it("a failed registration's error names the program's line that declared the Snapshot", async () => {
    // A program run as the CLI's host runs it (ts-node, source maps), in its own process: each
    // output of the refused Snapshot rejects, which a test process would take for its own failure.
    const program = join(__dirname, "fixtures", "refusedSnapshot.ts");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", program],
      { cwd: join(__dirname, "..", ".."), env: { ...process.env, PULUMI_DEBUG_PROMISE_LEAKS: "" } },
    );
    const line =
      readFileSync(program, "utf8")
        .split("\n")
        .findIndex((l) => l.includes("// declared here")) + 1;
    const error = JSON.parse(stdout) as { message: string; stack: string };
    expect(error.message).toBe(
      "failed to register new resource refused [pulumi-nodejs:dynamic/coingecko:Snapshot]: the engine refused it",
    );
    expect(error.stack).toContain(`${program}:${line}:`);
  }, 60_000);
});
