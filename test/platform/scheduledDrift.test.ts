/**
 * The hourly `pulumi up` of .github/workflows/scheduled.yml when a Snapshot's object was overwritten
 * or deleted outside the stack, driven through Pulumi's own dynamic-provider host in the order the
 * engine takes each step, against moto (a versioned bucket, as PrivateBucket makes).
 *
 * One run of `pulumi up [--refresh]` for one existing Snapshot, as Pulumi 3.248+ takes it:
 * - with `--refresh`, first the refresh step (`read`, then `diff` of the refreshed outputs against
 *   the state's inputs; `refresh` in test/helpers/dynamicProviderHost.ts). Its result is saved to
 *   the state even when the update that follows fails. A resource `read` reports gone leaves the
 *   state, and the update then creates it;
 * - then the update step: `check` (state inputs, program inputs), `diff` (state outputs, checked
 *   inputs) and, unless the diff is empty, `update`. A failed update keeps the state it started from.
 *
 * Each run is in the next `maxAge` period (PT1H, as prod), so each would refetch.
 */
import { createHash } from "node:crypto";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import {
  HostCallError,
  startDynamicProviderHost,
  type DynamicProviderHost,
  type HostProps,
  type ResourceState,
} from "../helpers/dynamicProviderHost";
import { startFakeCoingecko, type FakeCoingecko } from "../helpers/fakeCoingecko";
import { describeMoto, startMoto, useMotoCredentials, type Moto } from "../helpers/moto";
import {
  expectedMarketsBytes,
  localInputs,
  recordSnapshot,
  type RecordedSnapshot,
} from "../dynamic/snapshotFixture";

const KEY = "coingecko/coins-markets.json";
const FOREIGN = Buffer.from('{"written by": "someone else"}\n');
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
/** The start of the hour `n` hours after the first deploy's. */
const period = (n: number) => new Date(Date.UTC(2026, 11, 5, 10 + n)).toISOString();

interface Run {
  /** The state the run leaves. */
  state: ResourceState | undefined;
  /** What the refresh step reported, when the run refreshed. */
  refresh?: "DIFF_NONE" | "DIFF_SOME" | "DIFF_UNKNOWN" | "gone";
  /** The update step's provider call, if any. */
  step: "create" | "update" | "same";
  /** The update's error, if it failed. */
  error?: string;
}

