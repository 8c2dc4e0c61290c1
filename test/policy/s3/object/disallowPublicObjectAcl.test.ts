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

const kinds: [string, ResourceType, () => Record<string, unknown>][] = [
  ["BucketObject", aws.s3.BucketObject, objectProps],
  ["BucketObjectv2", aws.s3.BucketObjectv2, objectProps],
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

  it.each(["public-read-write", "authenticated-read", "aws-exec-read"])(
    "rejects a BucketObjectv2 with acl %s",
    async (acl) => {
      const args = createResourceValidationArgs(aws.s3.BucketObjectv2, { ...objectProps(), acl });
      await assertHasResourceViolation(disallowPublicObjectAcl, args, message(acl));
    },
  );

  it("ignores other dynamic resources", async () => {
    const args = createResourceValidationArgs("pulumi-nodejs:dynamic:Resource", {
      acl: "public-read",
    });
    await assertNoResourceViolations(disallowPublicObjectAcl, args);
  });
});
