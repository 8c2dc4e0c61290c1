/**
 * A provider string stored in state by one checkout must still refresh and destroy its resources
 * when the project has moved and its engine was reinstalled or upgraded (pulumi/pulumi#18976). The
 * "moved checkout" here is a fresh folder with its own node_modules: a real copy of the engine
 * package (marked as an upgraded version so the test can see which copy ran) beside links to the
 * other installed packages, with the host's working folder there, as the CLI runs the host from the
 * program folder.
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type DynamicProviderHost,
  type HostProps,
  startDynamicProviderHost,
} from "../helpers/dynamicProviderHost";
import { startFakeCoingecko, type FakeCoingecko } from "../helpers/fakeCoingecko";
import { PROJECT_ROOT } from "../helpers/pulumiHost";
import { startS3Server, type EmbeddedS3 } from "../helpers/s3Server";
import {
  BUCKET,
  HOST_AWS_ENV,
  type RecordedSnapshot,
  getObject,
  localInputs,
  objectExists,
  recordSnapshot,
} from "./snapshotFixture";

const MOVED_VERSION = "0.1.0-moved";
const KEY = "coingecko/coins-markets.json";

let scratch: string;
let checkout: string;
let fake: FakeCoingecko;
let s3: EmbeddedS3;
let recorded: RecordedSnapshot;
const hosts: DynamicProviderHost[] = [];

/** A checkout elsewhere: package.json, and node_modules with a fresh copy of the engine package. */
function makeMovedCheckout(root: string): string {
  const dir = join(root, "moved-checkout");
  const modules = join(dir, "node_modules");
  mkdirSync(modules, { recursive: true });
  cpSync(join(PROJECT_ROOT, "package.json"), join(dir, "package.json"));
  for (const entry of readdirSync(join(PROJECT_ROOT, "node_modules"))) {
    if (entry !== "@api-s3-load" && !entry.startsWith(".")) {
      symlinkSync(join(PROJECT_ROOT, "node_modules", entry), join(modules, entry));
    }
  }
  const engineSource = join(PROJECT_ROOT, "packages", "snapshot-engine");
  const engine = join(modules, "@api-s3-load", "snapshot-engine");
  mkdirSync(engine, { recursive: true });
  cpSync(join(engineSource, "package.json"), join(engine, "package.json"));
  cpSync(join(engineSource, "dist"), join(engine, "dist"), { recursive: true });
  // The upgraded engine announces itself in the User-Agent it sends, which the fake API records.
  const versionFile = join(engine, "dist", "version.js");
  const version = readFileSync(versionFile, "utf8");
  const marked = version.replace(/ENGINE_VERSION = "[^"]*"/, `ENGINE_VERSION = "${MOVED_VERSION}"`);
  if (marked === version) {
    throw new Error(
      `Could not mark the copied engine: ENGINE_VERSION not found in ${versionFile}.`,
    );
  }
  writeFileSync(versionFile, marked);
  return dir;
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "api-s3-load-moved-"));
  checkout = makeMovedCheckout(scratch);
  fake = await startFakeCoingecko();
  s3 = await startS3Server([BUCKET]);
  recorded = await recordSnapshot(fake.baseUrl);
});

afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  await s3?.stop();
  await fake?.stop();
  if (scratch) {
    rmSync(scratch, { recursive: true, force: true });
  }
});

async function hostIn(cwd: string): Promise<DynamicProviderHost> {
  const host = await startDynamicProviderHost({ cwd, env: HOST_AWS_ENV });
  hosts.push(host);
  return host;
}

describe("the stored provider string in a moved checkout", () => {
  it("cannot find the engine from a folder without it, so the engine really comes from the host's folder", async () => {
    const empty = join(scratch, "empty");
    mkdirSync(empty);
    const host = await hostIn(empty);
    await expect(host.check(recorded.urn, {}, localInputs(recorded, s3.endpoint))).rejects.toThrow(
      "Cannot find module '@api-s3-load/snapshot-engine'",
    );
  });

  it("creates, refreshes and deletes with the copy's engine", async () => {
    const host = await hostIn(checkout);
    const inputs: HostProps = {
      ...localInputs(recorded, s3.endpoint),
      __provider: recorded.provider,
    };

    const created = await host.create(recorded.urn, inputs);
    expect(fake.requests.map((r) => r.headers["user-agent"])).toEqual([
      expect.stringContaining(`api-s3-load/${MOVED_VERSION} `),
    ]);
    const stored = await getObject(s3.client, KEY);
    expect(created.properties.sha256).toBe(stored.metadata.sha256);

    const read = await host.read(created.id, recorded.urn, created.properties as HostProps);
    expect(read.id).toBe(created.id);
    expect(read.properties.sha256).toBe(created.properties.sha256);

    await host.delete(created.id, recorded.urn, created.properties as HostProps);
    expect(await objectExists(s3.client, KEY)).toBe(false);
  });
});
