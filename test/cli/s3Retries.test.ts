/**
 * Issue 24: `npm start` announces the AWS SDK's S3 retries as it announces the API's, one sentence
 * each on stderr: an S3 endpoint that throttles a write once (503 SlowDown) costs a retry the user
 * is told about, and the run still lands the snapshot.
 */
import { rmSync } from "node:fs";
import { runCommand } from "../../cli/run";
import { startFakeCoingecko, type FakeCoingecko } from "../helpers/fakeCoingecko";
import { startFaultProxy, type FaultProxy } from "../helpers/faultProxy";
import { startS3Server, type EmbeddedS3 } from "../helpers/s3Server";
import { stackFolder } from "./npmStart";

const BUCKET = "retries";
let fake: FakeCoingecko;
let s3: EmbeddedS3;
let proxy: FaultProxy;
let root: string;
const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
beforeAll(async () => {
  // The SDK's credential chain reads the process's environment.
  process.env.AWS_ACCESS_KEY_ID = "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  fake = await startFakeCoingecko();
  s3 = await startS3Server([BUCKET]);
  proxy = await startFaultProxy(s3.endpoint);
  root = stackFolder({ dev: {} });
});
afterAll(async () => {
  await proxy.stop();
  await s3.stop();
  await fake.stop();
  rmSync(root, { recursive: true, force: true });
  for (const [name, value] of [
    ["AWS_ACCESS_KEY_ID", saved.id],
    ["AWS_SECRET_ACCESS_KEY", saved.secret],
  ] as const) {
    if (value === undefined) {
      delete process.env[name];
    } else {
      process.env[name] = value;
    }
  }
});

it("says each S3 retry in one sentence, and lands the snapshot", async () => {
  proxy.setFault({ kind: "slow-down", method: "PUT", times: 1 });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCommand(
    ["--base-url", fake.baseUrl, "--s3-endpoint", proxy.endpoint, "--bucket", BUCKET],
    { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) },
    {},
    root,
  );
  expect(code).toBe(0);
  expect(stderr.filter((line) => line.includes("retrying"))).toEqual([
    `S3 PutObject on s3://${BUCKET}/coingecko/coins-markets.json failed (SlowDown, HTTP 503); retrying, attempt 2 of 5.`,
  ]);
  expect(proxy.count("PUT")).toBe(2);
  expect(stdout[0]).toMatch(
    new RegExp(`^coins-markets: data successfully uploaded to s3://${BUCKET}/coingecko/`),
  );
});
