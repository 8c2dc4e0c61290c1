import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { tlsOnlyPolicy } from "./bucketPolicies";

export const PRIVATE_BUCKET_TYPE = "api-s3-load:storage:PrivateBucket";

/** How the bucket treats ACLs. */
export type AclMode = "disabled" | "private";

export interface PrivateBucketArgs {
  /**
   * The bucket's name. Defaults to a name Pulumi generates from the component's name plus a random
   * suffix, which avoids collisions in S3's global namespace.
   */
  bucketName?: pulumi.Input<string>;
  /**
   * Whether `pulumi destroy` may delete a bucket that still holds objects (and versions).
   * Defaults to `false`, so data is never lost by accident; dev stacks turn it on.
   */
  forceDestroy?: pulumi.Input<boolean>;
  /**
   * `"disabled"` (default): object ownership `BucketOwnerEnforced`, so ACLs are switched off and the
   * bucket owner owns every object — what AWS recommends and applies to new buckets since April 2023.
   * `"private"`: object ownership `BucketOwnerPreferred` plus the `private` canned ACL, for accounts
   * whose tooling still sets ACLs. Plain, not an Input: it decides whether a `BucketAcl` exists.
   */
  aclMode?: AclMode;
  /**
   * A KMS key id or ARN for SSE-KMS default encryption. Defaults to SSE-S3 (`AES256`). Either way the
   * S3 bucket key is on, which cuts KMS request costs.
   */
  kmsKeyId?: pulumi.Input<string>;
  /** Days a noncurrent snapshot version is kept before S3 expires it. Defaults to 90. */
  noncurrentVersionDays?: pulumi.Input<number>;
  /** Days after which S3 aborts an incomplete multipart upload. Defaults to 7. */
  abortIncompleteUploadDays?: pulumi.Input<number>;
  /** The oldest TLS version the bucket policy accepts. Defaults to `"1.2"`. */
  minimumTlsVersion?: pulumi.Input<string>;
  /** Tags for the bucket. Defaults to none (provider default tags still apply). */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * An S3 bucket that is private by construction: public access blocked, ACLs disabled (or private),
 * default encryption with a bucket key, versioning, lifecycle rules for old versions and abandoned
 * uploads, and a bucket policy that denies requests not made over TLS.
 *
 * Anything that writes objects should depend on `guardRails`, so no object exists before the bucket
 * is locked down.
 */
export class PrivateBucket extends pulumi.ComponentResource {
  /**
   * The type token an instance registers. The Pulumi package's subclass (provider/) names its
   * schema's token, `api-s3-load:index:PrivateBucket`, and builds the very same resources; this
   * program keeps its own token so existing stacks see no change.
   */
  protected static readonly typeToken: string = PRIVATE_BUCKET_TYPE;

  public readonly bucket: aws.s3.Bucket;
  /** The bucket's name (its id). */
  public readonly bucketName: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;
  /** The SSE settings objects written into the bucket should use. */
  public readonly encryption: pulumi.Output<{ algorithm: "AES256" | "aws:kms"; kmsKeyId?: string }>;
  /** Every guard-rail resource; writers take them as `dependsOn`. */
  public readonly guardRails: pulumi.Resource[];

  constructor(name: string, args: PrivateBucketArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as typeof PrivateBucket).typeToken, name, {}, opts);
    const aclMode = args.aclMode ?? "disabled";
    if (aclMode !== "disabled" && aclMode !== "private") {
      throw new pulumi.ResourceError(
        `\`aclMode\` is "${String(aclMode)}"; use "disabled" (the default) or "private".`,
        this,
      );
    }

    const bucket = new aws.s3.Bucket(
      name,
      { bucket: args.bucketName, forceDestroy: args.forceDestroy ?? false, tags: args.tags },
      { parent: this },
    );

    // S3 rejects concurrent changes to one bucket's configuration ("A conflicting conditional
    // operation is currently in progress", hashicorp/terraform-provider-aws#7628), so the guard
    // rails are applied one after another, most protective first.
    const chain: pulumi.Resource[] = [];
    const next = (): pulumi.CustomResourceOptions => ({
      parent: this,
      dependsOn: chain.length > 0 ? [chain[chain.length - 1]] : [],
    });

    chain.push(
      new aws.s3.BucketPublicAccessBlock(
        `${name}-public-access-block`,
        {
          bucket: bucket.id,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        },
        next(),
      ),
    );
    chain.push(
      new aws.s3.BucketOwnershipControls(
        `${name}-ownership`,
        {
          bucket: bucket.id,
          rule: {
            objectOwnership: aclMode === "private" ? "BucketOwnerPreferred" : "BucketOwnerEnforced",
          },
        },
        next(),
      ),
    );
    if (aclMode === "private") {
      chain.push(
        new aws.s3.BucketAcl(`${name}-acl`, { bucket: bucket.id, acl: "private" }, next()),
      );
    }

    const kmsKeyId = args.kmsKeyId;
    chain.push(
      new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-encryption`,
        {
          bucket: bucket.id,
          rules: [
            {
              applyServerSideEncryptionByDefault: kmsKeyId
                ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyId }
                : { sseAlgorithm: "AES256" },
              bucketKeyEnabled: true,
            },
          ],
        },
        next(),
      ),
    );
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      next(),
    );
    chain.push(versioning);
    chain.push(
      new aws.s3.BucketLifecycleConfiguration(
        `${name}-lifecycle`,
        {
          bucket: bucket.id,
          rules: [
            {
              id: "expire-noncurrent-versions",
              status: "Enabled",
              filter: {},
              noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays ?? 90 },
            },
            {
              id: "abort-incomplete-multipart-uploads",
              status: "Enabled",
              filter: {},
              abortIncompleteMultipartUpload: {
                daysAfterInitiation: args.abortIncompleteUploadDays ?? 7,
              },
            },
          ],
        },
        next(),
      ),
    );
    chain.push(
      new aws.s3.BucketPolicy(
        `${name}-policy`,
        {
          bucket: bucket.id,
          policy: pulumi
            .all([bucket.arn, args.minimumTlsVersion ?? "1.2"])
            .apply(([arn, tls]) => JSON.stringify(tlsOnlyPolicy(arn, tls))),
        },
        next(),
      ),
    );

    this.bucket = bucket;
    this.bucketName = bucket.id;
    this.arn = bucket.arn;
    this.encryption = pulumi
      .output(kmsKeyId)
      .apply((keyId) =>
        keyId
          ? { algorithm: "aws:kms" as const, kmsKeyId: keyId }
          : { algorithm: "AES256" as const },
      );
    this.guardRails = chain;
    this.registerOutputs({
      bucket: this.bucket,
      bucketName: this.bucketName,
      arn: this.arn,
      encryption: this.encryption,
    });
  }
}
