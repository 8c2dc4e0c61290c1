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

  it.each(["public-read", "public-read-write", "authenticated-read", "log-delivery-write"])(
    "rejects BucketAcl acl %s",
    async (acl) => {
      const args = createResourceValidationArgs(aws.s3.BucketAcl, { ...bucketAcl(), acl });
      await assertHasResourceViolation(disallowPublicBucketAcl, args, cannedMessage(acl));
    },
  );

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
