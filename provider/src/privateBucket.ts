/**
 * The package's PrivateBucket: the program's own component class (components/privateBucket),
 * registered under the schema's token, served through `construct`. Loaded only by `construct`,
 * because @pulumi/aws takes seconds to load and GetSchema must answer at once.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import { PrivateBucket, type PrivateBucketArgs } from "../../components/privateBucket";
import { PRIVATE_BUCKET_TOKEN } from "./tokens";

/**
 * Every input of the PrivateBucket, named as the TypeScript `PrivateBucketArgs` names it;
 * schema.json's `inputProperties` must list exactly these (test/package/schema.test.ts).
 */
export const PRIVATE_BUCKET_INPUTS = [
  "bucketName",
  "forceDestroy",
  "aclMode",
  "kmsKeyId",
  "noncurrentVersionDays",
  "abortIncompleteUploadDays",
  "minimumTlsVersion",
  "tags",
] as const;

/** The same resources, in the same order, under the package's token. */
class PackagePrivateBucket extends PrivateBucket {
  protected static override readonly typeToken: string = PRIVATE_BUCKET_TOKEN;
}

/**
 * Refuses bad inputs the way the engine reports them per property (`InputPropertiesError`); the
 * message repeats the reasons, since that is what a log shows.
 */
function refuse(errors: { propertyPath: string; reason: string }[]): never {
  throw new pulumi.InputPropertiesError({
    message: errors.map((e) => e.reason).join(" "),
    errors,
  });
}

/** Builds the args the component reads from what `construct` received. */
export function privateBucketArgs(inputs: pulumi.Inputs): PrivateBucketArgs {
  const errors = Object.keys(inputs)
    .filter((k) => !(PRIVATE_BUCKET_INPUTS as readonly string[]).includes(k))
    .map((k) => ({
      propertyPath: k,
      reason: `\`${k}\` is not an input of ${PRIVATE_BUCKET_TOKEN}: remove it (the inputs are listed in the package schema).`,
    }));
  const aclMode = inputs.aclMode;
  if (pulumi.Output.isInstance(aclMode)) {
    // The schema declares it plain: it decides whether a BucketAcl exists.
    errors.push({
      propertyPath: "aclMode",
      reason:
        "`aclMode` must be a plain value (`disabled` or `private`), not the output of another resource or a secret: it decides which resources the bucket has.",
    });
  }
  if (errors.length > 0) {
    refuse(errors);
  }
  return { ...inputs, aclMode } as PrivateBucketArgs;
}

export async function constructPrivateBucket(
  name: string,
  inputs: pulumi.Inputs,
  options: pulumi.ComponentResourceOptions,
): Promise<provider.ConstructResult> {
  const bucket = new PackagePrivateBucket(name, privateBucketArgs(inputs), options);
  return {
    urn: bucket.urn,
    state: {
      // Depends on every guard rail: a consumer that passes it to a Snapshot (or anything that
      // writes objects) waits until the bucket is locked down, with no `dependsOn` to remember.
      bucketName: pulumi
        .all([bucket.bucketName, ...bucket.guardRails.map((r) => r.urn)])
        .apply(([bucketName]) => bucketName),
      arn: bucket.arn,
      encryption: bucket.encryption,
    },
  };
}
