/**
 * Reads and checks the producer stack's outputs (the `api-s3-load` stable contract) before anything
 * downstream uses them, so a missing or malformed output fails the run with a sentence naming the
 * output and the producer stack instead of flowing on as `undefined`.
 *
 * Pure: no Pulumi import, plain data in, plain data out or a thrown `Error`.
 */

/** One entry of the producer's `snapshots` output. */
export interface SnapshotOutput {
  key: string;
  s3Uri: string;
  /** Absent when the bucket was not versioned at write time (or on S3 emulators). */
  versionId?: string;
  /** Hex SHA-256 of the stored object's bytes. */
  sha256: string;
  bytes: number;
  itemCount: number;
  fetchedAt: string;
}

/** The producer's stack outputs this consumer relies on. */
export interface ProducerOutputs {
  bucketName: string;
  bucketArn: string;
  region: string;
  accountId: string;
  snapshots: Record<string, SnapshotOutput>;
  readPolicyJson: string;
}

/** A fully qualified stack name as `StackReference` takes it. */
export interface StackName {
  org: string;
  project: string;
  stack: string;
  /** `org/project/stack` */
  fullName: string;
}

/** The output names of the producer's stable contract, in the order they are read. */
export const CONTRACT_OUTPUTS = [
  "bucketName",
  "bucketArn",
  "region",
  "accountId",
  "snapshots",
  "readPolicyJson",
] as const;

const SEGMENT = /^[A-Za-z0-9_.-]+$/;

/**
 * Parses the `producerStack` config value. A fully qualified name is required because a bare
 * `dev` would silently resolve against the consumer's own project, not the producer's.
 */
export function parseStackName(value: string): StackName {
  const parts = value.trim().split("/");
  if (parts.length !== 3 || parts.some((p) => !SEGMENT.test(p))) {
    throw new Error(
      `\`producerStack\` must be \`<org>/<project>/<stack>\` (got ${JSON.stringify(value)}). ` +
        "Fix: `pulumi config set producerStack <org>/api-s3-load/<stack>` " +
        "(on a self-managed backend the org is literally `organization`).",
    );
  }
  const [org, project, stack] = parts;
  return { org, project, stack, fullName: `${org}/${project}/${stack}` };
}

type Problem = string;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) {
    return "missing";
  }
  if (value === null) {
    return "null";
  }
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}

function requireString(
  source: Record<string, unknown>,
  field: string,
  label: string,
  problems: Problem[],
): string {
  const value = source[field];
  if (typeof value === "string" && value.length > 0) {
    return value;
  }
  problems.push(
    `\`${label}\` is ${value === "" ? "empty" : describe(value)}, expected a non-empty string`,
  );
  return "";
}

function requireNumber(
  source: Record<string, unknown>,
  field: string,
  label: string,
  problems: Problem[],
): number {
  const value = source[field];
  if (typeof value === "number" && Number.isFinite(value)) {
    return value;
  }
  problems.push(`\`${label}\` is ${describe(value)}, expected a number`);
  return 0;
}

function readSnapshot(name: string, value: unknown, problems: Problem[]): SnapshotOutput {
  const label = `snapshots.${name}`;
  if (!isRecord(value)) {
    problems.push(`\`${label}\` is ${describe(value)}, expected an object`);
    return { key: "", s3Uri: "", sha256: "", bytes: 0, itemCount: 0, fetchedAt: "" };
  }
  const snapshot: SnapshotOutput = {
    key: requireString(value, "key", `${label}.key`, problems),
    s3Uri: requireString(value, "s3Uri", `${label}.s3Uri`, problems),
    sha256: requireString(value, "sha256", `${label}.sha256`, problems),
    bytes: requireNumber(value, "bytes", `${label}.bytes`, problems),
    itemCount: requireNumber(value, "itemCount", `${label}.itemCount`, problems),
    fetchedAt: requireString(value, "fetchedAt", `${label}.fetchedAt`, problems),
  };
  if (typeof value.versionId === "string" && value.versionId.length > 0) {
    snapshot.versionId = value.versionId;
  }
  if (snapshot.sha256 && !/^[0-9a-f]{64}$/.test(snapshot.sha256)) {
    problems.push(`\`${label}.sha256\` is not 64 lowercase hex characters`);
  }
  return snapshot;
}

