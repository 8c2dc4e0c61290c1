import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  S3Client,
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
import { awsError, BUCKET, tlsOnlyPolicy } from "./fixtures";

// s3rver 3.7.1 implements none of these calls (lib/routes.js: NotImplemented, MethodNotAllowed,
// or for `?versioning`/`?ownershipControls` a plain bucket listing), so the AWS SDK's own client
// mock stands in for S3 here. test/verify/verifyCommand.test.ts shows what s3rver answers.
const s3 = new S3Client({
  region: "eu-west-1",
  credentials: { accessKeyId: "x", secretAccessKey: "y" },
});
const s3Mock = mockClient(s3);

beforeEach(() => s3Mock.reset());
afterAll(() => {
  s3Mock.restore();
  s3.destroy();
});

const ALL_FOUR = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

describe("public-access-block", () => {
  it("holds when all four flags are true", async () => {
    s3Mock
      .on(GetPublicAccessBlockCommand, { Bucket: BUCKET })
      .resolves({ PublicAccessBlockConfiguration: ALL_FOUR });
    expect(formatResult(await checkPublicAccessBlock(s3, BUCKET))).toBe(
      `ok public-access-block: ${BUCKET} blocks public ACLs and policies (all four flags true)`,
    );
  });

  it("names the flags that are off", async () => {
    s3Mock.on(GetPublicAccessBlockCommand).resolves({
      PublicAccessBlockConfiguration: {
        ...ALL_FOUR,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: undefined,
      },
    });
    expect(formatResult(await checkPublicAccessBlock(s3, BUCKET))).toBe(
      `FAIL public-access-block: ${BUCKET} has BlockPublicPolicy, RestrictPublicBuckets not true. ` +
        "Fix: run `pulumi up` on the stack that owns the bucket; its PrivateBucket child `<name>-public-access-block` sets this.",
    );
  });

  it("fails when the bucket has no public access block", async () => {
    s3Mock
      .on(GetPublicAccessBlockCommand)
      .rejects(awsError("NoSuchPublicAccessBlockConfiguration", 404));
    const result = await checkPublicAccessBlock(s3, BUCKET);
    expect(result.ok).toBe(false);
    expect(result.detail).toBe(`${BUCKET} has no public access block`);
  });

  it("tells which permission is missing on AccessDenied", async () => {
    s3Mock.on(GetPublicAccessBlockCommand).rejects(awsError("AccessDenied", 403, "Access Denied"));
    expect(formatResult(await checkPublicAccessBlock(s3, BUCKET))).toBe(
      "FAIL public-access-block: GetPublicAccessBlock failed with AccessDenied (HTTP 403): Access Denied. " +
        `Fix: allow \`s3:GetBucketPublicAccessBlock\` on arn:aws:s3:::${BUCKET} for the identity shown by caller-identity, or run with credentials that have it.`,
    );
  });
});

describe("ownership-controls", () => {
  const owner = { ID: "owner-canonical-id" };
  const ownerGrant = {
    Grantee: { Type: "CanonicalUser" as const, ID: owner.ID },
    Permission: "FULL_CONTROL" as const,
  };

  it("holds when ACLs are disabled", async () => {
    s3Mock.on(GetBucketOwnershipControlsCommand).resolves({
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
    });
    expect(formatResult(await checkOwnershipControls(s3, BUCKET))).toBe(
      `ok ownership-controls: ${BUCKET} has ACLs disabled (BucketOwnerEnforced)`,
    );
    // With ACLs disabled the ACL itself does not matter, so it is not read.
    expect(s3Mock.commandCalls(GetBucketAclCommand)).toHaveLength(0);
  });

  it("holds for BucketOwnerPreferred with a private ACL", async () => {
    s3Mock.on(GetBucketOwnershipControlsCommand).resolves({
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerPreferred" }] },
    });
    s3Mock.on(GetBucketAclCommand).resolves({ Owner: owner, Grants: [ownerGrant] });
    expect(formatResult(await checkOwnershipControls(s3, BUCKET))).toBe(
      `ok ownership-controls: ${BUCKET} is BucketOwnerPreferred with a private ACL`,
    );
  });

  it("fails for BucketOwnerPreferred with a public-read grant", async () => {
    s3Mock.on(GetBucketOwnershipControlsCommand).resolves({
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerPreferred" }] },
    });
    s3Mock.on(GetBucketAclCommand).resolves({
      Owner: owner,
      Grants: [
        ownerGrant,
        {
          Grantee: { Type: "Group", URI: "http://acs.amazonaws.com/groups/global/AllUsers" },
          Permission: "READ",
        },
      ],
    });
    const result = await checkOwnershipControls(s3, BUCKET);
    expect(result.ok).toBe(false);
    expect(result.detail).toBe(
      `${BUCKET} is BucketOwnerPreferred but its ACL also grants READ to http://acs.amazonaws.com/groups/global/AllUsers`,
    );
  });

  it("fails for ObjectWriter", async () => {
    s3Mock.on(GetBucketOwnershipControlsCommand).resolves({
      OwnershipControls: { Rules: [{ ObjectOwnership: "ObjectWriter" }] },
    });
    const result = await checkOwnershipControls(s3, BUCKET);
    expect(result.ok).toBe(false);
    expect(result.detail).toBe(
      `${BUCKET} has object ownership ObjectWriter, which lets writers own objects`,
    );
  });

  it("fails when there are no ownership controls", async () => {
    s3Mock
      .on(GetBucketOwnershipControlsCommand)
      .rejects(awsError("OwnershipControlsNotFoundError", 404));
    const result = await checkOwnershipControls(s3, BUCKET);
    expect(result.ok).toBe(false);
    expect(result.fix).toContain("`<name>-ownership`");
  });
});

