import * as aws from "@pulumi/aws";
import { disallowPublicBucketAcl } from "../../../../policy/s3";
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs,
  describePolicyBasics,
  runResourcePolicy,
  UNKNOWN,
} from "../../../helpers/policy";

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
const OWNER = { id: "owner-canonical-id" };

const bucketAcl = () => ({ bucket: "data-id", acl: "private" });
const ownerOnlyPolicy = () => ({
  owner: OWNER,
  grants: [{ grantee: { type: "CanonicalUser", id: OWNER.id }, permission: "FULL_CONTROL" }],
});

const cannedMessage = (acl: string) =>
  `\`acl\` is "${acl}", but a bucket ACL must be "private". Remove \`acl\` and keep ACLs disabled with ownership controls "BucketOwnerEnforced", or set it to "private".`;
const grantMessage = (field: string, grant: string) =>
  `\`${field}\` gives ${grant}, which makes the bucket public. Remove every grant to the AllUsers and AuthenticatedUsers groups.`;

describe("s3-bucket-disallow-public-acl", () => {
  describePolicyBasics(disallowPublicBucketAcl, {
    name: "s3-bucket-disallow-public-acl",
    enforcementLevel: "mandatory",
  });

  it.each([
    ["BucketAcl", aws.s3.BucketAcl],
    ["BucketAclV2", aws.s3.BucketAclV2],
  ])("accepts a private %s", async (_label, cls) => {
    await assertNoResourceViolations(
      disallowPublicBucketAcl,
      createResourceValidationArgs(cls, bucketAcl()),
    );
  });

  it("accepts grants to the owner only", async () => {
    const args = createResourceValidationArgs(aws.s3.BucketAcl, {
      bucket: "data-id",
      accessControlPolicy: ownerOnlyPolicy(),
    });
    await assertNoResourceViolations(disallowPublicBucketAcl, args);
  });

  it.each(["public-read", "public-read-write", "authenticated-read"])(
    "rejects BucketAcl acl %s",
    async (acl) => {
      const args = createResourceValidationArgs(aws.s3.BucketAcl, { ...bucketAcl(), acl });
      await assertHasResourceViolation(disallowPublicBucketAcl, args, cannedMessage(acl));
    },
  );

  it("rejects log-delivery-write as not public but not private, naming the bucket-policy way", async () => {
    const args = createResourceValidationArgs(aws.s3.BucketAcl, {
      ...bucketAcl(),
      acl: "log-delivery-write",
    });
    await assertHasResourceViolation(
      disallowPublicBucketAcl,
      args,
      '`acl` is "log-delivery-write", which is not public but not private either: it grants the S3 LogDelivery group WRITE and READ_ACP. A bucket ACL must be "private". For server access logs, keep ACLs disabled and give the logging.s3.amazonaws.com service principal s3:PutObject on the log prefix in the target bucket\'s policy (conditioned on aws:SourceAccount). To accept it anyway, list it in this policy\'s `allowedCannedAcls` config.',
    );
  });

  it.each([
    ["aws-exec-read", "EC2 READ, for AMI bundles"],
    ["bucket-owner-read", "the bucket owner READ while the writer keeps ownership"],
  ])("says %s is not public", async (acl, grants) => {
    const args = createResourceValidationArgs(aws.s3.BucketAclV2, { ...bucketAcl(), acl });
    const outcome = await runResourcePolicy(disallowPublicBucketAcl, args);
    expect(outcome.violations.map((v) => v.message)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\`acl\` is "${acl}", which is not public but not private either: it grants ${grants}\\.`,
        ),
      ),
    ]);
  });

  it("accepts a non-public canned ACL the organisation allows, and never a public one", async () => {
    const config = { allowedCannedAcls: ["log-delivery-write", "public-read"] };
    const logs = createResourceValidationArgs(
      aws.s3.BucketAcl,
      { ...bucketAcl(), acl: "log-delivery-write" },
      config,
    );
    await assertNoResourceViolations(disallowPublicBucketAcl, logs);
    const open = createResourceValidationArgs(
      aws.s3.BucketAcl,
      { ...bucketAcl(), acl: "public-read" },
      config,
    );
    await assertHasResourceViolation(disallowPublicBucketAcl, open, cannedMessage("public-read"));
  });

  it("offers only non-public canned ACLs in its config schema, allowing none by default", () => {
    expect(disallowPublicBucketAcl.configSchema?.properties).toEqual({
      allowedCannedAcls: {
        type: "array",
        items: {
          type: "string",
          enum: [
            "log-delivery-write",
            "aws-exec-read",
            "bucket-owner-read",
            "bucket-owner-full-control",
          ],
        },
        default: [],
        description: expect.any(String),
      },
    });
  });

  it("rejects BucketAclV2 acl public-read", async () => {
    const args = createResourceValidationArgs(aws.s3.BucketAclV2, {
      ...bucketAcl(),
      acl: "public-read",
    });
    await assertHasResourceViolation(disallowPublicBucketAcl, args, cannedMessage("public-read"));
  });

  it.each([
    [ALL_USERS, "READ"],
    [AUTHENTICATED_USERS, "READ_ACP"],
    ["https://acs.amazonaws.com/groups/global/allusers", "WRITE"],
  ])("rejects an accessControlPolicy grant to %s (%s)", async (uri, permission) => {
    const policy = ownerOnlyPolicy();
    policy.grants.push({ grantee: { type: "Group", uri } as never, permission });
    const args = createResourceValidationArgs(aws.s3.BucketAclV2, {
      bucket: "data-id",
      accessControlPolicy: policy,
    });
    await assertHasResourceViolation(
      disallowPublicBucketAcl,
      args,
      grantMessage("accessControlPolicy.grants", `${permission} to ${uri}`),
    );
  });

  it.each([
    ["Bucket", aws.s3.Bucket],
    ["BucketV2", aws.s3.BucketV2],
  ])("accepts a %s without inline ACL or grants", async (_label, cls) => {
    await assertNoResourceViolations(
      disallowPublicBucketAcl,
      createResourceValidationArgs(cls, { bucket: "b" }),
    );
  });

  it.each([
    ["Bucket", aws.s3.Bucket],
    ["BucketV2", aws.s3.BucketV2],
  ])("rejects the legacy inline acl public-read on a %s", async (_label, cls) => {
    const args = createResourceValidationArgs(cls, { bucket: "b", acl: "public-read" });
    await assertHasResourceViolation(disallowPublicBucketAcl, args, cannedMessage("public-read"));
  });

  it("rejects a legacy inline grant to AllUsers", async () => {
    const args = createResourceValidationArgs(aws.s3.Bucket, {
      bucket: "b",
      grants: [{ type: "Group", uri: ALL_USERS, permissions: ["READ", "WRITE"] }],
    });
    await assertHasResourceViolation(
      disallowPublicBucketAcl,
      args,
      grantMessage("grants", `READ/WRITE to ${ALL_USERS}`),
    );
  });

  it("does not apply to other resource types", async () => {
    const args = createResourceValidationArgs(aws.s3.BucketObject, {
      bucket: "b",
      acl: "public-read",
    });
    await assertNoResourceViolations(disallowPublicBucketAcl, args);
  });

  it("defers to the host's preview note when the acl is unknown", async () => {
    const args = createResourceValidationArgs(aws.s3.BucketAcl, {
      bucket: "data-id",
      acl: UNKNOWN,
    });
    const outcome = await runResourcePolicy(disallowPublicBucketAcl, args);
    expect(outcome.violations).toEqual([]);
    expect(outcome.unknown).toBe("string value at .acl can't be known during preview");
  });
});