function checkPolicyDocument(json: string, problems: Problem[]): void {
  if (!json) {
    return;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    problems.push("`readPolicyJson` is not valid JSON");
    return;
  }
  if (!isRecord(doc) || !Array.isArray(doc.Statement) || doc.Statement.length === 0) {
    problems.push(
      "`readPolicyJson` is not an IAM policy document with a non-empty `Statement` list",
    );
  }
}

/**
 * Checks the producer's outputs against the contract and returns them typed. Every problem is
 * reported at once, because fixing them one `pulumi up` at a time is slow.
 *
 * @param outputs `StackReference.outputs` as resolved.
 * @param producerStack The fully qualified producer stack name, for the message.
 */
export function readProducerOutputs(
  outputs: Record<string, unknown> | undefined,
  producerStack: string,
): ProducerOutputs {
  const source = outputs ?? {};
  const problems: Problem[] = [];
  const result: ProducerOutputs = {
    bucketName: requireString(source, "bucketName", "bucketName", problems),
    bucketArn: requireString(source, "bucketArn", "bucketArn", problems),
    region: requireString(source, "region", "region", problems),
    accountId: requireString(source, "accountId", "accountId", problems),
    snapshots: {},
    readPolicyJson: requireString(source, "readPolicyJson", "readPolicyJson", problems),
  };
  checkPolicyDocument(result.readPolicyJson, problems);
  const snapshots = source.snapshots;
  if (!isRecord(snapshots)) {
    problems.push(
      `\`snapshots\` is ${describe(snapshots)}, expected a map of snapshot name to object`,
    );
  } else {
    for (const [name, value] of Object.entries(snapshots)) {
      result.snapshots[name] = readSnapshot(name, value, problems);
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `Producer stack \`${producerStack}\` does not have the outputs this consumer needs: ` +
        `${problems.join("; ")}. Fix: run \`pulumi up\` on \`${producerStack}\` with the ` +
        "api-s3-load program (it exports them), or point `producerStack` at a stack that does.",
    );
  }
  return result;
}

/** Does `policyJson` allow `s3:GetObject` on this exact object? */
export function policyAllowsGetObject(
  policyJson: string,
  bucketName: string,
  key: string,
): boolean {
  const doc = JSON.parse(policyJson) as { Statement: unknown[] };
  const objectArn = `arn:aws:s3:::${bucketName}/${key}`;
  const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
  return doc.Statement.some((statement) => {
    if (!isRecord(statement) || statement.Effect !== "Allow") {
      return false;
    }
    const actions = asList(statement.Action);
    const resources = asList(statement.Resource);
    return actions.includes("s3:GetObject") && resources.includes(objectArn);
  });
}

/**
 * Picks one snapshot from the producer's outputs and checks that `readPolicyJson` grants reading
 * it, since a role that cannot read the object it is told about is a silent failure at run time.
 */
export function selectSnapshot(
  producer: ProducerOutputs,
  snapshotName: string,
  producerStack: string,
): SnapshotOutput & { name: string } {
  const snapshot = Object.prototype.hasOwnProperty.call(producer.snapshots, snapshotName)
    ? producer.snapshots[snapshotName]
    : undefined;
  if (!snapshot) {
    const known = Object.keys(producer.snapshots);
    throw new Error(
      `Producer stack \`${producerStack}\` has no snapshot \`${snapshotName}\` in its \`snapshots\` ` +
        `output (it has: ${known.length > 0 ? known.join(", ") : "none"}). Fix: set \`snapshotName\` ` +
        `to one of those, or add \`${snapshotName}\` to \`api-s3-load:snapshots\` on the producer and run \`pulumi up\` there.`,
    );
  }
  if (!policyAllowsGetObject(producer.readPolicyJson, producer.bucketName, snapshot.key)) {
    throw new Error(
      `Producer stack \`${producerStack}\` exports a \`readPolicyJson\` that does not allow ` +
        `s3:GetObject on arn:aws:s3:::${producer.bucketName}/${snapshot.key} (snapshot \`${snapshotName}\`). ` +
        `Fix: run \`pulumi up\` on \`${producerStack}\` so the policy is rebuilt from its snapshots.`,
    );
  }
  return { name: snapshotName, ...snapshot };
}
