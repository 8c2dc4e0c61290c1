import {
  GetBucketAclCommand,
  GetPublicAccessBlockCommand,
  PutBucketAclCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type ObjectOwnership,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import {
  checkEncryption,
  checkOwnershipControls,
  checkPublicAccessBlock,
  checkTlsOnlyPolicy,
  checkVersioning,
  formatResult,
} from "../../verify";
import { describeMoto, startMoto, type Moto } from "../helpers/moto";
import { awsError, BUCKET, tlsOnlyPolicy } from "./fixtures";

// Each guard-rail check against moto, which implements every call they make (s3rver 3.7.1
// implements none of them). One server for the file, a fresh bucket per test. The checks as
// `npm run verify` runs them, and the PrivateBucket's own configuration, are in
// test/moto/verify.test.ts.
describeMoto("guard-rail checks against moto", () => {
  let moto: Moto;
  let s3: S3Client;
  let bucket: string;

  beforeAll(async () => {
    moto = await startMoto();
    s3 = moto.client;
  });
  afterAll(async () => {
    await moto?.stop();
  });
  beforeEach(async () => {
    bucket = await moto.newBucket({ versioned: false });
  });

  const setOwnership = (ownership: ObjectOwnership) =>
    s3.send(
      new PutBucketOwnershipControlsCommand({
        Bucket: bucket,
        OwnershipControls: { Rules: [{ ObjectOwnership: ownership }] },
      }),
    );

  describe("public-access-block", () => {
    const ALL_FOUR = {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    };

    it("holds when all four flags are true", async () => {
      await s3.send(
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: ALL_FOUR,
        }),
      );
      expect(formatResult(await checkPublicAccessBlock(s3, bucket))).toBe(
        `ok public-access-block: ${bucket} blocks public ACLs and policies (all four flags true)`,
      );
    });

    it("names the flags that are off", async () => {
      await s3.send(
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: {
            ...ALL_FOUR,
            BlockPublicPolicy: false,
            RestrictPublicBuckets: false,
          },
        }),
      );
      expect(formatResult(await checkPublicAccessBlock(s3, bucket))).toBe(
        `FAIL public-access-block: ${bucket} has BlockPublicPolicy, RestrictPublicBuckets not true. ` +
          "Fix: run `pulumi up` on the stack that owns the bucket; its PrivateBucket child `<name>-public-access-block` sets this.",
      );
    });

    it("fails when the bucket has no public access block", async () => {
      const result = await checkPublicAccessBlock(s3, bucket);
      expect(result).toMatchObject({ ok: false, detail: `${bucket} has no public access block` });
    });
  });

  describe("ownership-controls", () => {
    it("holds when ACLs are disabled, without reading the ACL", async () => {
      await setOwnership("BucketOwnerEnforced");
      const aclReads: string[] = [];
      s3.middlewareStack.add(
        (next, context) => (args) => {
          if (context.commandName === GetBucketAclCommand.name) {
            aclReads.push(bucket);
          }
          return next(args);
        },
        { step: "initialize", name: "countAclReads" },
      );
      try {
        expect(formatResult(await checkOwnershipControls(s3, bucket))).toBe(
          `ok ownership-controls: ${bucket} has ACLs disabled (BucketOwnerEnforced)`,
        );
      } finally {
        s3.middlewareStack.remove("countAclReads");
      }
      // With ACLs disabled the ACL itself does not matter, so it is not read.
      expect(aclReads).toEqual([]);
    });

    it("holds for BucketOwnerPreferred with a private ACL", async () => {
      await setOwnership("BucketOwnerPreferred");
      await s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "private" }));
      expect(formatResult(await checkOwnershipControls(s3, bucket))).toBe(
        `ok ownership-controls: ${bucket} is BucketOwnerPreferred with a private ACL`,
      );
    });

    it("fails for BucketOwnerPreferred with a public-read grant", async () => {
      await setOwnership("BucketOwnerPreferred");
      await s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "public-read" }));
      const result = await checkOwnershipControls(s3, bucket);
      expect(result).toMatchObject({
        ok: false,
        detail: `${bucket} is BucketOwnerPreferred but its ACL also grants READ to http://acs.amazonaws.com/groups/global/AllUsers`,
      });
    });

    it("fails for ObjectWriter", async () => {
      await setOwnership("ObjectWriter");
      const result = await checkOwnershipControls(s3, bucket);
      expect(result).toMatchObject({
        ok: false,
        detail: `${bucket} has object ownership ObjectWriter, which lets writers own objects`,
      });
    });

    it("fails when there are no ownership controls", async () => {
      const result = await checkOwnershipControls(s3, bucket);
      expect(result.ok).toBe(false);
      expect(result.fix).toContain("`<name>-ownership`");
    });
  });

  describe("default-encryption", () => {
    const KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/k";
    it.each([
      [{ SSEAlgorithm: "AES256" as const }, false, "encrypts with AES256"],
      [
        { SSEAlgorithm: "aws:kms" as const, KMSMasterKeyID: KMS_KEY },
        true,
        `encrypts with aws:kms with key ${KMS_KEY}, bucket key on`,
      ],
    ])("holds for %o", async (byDefault, bucketKey, detail) => {
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket: bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: byDefault, BucketKeyEnabled: bucketKey }],
          },
        }),
      );
      expect(await checkEncryption(s3, bucket)).toEqual({
        ok: true,
        check: "default-encryption",
        detail: `${bucket} ${detail}`,
      });
    });

    it("fails when there is no default encryption", async () => {
      // moto keeps no default for a new bucket; AWS gives every bucket SSE-S3 since January 2023.
      const result = await checkEncryption(s3, bucket);
      expect(result).toMatchObject({ ok: false, detail: `${bucket} has no default encryption` });
    });
  });

  describe("versioning", () => {
    const setVersioning = (status: "Enabled" | "Suspended") =>
      s3.send(
        new PutBucketVersioningCommand({
          Bucket: bucket,
          VersioningConfiguration: { Status: status },
        }),
      );

    it("holds when Enabled", async () => {
      await setVersioning("Enabled");
      expect((await checkVersioning(s3, bucket)).ok).toBe(true);
    });

    it("fails when Suspended", async () => {
      await setVersioning("Suspended");
      expect(await checkVersioning(s3, bucket)).toMatchObject({
        ok: false,
        detail: `${bucket} versioning is Suspended`,
      });
    });

    it("fails when never enabled", async () => {
      expect(await checkVersioning(s3, bucket)).toMatchObject({
        ok: false,
        detail: `${bucket} versioning is off (never enabled)`,
      });
    });
  });

  describe("tls-only-policy", () => {
    it("holds for the PrivateBucket policy", async () => {
      await s3.send(
        new PutBucketPolicyCommand({
          Bucket: bucket,
          Policy: JSON.stringify(tlsOnlyPolicy(bucket)),
        }),
      );
      expect(formatResult(await checkTlsOnlyPolicy(s3, bucket))).toBe(
        `ok tls-only-policy: ${bucket} denies requests without TLS`,
      );
    });

    it("fails when the bucket has no policy", async () => {
      expect(formatResult(await checkTlsOnlyPolicy(s3, bucket))).toBe(
        `FAIL tls-only-policy: ${bucket} has no bucket policy, so plain-HTTP requests are allowed. ` +
          "Fix: run `pulumi up` on the stack that owns the bucket; its PrivateBucket child `<name>-policy` sets this.",
      );
    });

    it("fails when the bucket does not exist, saying to check the name", async () => {
      const result = await checkTlsOnlyPolicy(s3, `${bucket}-missing`);
      expect(result.detail).toBe(
        "GetBucketPolicy failed with NoSuchBucket (HTTP 404): The specified bucket does not exist",
      );
      expect(result.fix).toMatch(/^check `--bucket`/);
    });
  });
});

// moto lets any credentials read any bucket's configuration, so a refusal comes from the AWS SDK's
// client mock: it is the one case here that no server stands in for.
describe("a guard-rail read that S3 refuses", () => {
  const s3 = new S3Client({
    region: "eu-west-1",
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
  });
  const s3Mock = mockClient(s3);
  afterAll(() => {
    s3Mock.restore();
    s3.destroy();
  });

  it("tells which permission is missing on AccessDenied", async () => {
    s3Mock.on(GetPublicAccessBlockCommand).rejects(awsError("AccessDenied", 403, "Access Denied"));
    expect(formatResult(await checkPublicAccessBlock(s3, BUCKET))).toBe(
      "FAIL public-access-block: GetPublicAccessBlock failed with AccessDenied (HTTP 403): Access Denied. " +
        `Fix: allow \`s3:GetBucketPublicAccessBlock\` on arn:aws:s3:::${BUCKET} for the identity shown by caller-identity, or run with credentials that have it.`,
    );
  });
});
