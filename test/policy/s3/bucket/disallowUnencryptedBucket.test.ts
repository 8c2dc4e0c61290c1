import * as aws from "@pulumi/aws";
import { disallowUnencryptedBucket } from "../../../../policy/s3";
import {
  assertHasStackViolations,
  assertNoStackViolations,
  createStackValidationArgs,
  fixtureUrn,
  metadataOf,
} from "../../../helpers/policy";
import { BUCKET_ID, BUCKET_NAME, guardedBucketStack, withResource } from "../fixtures";

const BUCKET_URN = fixtureUrn(aws.s3.Bucket, "data");
const ENCRYPTION = "data-encryption";
const ALL = '"AES256", "aws:kms", "aws:kms:dsse"';
const withAlgorithm = (sseAlgorithm: string) =>
  withResource(guardedBucketStack(), ENCRYPTION, {
    bucket: BUCKET_ID,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm, kmsMasterKeyId: "alias/data" } }],
  });

describe("s3-bucket-disallow-unencrypted", () => {
  it("is named for what it forbids and mandatory by default", () => {
    expect(metadataOf(disallowUnencryptedBucket)).toEqual({
      name: "s3-bucket-disallow-unencrypted",
      enforcementLevel: "mandatory",
    });
  });

  it("documents its tunable's default in the config schema", () => {
    expect(disallowUnencryptedBucket.configSchema?.properties["allowedAlgorithms"]).toMatchObject({
      default: ["AES256", "aws:kms", "aws:kms:dsse"],
    });
  });

  it.each(["AES256", "aws:kms"])("accepts default encryption with %s", async (algorithm) => {
    await assertNoStackViolations(
      disallowUnencryptedBucket,
      createStackValidationArgs(withAlgorithm(algorithm)),
    );
  });

  it("rejects a bucket without default encryption", async () => {
    const stack = withResource(guardedBucketStack(), ENCRYPTION, undefined);
    await assertHasStackViolations(disallowUnencryptedBucket, createStackValidationArgs(stack), [
      {
        message: `Bucket "data" (s3://${BUCKET_NAME}) has no default encryption. Add an aws.s3.BucketServerSideEncryptionConfiguration with \`bucket\` set to this bucket's id and a rule whose applyServerSideEncryptionByDefault.sseAlgorithm is one of ${ALL}.`,
        urn: BUCKET_URN,
      },
    ]);
  });

  it("rejects a configuration without applyServerSideEncryptionByDefault", async () => {
    const stack = withResource(guardedBucketStack(), ENCRYPTION, {
      bucket: BUCKET_ID,
      rules: [{ bucketKeyEnabled: true }],
    });
    await assertHasStackViolations(disallowUnencryptedBucket, createStackValidationArgs(stack), [
      {
        message: `Bucket "data" (s3://${BUCKET_NAME}) has encryption configuration "${ENCRYPTION}" without applyServerSideEncryptionByDefault; set its sseAlgorithm to one of ${ALL}.`,
        urn: BUCKET_URN,
      },
    ]);
  });

  it("requires KMS when config narrows the algorithms", async () => {
    const args = createStackValidationArgs(guardedBucketStack(), {
      allowedAlgorithms: ["aws:kms"],
    });
    await assertHasStackViolations(disallowUnencryptedBucket, args, [
      {
        message: `Bucket "data" (s3://${BUCKET_NAME}) has encryption configuration "${ENCRYPTION}" with sseAlgorithm "AES256"; use one of "aws:kms".`,
        urn: BUCKET_URN,
      },
    ]);
    await assertNoStackViolations(
      disallowUnencryptedBucket,
      createStackValidationArgs(withAlgorithm("aws:kms"), { allowedAlgorithms: ["aws:kms"] }),
    );
  });

  it("accepts a V2 configuration and the legacy inline settings", async () => {
    const v2 = guardedBucketStack().map((r) =>
      r.name === ENCRYPTION ? { ...r, type: aws.s3.BucketServerSideEncryptionConfigurationV2 } : r,
    );
    await assertNoStackViolations(disallowUnencryptedBucket, createStackValidationArgs(v2));
    const inline = withResource(guardedBucketStack(), ENCRYPTION, undefined).map((r) =>
      r.name === "data"
        ? {
            ...r,
            props: {
              ...r.props,
              serverSideEncryptionConfiguration: {
                rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
              },
            },
          }
        : r,
    );
    await assertNoStackViolations(disallowUnencryptedBucket, createStackValidationArgs(inline));
    const inlineV2 = [
      {
        type: aws.s3.BucketV2,
        name: "legacy",
        props: {
          bucket: "legacy",
          serverSideEncryptionConfigurations: [
            { rules: [{ applyServerSideEncryptionByDefaults: [{ sseAlgorithm: "aws:kms" }] }] },
          ],
        },
      },
    ];
    await assertNoStackViolations(disallowUnencryptedBucket, createStackValidationArgs(inlineV2));
  });
});
