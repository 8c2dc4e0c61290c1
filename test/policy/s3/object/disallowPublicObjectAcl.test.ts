import * as aws from "@pulumi/aws";
import { disallowPublicObjectAcl, SNAPSHOT_TYPE } from "../../../../policy/s3";
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs,
  describePolicyBasics,
  ResourceType,
} from "../../../helpers/policy";

const objectProps = () => ({ bucket: "data-id", key: "coins/markets.json", content: "[]" });
const snapshotProps = () => ({
  bucket: "data-id",
  key: "coins/markets.json",
  name: "coins",
  endpoint: "/coins/markets",
});

const message = (acl: string) =>
  `\`acl\` is "${acl}", but an object ACL must be "private" or "bucket-owner-full-control". Remove \`acl\` (objects are private by default) or set it to "private".`;

const copyProps = () => ({
  bucket: "data-id",
  key: "coins/markets-copy.json",
  source: "data-id/coins/markets.json",
});

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

const kinds: [string, ResourceType, () => Record<string, unknown>][] = [
  ["BucketObject", aws.s3.BucketObject, objectProps],
  ["BucketObjectv2", aws.s3.BucketObjectv2, objectProps],
  ["ObjectCopy", aws.s3.ObjectCopy, copyProps],
  ["Snapshot", SNAPSHOT_TYPE, snapshotProps],
];

describe("s3-object-disallow-public-acl", () => {
  describePolicyBasics(disallowPublicObjectAcl, {
    name: "s3-object-disallow-public-acl",
    enforcementLevel: "mandatory",
  });

  it.each(kinds)("accepts a %s without acl", async (_label, type, props) => {
    await assertNoResourceViolations(
      disallowPublicObjectAcl,
      createResourceValidationArgs(type, props()),
    );
  });

  it.each(kinds)(
    "accepts a %s with acl private or bucket-owner-full-control",
    async (_label, type, props) => {
      for (const acl of ["private", "bucket-owner-full-control"]) {
        await assertNoResourceViolations(
          disallowPublicObjectAcl,
          createResourceValidationArgs(type, { ...props(), acl }),
        );
      }
    },
  );

  it.each(kinds)("rejects a %s with acl public-read", async (_label, type, props) => {
    const args = createResourceValidationArgs(type, { ...props(), acl: "public-read" });
    await assertHasResourceViolation(disallowPublicObjectAcl, args, message("public-read"));
  });

  it.each(["public-read-write", "authenticated-read"])(
    "rejects a BucketObjectv2 with acl %s",
    async (acl) => {
      const args = createResourceValidationArgs(aws.s3.BucketObjectv2, { ...objectProps(), acl });
      await assertHasResourceViolation(disallowPublicObjectAcl, args, message(acl));
    },
  );

  it("rejects aws-exec-read as not public but not private, and accepts it when the organisation allows it", async () => {
    const props = { ...objectProps(), acl: "aws-exec-read" };
    await assertHasResourceViolation(
      disallowPublicObjectAcl,
      createResourceValidationArgs(aws.s3.BucketObjectv2, props),
      '`acl` is "aws-exec-read", which is not public but not private either: it grants EC2 READ, for AMI bundles. An object ACL must be "private" or "bucket-owner-full-control". Grant the role that reads the objects access in a bucket policy instead. To accept it anyway, list it in this policy\'s `allowedCannedAcls` config.',
    );
    await assertNoResourceViolations(
      disallowPublicObjectAcl,
      createResourceValidationArgs(aws.s3.BucketObjectv2, props, {
        allowedCannedAcls: ["aws-exec-read"],
      }),
    );
  });

  it("never lets config allow a public object ACL", async () => {
    const args = createResourceValidationArgs(
      aws.s3.ObjectCopy,
      { ...copyProps(), acl: "public-read" },
      { allowedCannedAcls: ["public-read"] },
    );
    await assertHasResourceViolation(disallowPublicObjectAcl, args, message("public-read"));
  });

  it("accepts an ObjectCopy that grants only to a named account", async () => {
    const args = createResourceValidationArgs(aws.s3.ObjectCopy, {
      ...copyProps(),
      grants: [{ type: "CanonicalUser", id: "owner-canonical-id", permissions: ["FULL_CONTROL"] }],
    });
    await assertNoResourceViolations(disallowPublicObjectAcl, args);
  });

  it.each([
    [ALL_USERS, ["READ"], "READ"],
    [AUTHENTICATED_USERS, ["READ", "READ_ACP"], "READ/READ_ACP"],
  ])("rejects an ObjectCopy grant to %s", async (uri, permissions, shown) => {
    // The @pulumi/aws 7 ObjectCopy example itself grants AllUsers READ.
    const args = createResourceValidationArgs(aws.s3.ObjectCopy, {
      ...copyProps(),
      grants: [{ type: "Group", uri, permissions }],
    });
    await assertHasResourceViolation(
      disallowPublicObjectAcl,
      args,
      `\`grants\` gives ${shown} to ${uri}, which makes the copied object public. Remove every grant to the AllUsers and AuthenticatedUsers groups.`,
    );
  });

  it("ignores other dynamic resources", async () => {
    const args = createResourceValidationArgs("pulumi-nodejs:dynamic:Resource", {
      acl: "public-read",
    });
    await assertNoResourceViolations(disallowPublicObjectAcl, args);
  });
});
