/**
 * The api-s3-load provider: GetSchema from the checked-in schema.json, `construct` for the
 * PrivateBucket, and check/diff/create/read/update/delete for the Snapshot. Everything heavy (the
 * engine, @pulumi/aws) is loaded by the call that needs it, so the plugin starts at once.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import * as snapshot from "./snapshot";
import { PRIVATE_BUCKET_TOKEN, SNAPSHOT_TOKEN, typeOfUrn } from "./tokens";
import type { PropertyMap } from "./wire";
import { packageRoot } from "./packageRoot";

function unknownType(token: string): Error {
  return new Error(
    `api-s3-load has no resource ${token}; it serves ${SNAPSHOT_TOKEN} and ${PRIVATE_BUCKET_TOKEN}. Regenerate the SDK with \`pulumi package add\` if it names another.`,
  );
}

function snapshotOnly(urn: string): void {
  const token = typeOfUrn(urn);
  if (token !== SNAPSHOT_TOKEN) {
    throw unknownType(token);
  }
}

export class ApiS3LoadProvider implements provider.Provider {
  /** The plugin's version: provider/package.json's, which a release tags as `v<version>`. */
  readonly version: string;
  private readonly root: string;

  constructor(root: string = packageRoot()) {
    this.root = root;
    this.version = (
      JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }
    ).version;
  }

  async getSchema(): Promise<string> {
    return readFileSync(join(this.root, "schema.json"), "utf8");
  }

  async check(urn: string, _olds: PropertyMap, news: PropertyMap): Promise<provider.CheckResult> {
    snapshotOnly(urn);
    return snapshot.checkSnapshot(urn, news);
  }

  async diff(
    _id: string,
    urn: string,
    olds: PropertyMap,
    news: PropertyMap,
  ): Promise<provider.DiffResult> {
    snapshotOnly(urn);
    return snapshot.diffSnapshot(olds, news);
  }

  async create(urn: string, inputs: PropertyMap): Promise<provider.CreateResult> {
    snapshotOnly(urn);
    return snapshot.createSnapshot(inputs);
  }

  async read(id: string, urn: string, props: PropertyMap = {}): Promise<provider.ReadResult> {
    snapshotOnly(urn);
    return snapshot.readSnapshot(id, props);
  }

  async update(
    _id: string,
    urn: string,
    olds: PropertyMap,
    news: PropertyMap,
  ): Promise<provider.UpdateResult> {
    snapshotOnly(urn);
    return snapshot.updateSnapshot(olds, news);
  }

  async delete(_id: string, urn: string, props: PropertyMap): Promise<void> {
    snapshotOnly(urn);
    await snapshot.deleteSnapshot(props);
  }

  async construct(
    name: string,
    type: string,
    inputs: pulumi.Inputs,
    options: pulumi.ComponentResourceOptions,
  ): Promise<provider.ConstructResult> {
    if (type !== PRIVATE_BUCKET_TOKEN) {
      throw unknownType(type);
    }
    const { constructPrivateBucket }: typeof import("./privateBucket") = require("./privateBucket");
    return constructPrivateBucket(name, inputs, options);
  }
}
