/**
 * The job summary of .github/workflows/scheduled.yml, run as GitHub runs that step (bash with
 * `-eo pipefail`, jq) over an event log in the shape `pulumi up --event-log` writes: one JSON engine
 * event a line, as `apitype.EngineEvent` in pulumi/pulumi sdk/go/common/apitype/events.go.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { load } from "js-yaml";

const ROOT = join(__dirname, "..", "..");
const SNAPSHOT = "pulumi-nodejs:dynamic/coingecko:Snapshot";
const urn = (name: string, type = SNAPSHOT) => `urn:pulumi:prod::api-s3-load::${type}::${name}`;

interface Step {
  name?: string;
  run?: string;
}
const workflow = load(readFileSync(join(ROOT, ".github/workflows/scheduled.yml"), "utf8")) as {
  jobs: { refresh: { steps: Step[] } };
};
const summaryScript = workflow.jobs.refresh.steps.find((s) => s.name === "Summary")!.run!;

/** A `resOutputsEvent` of one step: its op, resource and the outputs it left. */
const outputs = (op: string, name: string, values: Record<string, unknown>, type = SNAPSHOT) => ({
  sequence: 1,
  timestamp: 1,
  resOutputsEvent: {
    metadata: {
      op,
      urn: urn(name, type),
      type,
      new: { urn: urn(name, type), type, outputs: values },
    },
  },
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "scheduled-summary-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the Summary step with `events` as the event log (none when undefined); returns the summary. */
async function summary(events: object[] | undefined): Promise<string> {
  if (events) {
    writeFileSync(join(dir, "events.jsonl"), events.map((e) => JSON.stringify(e)).join("\n"));
  }
  writeFileSync(join(dir, "summary.sh"), summaryScript);
  writeFileSync(join(dir, "summary.md"), "");
  await promisify(execFile)("bash", ["--noprofile", "--norc", "-eo", "pipefail", "summary.sh"], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      RUNNER_TEMP: dir,
      GITHUB_STEP_SUMMARY: join(dir, "summary.md"),
      STACK: "prod",
      OUTCOME: "success",
      SHA: "0123456789abcdef0123",
    },
  });
  return readFileSync(join(dir, "summary.md"), "utf8");
}

it("names the snapshots refetched and those a refresh found changed outside the stack", async () => {
  const text = await summary([
    outputs("refresh", "coins-markets", { drifted: true, sha256: "" }),
    outputs("refresh", "coins-list", { sha256: "ab" }),
    outputs("refresh", "bucket", {}, "aws:s3/bucket:Bucket"),
    outputs("update", "coins-markets", { sha256: "cd", unchanged: false }),
    outputs("update", "coins-list", { sha256: "ab", unchanged: true }),
    outputs("create", "trending", { sha256: "ef" }),
    outputs("same", "global", { sha256: "12" }),
  ]);
  expect(text).toContain("### Scheduled refresh of `prod` at 0123456789ab: success\n");
  expect(text).toContain("Snapshots refetched: coins-markets coins-list trending ");
  expect(text).toContain(
    "Changed outside the stack since the last run (restored by this update unless it failed below): coins-markets ",
  );
  expect(text).not.toContain("| snapshot / resource | error |");
});

it("names a replaced Snapshot as refetched, once, from its create-replacement and replace steps", async () => {
  const text = await summary([
    outputs("refresh", "coins-markets", { sha256: "ab" }),
    outputs("create-replacement", "coins-markets", { sha256: "cd" }),
    outputs("replace", "coins-markets", { sha256: "cd" }),
    outputs("replace", "trending", { sha256: "ef" }),
    outputs("delete-replaced", "global", { sha256: "12" }),
    outputs("replace", "bucket", {}, "aws:s3/bucket:Bucket"),
  ]);
  expect(text).toContain("Snapshots refetched: coins-markets trending \n");
});

it("says nothing of drift when the refresh found none, and names a fresh stack", async () => {
  const text = await summary([outputs("refresh", "coins-markets", { sha256: "ab" })]);
  expect(text).toContain("Snapshots refetched: none (all fresh) ");
  expect(text).not.toContain("Changed outside the stack");
});

it("tabulates each error with its resource, one line each, | escaped", async () => {
  const text = await summary([
    {
      diagnosticEvent: {
        urn: urn("coins-markets"),
        severity: "error",
        message: 'Snapshot "coins-markets": the API answered 503 | retry\n  later',
      },
    },
    { diagnosticEvent: { urn: "", severity: "error", message: "update failed" } },
    { diagnosticEvent: { urn: urn("coins-list"), severity: "info", message: "fine" } },
  ]);
  expect(text).toContain(
    [
      "| snapshot / resource | error |",
      "|---|---|",
      '| coins-markets | Snapshot "coins-markets": the API answered 503 \\| retry later |',
      "| stack | update failed |",
    ].join("\n"),
  );
  expect(text).not.toContain("fine");
});

it("says when pulumi up did not start", async () => {
  expect(await summary(undefined)).toContain(
    "pulumi up did not start (see the failed step's log).",
  );
});
