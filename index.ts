import "./startup/supportedNode";
import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { PrivateBucket, readOnlyPolicy } from "./components/privateBucket";
import { assertEngineBuilt, Snapshot } from "./components/snapshot";
import { readS3Endpoint } from "./config/s3Endpoint";
import { isStoredAsSecret } from "./config/secretConfig";
import { PROJECT, readStackConfig } from "./config/stackConfig";
import { assertProgramTypeChecks } from "./startup/typeCheckGate";

// The program runs the engine's build (packages/snapshot-engine/dist), which a `git pull` does not
// refresh: refuse a stale one before anything is registered, rather than deploy old code silently.
assertEngineBuilt();
// The CLI starts this program transpile-only (tsconfig.pulumi.json); a type error must not deploy.
assertProgramTypeChecks(__dirname);

const config = new pulumi.Config(PROJECT);
// Pulumi.yaml gives the key an empty default (see the comment there), so "set" means non-empty. The
// plain read only tells whether a key exists; the value the program uses is the secret Output.
const hasApiKey = (config.get("coingeckoApiKey") ?? "") !== "";
const apiKey = hasApiKey ? config.requireSecret("coingeckoApiKey") : undefined;
// One reading of the config for the program and `npm start` (config/stackConfig.ts).
const settings = readStackConfig(config, {
  hasApiKey,
  apiKeyIsSecret: hasApiKey ? isStoredAsSecret(`${PROJECT}:coingeckoApiKey`) : undefined,
  configKeys: Object.keys(pulumi.runtime.allConfig()),
  isSecret: (key) => isStoredAsSecret(`${PROJECT}:${key}`),
});

// The snapshots talk to S3 through the AWS SDK, not the Pulumi provider, so they take the same
// endpoint and addressing settings explicitly: one `aws:endpoints` entry points the whole stack at
// an emulator. `npm start` reads them with the same function.
const { endpoint: s3Endpoint, forcePathStyle: s3ForcePathStyle } = readS3Endpoint(
  new pulumi.Config("aws"),
);
const region = aws.getRegionOutput().region;

const storage = new PrivateBucket(
  `${PROJECT}-${pulumi.getStack()}`,
  {
    bucketName: settings.bucketName,
    forceDestroy: settings.forceDestroy,
    aclMode: settings.aclMode,
    kmsKeyId: settings.kmsKeyId,
    noncurrentVersionDays: settings.noncurrentVersionDays,
    tags: { project: PROJECT, stack: pulumi.getStack(), ...settings.tags },
  },
  { protect: settings.protect },
);

const snapshotResources = settings.snapshots.map((spec) => {
  const { name, ...specArgs } = spec;
  const snapshot = new Snapshot(
    name,
    {
      ...specArgs,
      snapshotName: name,
      bucket: storage.bucketName,
      // CoinGecko's settings are no input of a declared source's Snapshot: they change nothing there.
      ...(spec.source
        ? {}
        : {
            plan: settings.plan,
            baseUrl: settings.baseUrl,
            callsPerMinute: settings.callsPerMinute,
          }),
      // A declared source's key is read only as a secret, from the key its `auth.secret` names.
      apiKey: spec.source?.auth ? config.requireSecret(spec.source.auth.secret) : apiKey,
      region,
      s3Endpoint,
      s3ForcePathStyle,
      encryption: storage.encryption,
    },
    // Nothing is written before the bucket is locked down.
    { dependsOn: storage.guardRails, protect: settings.protect },
  );
  return { name, snapshot, sourced: spec.source !== undefined };
});

// Reads every object back and checks its checksum after each deploy that wrote one, as the original
// script's final step did. One command for all snapshots: a process per snapshot would cost a Node
// start each. Values reach it through its environment, never through the shell line.
new command.local.Command("snapshots-verify", {
  create: "npx --no-install ts-node --transpile-only cli/main.ts check-object",
  environment: {
    SNAPSHOT_BUCKET: storage.bucketName,
    SNAPSHOT_OBJECTS: pulumi
      .all(snapshotResources.map(({ snapshot }) => pulumi.all([snapshot.key, snapshot.sha256])))
      .apply((pairs) => JSON.stringify(pairs.map(([key, sha256]) => ({ key, sha256 })))),
    SNAPSHOT_REGION: region,
    SNAPSHOT_S3_ENDPOINT: s3Endpoint ?? "",
    SNAPSHOT_S3_PATH_STYLE: String(s3ForcePathStyle),
  },
  triggers: snapshotResources.map(({ snapshot }) => snapshot.etag),
});

const caller = aws.getCallerIdentityOutput();

export const bucketName = storage.bucketName;
export const bucketArn = storage.arn;
export { region };
export const accountId = caller.accountId;
export const snapshots = pulumi.output(
  Object.fromEntries(
    snapshotResources.map(({ name, snapshot: s, sourced }) => [
      name,
      pulumi.output({
        key: s.key,
        s3Uri: s.s3Uri,
        versionId: s.versionId,
        sha256: s.sha256,
        bytes: s.bytes,
        itemCount: s.itemCount,
        fetchedAt: s.fetchedAt,
        // A declared source may stop at maxPages: the stack output says so (docs/sources.md).
        ...(sourced ? { truncated: s.truncated } : {}),
      }),
    ]),
  ),
);
export const readPolicyJson = pulumi
  .all([storage.arn, region, ...snapshotResources.map(({ snapshot }) => snapshot.key)])
  .apply(([arn, bucketRegion, ...keys]) =>
    JSON.stringify(
      readOnlyPolicy(
        arn,
        keys,
        settings.kmsKeyId ? { kmsKeyId: settings.kmsKeyId, region: bucketRegion } : undefined,
      ),
    ),
  );
