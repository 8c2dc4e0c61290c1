import {
  parseStackName,
  policyAllowsGetObject,
  readProducerOutputs,
  selectSnapshot,
} from "../../examples/consumer/producerOutputs";
import { producerStackOutputs, snapshotOutput } from "./fixtures";

const STACK = "acme/api-s3-load/prod";
const BUCKET = "b";
const KEY = "coingecko/coins-markets.json";

const snapshot = () =>
  snapshotOutput(BUCKET, KEY, { sha256: "c".repeat(64), bytes: 1, itemCount: 1, fetchedAt: "t" });

const outputs = () =>
  producerStackOutputs(
    BUCKET,
    snapshot(),
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:GetObjectVersion"],
          Resource: [`arn:aws:s3:::${BUCKET}/${KEY}`],
        },
      ],
    }),
  );

const PREFIX = `Producer stack \`${STACK}\` does not have the outputs this consumer needs: `;

describe("parseStackName", () => {
  it("accepts org/project/stack", () => {
    expect(parseStackName(" acme/api-s3-load/prod ")).toEqual({
      org: "acme",
      project: "api-s3-load",
      stack: "prod",
      fullName: STACK,
    });
  });

  it.each(["prod", "api-s3-load/prod", "a/b/c/d", "a//c"])("rejects %j", (value) => {
    expect(() => parseStackName(value)).toThrow(
      `\`producerStack\` must be \`<org>/<project>/<stack>\` (got ${JSON.stringify(value)}).`,
    );
  });
});

describe("readProducerOutputs", () => {
  it("returns the contract typed, keeping versionId only when present", () => {
    const result = readProducerOutputs(outputs(), STACK);
    expect(result.snapshots["coins-markets"]).toEqual(snapshot());
  });

  it.each<[string, (o: Record<string, unknown>) => void, string]>([
    [
      "no outputs at all",
      (o) => Object.keys(o).forEach((k) => delete o[k]),
      "`bucketName` is missing, expected a non-empty string; `bucketArn` is missing",
    ],
    [
      "an empty bucketName",
      (o) => (o.bucketName = ""),
      "`bucketName` is empty, expected a non-empty string.",
    ],
    [
      "readPolicyJson that is not JSON",
      (o) => (o.readPolicyJson = "{"),
      "`readPolicyJson` is not valid JSON.",
    ],
    [
      "readPolicyJson with no statements",
      (o) => (o.readPolicyJson = "{}"),
      "`readPolicyJson` is not an IAM policy document with a non-empty `Statement` list.",
    ],
    [
      "snapshots as a list",
      (o) => (o.snapshots = []),
      "`snapshots` is an array, expected a map of snapshot name to object.",
    ],
    [
      "a snapshot without sha256",
      (o) =>
        delete (o.snapshots as Record<string, Record<string, unknown>>)["coins-markets"].sha256,
      "`snapshots.coins-markets.sha256` is missing, expected a non-empty string.",
    ],
    [
      "a snapshot with bytes as text",
      (o) =>
        ((o.snapshots as Record<string, Record<string, unknown>>)["coins-markets"].bytes = "1"),
      "`snapshots.coins-markets.bytes` is a string, expected a number.",
    ],
  ])("names the output for %s", (_label, change, message) => {
    const o = outputs();
    change(o);
    expect(() => readProducerOutputs(o, STACK)).toThrow(`${PREFIX}${message}`);
  });
});

describe("selectSnapshot and policyAllowsGetObject", () => {
  it("lists the known snapshots when the name is wrong", () => {
    expect(() => selectSnapshot(readProducerOutputs(outputs(), STACK), "nope", STACK)).toThrow(
      `Producer stack \`${STACK}\` has no snapshot \`nope\` in its \`snapshots\` output (it has: coins-markets).`,
    );
  });

  it.each([
    [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/${KEY}` }, true],
    [{ Effect: "Deny", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/${KEY}` }, false],
    [
      { Effect: "Allow", Action: "s3:GetObjectVersion", Resource: `arn:aws:s3:::${BUCKET}/${KEY}` },
      false,
    ],
    [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/other` }, false],
  ])("policyAllowsGetObject(%o) is %s", (statement, expected) => {
    expect(policyAllowsGetObject(JSON.stringify({ Statement: [statement] }), BUCKET, KEY)).toBe(
      expected,
    );
  });
});
