import * as aws from "@pulumi/aws";
import { disallowUnencryptedBucket } from "../../../../policy/s3";
import {
  assertHasStackViolations,
  assertNoStackViolations,
  createStackValidationArgs,
  describePolicyBasics,
} from "../../../helpers/policy";
import {
  BUCKET_NAME,
  guardedBucketStack,
  onBucket,
  withChange,
  without,
  withBucketChange,
} from "../fixtures";

const ENCRYPTION = "data-encryption";
const ALL = '"AES256", "aws:kms", "aws:kms:dsse"';
const withAlgorithm = (sseAlgorithm: string) =>
  withChange(ENCRYPTION, {
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm, kmsMasterKeyId: "alias/data" } }],
  });

describe("s3-bucket-disallow-unencrypted", () => {
  describePolicyBasics(disallowUnencryptedBucket, {
    name: "s3-bucket-disallow-unencrypted",
    enforcementLevel: "mandatory",
  });

  it("documents its tunable's default in the config schema", () => {
    expect(disallowUnencryptedBucket.configSchema?.properties["allowedAlgorithms"]).toMatchObject({
      default: ["AES256", "aws:kms", "aws:kms:dsse"],
    });
  });

  it.each(["AES256", "aws:kms"])("accepts default encryption with %s", async (algorithm) => {
    await assertNoStackViolations(disallowUnencryptedBucket, withAlgorithm(algorithm));
  });

  it("rejects a bucket without default encryption", async () => {
    await assertHasStackViolations(disallowUnencryptedBucket, without(ENCRYPTION), [
      onBucket(
        `Bucket "data" (s3://${BUCKET_NAME}) has no default encryption. Add an aws.s3.BucketServerSideEncryptionConfiguration with \`bucket\` set to this bucket's id and a rule whose applyServerSideEncryptionByDefault.sseAlgorithm is one of ${ALL}.`,
      ),
    ]);
  });

  it("rejects a configuration without applyServerSideEncryptionByDefault", async () => {
    const stack = withChange(ENCRYPTION, { rules: [{ bucketKeyEnabled: true }] });
    await assertHasStackViolations(disallowUnencryptedBucket, stack, [
      onBucket(
        `Bucket "data" (s3://${BUCKET_NAME}) has encryption configuration "${ENCRYPTION}" without applyServerSideEncryptionByDefault; set its sseAlgorithm to one of ${ALL}.`,
      ),
    ]);
  });

  it("requires KMS when config narrows the algorithms", async () => {
    const config = { allowedAlgorithms: ["aws:kms"] };
    await assertHasStackViolations(
      disallowUnencryptedBucket,
      createStackValidationArgs(guardedBucketStack(), config),
      [
        onBucket(
          `Bucket "data" (s3://${BUCKET_NAME}) has encryption configuration "${ENCRYPTION}" with sseAlgorithm "AES256"; use one of "aws:kms".`,
        ),
      ],
    );
    await assertNoStackViolations(
      disallowUnencryptedBucket,
      createStackValidationArgs(withAlgorithm("aws:kms"), config),
    );
  });

  it("accepts a V2 configuration and the legacy inline settings", async () => {
    const v2 = guardedBucketStack().map((r) =>
      r.name === ENCRYPTION ? { ...r, type: aws.s3.BucketServerSideEncryptionConfigurationV2 } : r,
    );
    await assertNoStackViolations(disallowUnencryptedBucket, v2);
    const inline = withBucketChange(without(ENCRYPTION), {
      serverSideEncryptionConfiguration: {
        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      },
    });
    await assertNoStackViolations(disallowUnencryptedBucket, inline);
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
    await assertNoStackViolations(disallowUnencryptedBucket, inlineV2);
  });
});