describeMoto("the scheduled pulumi up when an object changed outside the stack", () => {
  let moto: Moto;
  let fake: FakeCoingecko;
  let host: DynamicProviderHost;
  let recorded: RecordedSnapshot;
  let restoreEnv: () => void;
  let bucket: string;
  let id: string;

  beforeAll(async () => {
    fake = await startFakeCoingecko();
    recorded = await recordSnapshot(fake.baseUrl);
    restoreEnv = useMotoCredentials();
    moto = await startMoto();
    host = await startDynamicProviderHost({ env: moto.childEnv });
  });
  afterAll(async () => {
    await host?.stop();
    await Promise.all([moto?.stop(), fake?.stop()]);
    restoreEnv?.();
  });

  /** The inputs the program registers in the hour `n`, as the engine passes them to `check`. */
  const program = (n: number): HostProps => ({
    ...localInputs(recorded, moto.endpoint),
    bucket,
    maxAge: "PT1H",
    maxAgePeriod: period(n),
  });

  /** One `pulumi up` of the Snapshot in the hour `n`, with or without `--refresh`. */
  async function up(state: ResourceState, n: number, refresh: boolean): Promise<Run> {
    let current: ResourceState | undefined = state;
    let found: Run["refresh"];
    if (refresh) {
      const result = await host.refresh(id, recorded.urn, state);
      found = result.diff?.changes ?? "gone";
      current = result.state;
    }
    if (!current) {
      const checked = await host.check(recorded.urn, {}, program(n));
      const created = await host.create(recorded.urn, checked.inputs as HostProps);
      id = created.id;
      return {
        state: { inputs: checked.inputs as HostProps, outputs: created.properties as HostProps },
        refresh: found,
        step: "create",
      };
    }
    const checked = await host.check(recorded.urn, current.inputs, program(n));
    const news = checked.inputs as HostProps;
    const diff = await host.diff(id, recorded.urn, current.outputs, news, current.inputs);
    if (diff.changes === "DIFF_NONE") {
      return { state: current, refresh: found, step: "same" };
    }
    try {
      const outputs = await host.update(id, recorded.urn, current.outputs, news);
      return {
        state: { inputs: news, outputs: outputs as HostProps },
        refresh: found,
        step: "update",
      };
    } catch (error) {
      if (!(error instanceof HostCallError)) {
        throw error;
      }
      return { state: current, refresh: found, step: "update", error: error.message };
    }
  }

  /** A fresh bucket with the Snapshot deployed in hour 0. */
  async function deployed(): Promise<ResourceState> {
    bucket = await moto.newBucket();
    const checked = await host.check(recorded.urn, {}, program(0));
    const created = await host.create(recorded.urn, checked.inputs as HostProps);
    id = created.id;
    return { inputs: checked.inputs as HostProps, outputs: created.properties as HostProps };
  }

  async function stored(): Promise<Buffer> {
    const out = await moto.client.send(new GetObjectCommand({ Bucket: bucket, Key: KEY }));
    return Buffer.from(await out.Body!.transformToByteArray());
  }

  async function versions(): Promise<{ sha256: string; latest: boolean }[]> {
    const out = await moto.client.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: KEY }),
    );
    const list = [];
    for (const v of out.Versions ?? []) {
      const body = await moto.client.send(
        new GetObjectCommand({ Bucket: bucket, Key: KEY, VersionId: v.VersionId }),
      );
      list.push({
        sha256: sha256(Buffer.from(await body.Body!.transformToByteArray())),
        latest: v.IsLatest === true,
      });
    }
    return list;
  }

  const overwrite = () =>
    moto.client.send(new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: FOREIGN }));

  it("without --refresh, every hourly run fails on it and writes nothing, until someone refreshes", async () => {
    let state = await deployed();
    await overwrite();
    for (const hour of [1, 2, 3]) {
      const run = await up(state, hour, false);
      expect(run.error).toContain(
        `s3://${bucket}/${KEY} was changed outside the stack since the last deploy (its ETag is no longer the one this stack wrote); nothing was written.`,
      );
      state = run.state!;
    }
    expect((await stored()).equals(FOREIGN)).toBe(true);
  });

  it("with --refresh (scheduled.yml), the first run shows the drift and writes the stack's data back, keeping the other writer's version", async () => {
    const state = await deployed();
    const ours = sha256(expectedMarketsBytes(1));
    await overwrite();

    const first = await up(state, 1, true);
    expect(first).toMatchObject({ refresh: "DIFF_SOME", step: "update" });
    expect(first.error).toBeUndefined();
    expect((await stored()).equals(expectedMarketsBytes(1))).toBe(true);
    expect(first.state!.outputs).toMatchObject({ sha256: ours, unchanged: false });
    expect(first.state!.outputs).not.toHaveProperty("drifted");
    // Newest first: the stack's data again, the other writer's object, the first deploy.
    expect(await versions()).toEqual([
      { sha256: ours, latest: true },
      { sha256: sha256(FOREIGN), latest: false },
      { sha256: ours, latest: false },
    ]);

    // The next hour: nothing drifted; the refetch finds the same data and writes nothing.
    const second = await up(first.state!, 2, true);
    expect(second).toMatchObject({ refresh: "DIFF_NONE", step: "update" });
    expect(second.error).toBeUndefined();
    expect(second.state!.outputs).toMatchObject({ unchanged: true, sha256: ours });
    expect(await versions()).toHaveLength(3);
  });

  it("with --refresh, a run whose fetch fails keeps the drift in the state, and the next run restores the data", async () => {
    const state = await deployed();
    await overwrite();
    fake.setFault({ kind: "invalid-json" });
    let failed: Run;
    try {
      failed = await up(state, 1, true);
    } finally {
      fake.setFault();
    }
    expect(failed.refresh).toBe("DIFF_SOME");
    expect(failed.error).toContain("the API answered invalid or truncated JSON");
    expect(failed.error).toContain("nothing was stored");
    // The other writer's object, as read: its ETag and size, and no sha256 metadata of ours.
    expect(failed.state!.outputs).toMatchObject({
      drifted: true,
      sha256: "",
      bytes: FOREIGN.length,
    });
    expect((await stored()).equals(FOREIGN)).toBe(true);

    const next = await up(failed.state!, 2, true);
    expect(next).toMatchObject({ refresh: "DIFF_SOME", step: "update" });
    expect(next.error).toBeUndefined();
    expect((await stored()).equals(expectedMarketsBytes(1))).toBe(true);
  });

  it("without --refresh, every hourly run fails on an object deleted outside the stack", async () => {
    let state = await deployed();
    await moto.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: KEY }));
    for (const hour of [1, 2]) {
      const run = await up(state, hour, false);
      expect(run.error).toContain(
        `s3://${bucket}/${KEY} was deleted outside the stack since the last deploy; nothing was written.`,
      );
      state = run.state!;
    }
  });

  it("with --refresh, an object deleted outside the stack is written again by the next run", async () => {
    const state = await deployed();
    await moto.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: KEY }));
    const run = await up(state, 1, true);
    expect(run).toMatchObject({ refresh: "gone", step: "create" });
    expect(run.error).toBeUndefined();
    expect((await stored()).equals(expectedMarketsBytes(1))).toBe(true);
  });
});
