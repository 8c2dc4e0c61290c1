import type { GetBucketAclCommandOutput, S3Client } from "@aws-sdk/client-s3";
import { awsErrorInfo, commonFix, errorDetail } from "./awsError";
import { guardRailFailure, redeployFix } from "./guardRailError";
import { fail, pass, type CheckResult } from "./result";

const CHECK = "ownership-controls";

/**
 * Grants other than the owner's own FULL_CONTROL, as readable names. An empty list means the ACL
 * is the canned `private` ACL.
 */
export function nonOwnerGrants(acl: Pick<GetBucketAclCommandOutput, "Owner" | "Grants">): string[] {
  const ownerId = acl.Owner?.ID;
  return (acl.Grants ?? [])
    .filter((grant) => {
      const grantee = grant.Grantee;
      const isOwner =
        grantee?.Type === "CanonicalUser" && ownerId !== undefined && grantee.ID === ownerId;
      return !(isOwner && grant.Permission === "FULL_CONTROL");
    })
    .map((grant) => {
      const grantee = grant.Grantee;
      const who = grantee?.URI ?? grantee?.ID ?? grantee?.EmailAddress ?? "unknown grantee";
      return `${grant.Permission ?? "?"} to ${who}`;
    });
}

/**
 * ACLs must not grant anyone but the owner: either ACLs are disabled (`BucketOwnerEnforced`) or
 * ownership is `BucketOwnerPreferred` and the bucket ACL is private.
 */
export async function checkOwnershipControls(s3: S3Client, bucket: string): Promise<CheckResult> {
  const { GetBucketOwnershipControlsCommand, GetBucketAclCommand } =
    await import("@aws-sdk/client-s3");
  const fix = redeployFix("ownership");
  let ownership: string | undefined;
  try {
    const response = await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }));
    ownership = response.OwnershipControls?.Rules?.[0]?.ObjectOwnership;
  } catch (err) {
    return guardRailFailure(err, {
      check: CHECK,
      call: "GetBucketOwnershipControls",
      action: "s3:GetBucketOwnershipControls",
      bucket,
      missingCode: "OwnershipControlsNotFoundError",
      missingDetail: `${bucket} has no ownership controls, so ACLs are in force and objects can be owned by their writers`,
      fix,
    });
  }
  if (ownership === "BucketOwnerEnforced") {
    return pass(CHECK, `${bucket} has ACLs disabled (BucketOwnerEnforced)`);
  }
  if (ownership !== "BucketOwnerPreferred") {
    return fail(
      CHECK,
      `${bucket} has object ownership ${ownership ?? "unset"}, which lets writers own objects`,
      fix,
    );
  }
  try {
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: bucket }));
    const extra = nonOwnerGrants(acl);
    if (extra.length > 0) {
      return fail(
        CHECK,
        `${bucket} is BucketOwnerPreferred but its ACL also grants ${extra.join("; ")}`,
        `run \`pulumi up\` so the \`<name>-acl\` child resets the ACL to private, or set \`api-s3-load:aclMode\` to \`disabled\``,
      );
    }
    return pass(CHECK, `${bucket} is BucketOwnerPreferred with a private ACL`);
  } catch (err) {
    const info = awsErrorInfo(err);
    return fail(
      CHECK,
      errorDetail(info, "GetBucketAcl"),
      commonFix(info, "s3:GetBucketAcl", bucket) ?? fix,
    );
  }
}
