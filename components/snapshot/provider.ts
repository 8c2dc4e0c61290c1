import type * as pulumi from "@pulumi/pulumi";
import type * as Engine from "@api-s3-load/snapshot-engine";
import type { SnapshotInputs, SnapshotOutputs } from "@api-s3-load/snapshot-engine";

/**
 * The Snapshot's dynamic provider: a shim over the engine's lifecycle functions. The Pulumi
 * package's Snapshot (provider/src/snapshot.ts) is the other shim over the same functions, for
 * programs in other languages.
 *
 * Pulumi serializes this object, with everything it captures, into every Snapshot's state, and runs
 * that stored copy for refresh and destroy. So it captures nothing: no clients, no config, no
 * secrets, no module objects. Each method requires the engine by package name when it runs, which
 * resolves from the project's node_modules wherever the checkout lives (an absolute path would break
 * a moved checkout, pulumi/pulumi#18976), and the AWS SDK is only loaded inside the engine's calls,
 * because its eager requires cannot be serialized (pulumi/pulumi#13960).
 */
export const snapshotProvider: pulumi.dynamic.ResourceProvider<SnapshotInputs, SnapshotOutputs> = {
  async check(_olds, news) {
    const engine: typeof Engine = require("@api-s3-load/snapshot-engine");
    return {
      inputs: news,
      failures: engine.checkSnapshot(news as unknown as Record<string, unknown>),
    };
  },
  async diff(_id, olds, news) {
    const engine: typeof Engine = require("@api-s3-load/snapshot-engine");
    return engine.diffSnapshot(olds, news);
  },
  async create(inputs) {
    const engine: typeof Engine = require("@api-s3-load/snapshot-engine");
    return engine.createSnapshot(inputs);
  },
  async update(_id, olds, news) {
    const engine: typeof Engine = require("@api-s3-load/snapshot-engine");
    return engine.updateSnapshot(olds, news);
  },
  async read(id, props) {
    const engine: typeof Engine = require("@api-s3-load/snapshot-engine");
    return engine.readSnapshot(id, props as SnapshotOutputs);
  },
  async delete(_id, props) {
    const engine: typeof Engine = require("@api-s3-load/snapshot-engine");
    await engine.deleteSnapshotObject(props);
  },
};