describe("default-encryption", () => {
  it.each([
    [{ SSEAlgorithm: "AES256" as const }, false, `${BUCKET} encrypts with AES256`],
    [
      {
        SSEAlgorithm: "aws:kms" as const,
        KMSMasterKeyID: "arn:aws:kms:eu-west-1:123456789012:key/k",
      },
      true,
      `${BUCKET} encrypts with aws:kms with key arn:aws:kms:eu-west-1:123456789012:key/k, bucket key on`,
    ],
  ])("holds for %o", async (byDefault, bucketKey, detail) => {
    s3Mock.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: byDefault, BucketKeyEnabled: bucketKey }],
      },
    });
    expect(await checkEncryption(s3, BUCKET)).toEqual({
      ok: true,
      check: "default-encryption",
      detail,
    });
  });

  it("fails when there is no default encryption", async () => {
    s3Mock
      .on(GetBucketEncryptionCommand)
      .rejects(awsError("ServerSideEncryptionConfigurationNotFoundError", 404));
    const result = await checkEncryption(s3, BUCKET);
    expect(result).toMatchObject({ ok: false, detail: `${BUCKET} has no default encryption` });
  });
});

describe("versioning", () => {
  it("holds when Enabled", async () => {
    s3Mock.on(GetBucketVersioningCommand).resolves({ Status: "Enabled" });
    expect((await checkVersioning(s3, BUCKET)).ok).toBe(true);
  });

  it.each([
    [{ Status: "Suspended" as const }, `${BUCKET} versioning is Suspended`],
    [{}, `${BUCKET} versioning is off (never enabled)`],
  ])("fails for %o", async (response, detail) => {
    s3Mock.on(GetBucketVersioningCommand).resolves(response);
    expect(await checkVersioning(s3, BUCKET)).toMatchObject({ ok: false, detail });
  });
});

describe("tls-only-policy", () => {
  it("holds for the PrivateBucket policy", async () => {
    s3Mock.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(tlsOnlyPolicy()) });
    expect(formatResult(await checkTlsOnlyPolicy(s3, BUCKET))).toBe(
      `ok tls-only-policy: ${BUCKET} denies requests without TLS`,
    );
  });

  it("fails when the bucket has no policy", async () => {
    s3Mock.on(GetBucketPolicyCommand).rejects(awsError("NoSuchBucketPolicy", 404));
    expect(formatResult(await checkTlsOnlyPolicy(s3, BUCKET))).toBe(
      `FAIL tls-only-policy: ${BUCKET} has no bucket policy, so plain-HTTP requests are allowed. ` +
        "Fix: run `pulumi up` on the stack that owns the bucket; its PrivateBucket child `<name>-policy` sets this.",
    );
  });

  it("fails when the bucket does not exist, saying to check the name", async () => {
    s3Mock
      .on(GetBucketPolicyCommand)
      .rejects(awsError("NoSuchBucket", 404, "The specified bucket does not exist"));
    const result = await checkTlsOnlyPolicy(s3, BUCKET);
    expect(result.detail).toBe(
      "GetBucketPolicy failed with NoSuchBucket (HTTP 404): The specified bucket does not exist",
    );
    expect(result.fix).toMatch(/^check `--bucket`/);
  });
});
