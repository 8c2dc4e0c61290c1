/**
 * The per-bucket guard rails a private bucket needs, checked over a whole stack.
 *
 * Shared by the stack policies that each require one rail and by the Snapshot policy, which requires
 * that its bucket has all of them. Each check answers `ok`, a `problem` sentence that says what must
 * be true and how to fix it, or `undecided` when a preview's unknown value hides the answer.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource } from "@pulumi/policy";
import { BUCKET_CANNED_ACLS } from "./acl";
import { PUBLIC_ACCESS_BLOCK_FLAGS } from "./flags";
import { asList, isRecord, tryRead } from "./known";
import { cannedAclFromNative } from "./nativeTypes";
import { isNativeBucket, StackBuckets } from "./stackBuckets";

export type GuardCheck =
  { status: "ok" } | { status: "problem"; problem: string } | { status: "undecided"; error: Error };

const OK: GuardCheck = { status: "ok" };

function problem(text: string): GuardCheck {
  return { status: "problem", problem: text };
}

/** Runs `check`, turning an unknown value met on the way into `undecided`. */
function guarded(check: () => GuardCheck): GuardCheck {
  const read = tryRead(check);
  return read.known ? read.value : { status: "undecided", error: read.error };
}

export { PUBLIC_ACCESS_BLOCK_FLAGS };

/**
 * The bucket has an `aws.s3.BucketPublicAccessBlock` with all four flags true, or the stack
 * declares an `aws.s3.AccountPublicAccessBlock` with all four flags true through the bucket's own
 * provider (so for the bucket's account). S3 applies the most restrictive of the account's and the
 * bucket's settings, so such an account block closes every bucket of the account whatever the
 * bucket's own block says; being in the same stack, it is checked on every preview together with
 * the bucket and cannot be removed without this policy seeing it (docs/policy.md).
 */
export function checkPublicAccessBlock(stack: StackBuckets, bucket: PolicyResource): GuardCheck {
  const account = checkAccountBlock(stack, bucket);
  if (account.status === "ok") {
    return OK;
  }
  const own = isNativeBucket(bucket)
    ? checkNativeBlock(stack, bucket)
    : checkAttachedBlock(stack, bucket);
  if (own.status !== "problem") {
    return own;
  }
  if (account.status === "undecided") {
    return account;
  }
  return account.problem === undefined ? own : problem(`${own.problem} ${account.problem}`);
}

/** An @pulumi/aws bucket's own block: a separate `aws.s3.BucketPublicAccessBlock`. */
function checkAttachedBlock(stack: StackBuckets, bucket: PolicyResource): GuardCheck {
  const { matches, undecided } = stack.attachedTo(bucket, [aws.s3.BucketPublicAccessBlock]);
  return matches.length > 0
    ? checkBucketBlocks(matches)
    : undecided
      ? { status: "undecided", error: undecided }
      : problem(
          "has no public access block. Add an aws.s3.BucketPublicAccessBlock with `bucket` set to " +
            "this bucket's id and blockPublicAcls, blockPublicPolicy, ignorePublicAcls and " +
            "restrictPublicBuckets all true.",
        );
}

/**
 * An aws-native bucket's own block: its `publicAccessBlockConfiguration` input, where a flag left
 * out is false (as in CloudFormation). A separate `aws.s3.BucketPublicAccessBlock` naming the
 * bucket also counts, for stacks that mix the two providers.
 */
function checkNativeBlock(stack: StackBuckets, bucket: PolicyResource): GuardCheck {
  const inline = guarded(() => {
    const block: unknown = bucket.props["publicAccessBlockConfiguration"];
    if (!isRecord(block)) {
      return problem(
        "has no publicAccessBlockConfiguration. Set publicAccessBlockConfiguration with " +
          "blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
      );
    }
    const open = PUBLIC_ACCESS_BLOCK_FLAGS.filter((flag) => block[flag] !== true);
    return open.length === 0
      ? OK
      : problem(
          `has publicAccessBlockConfiguration with ${open.join(", ")} not true (a flag left out ` +
            "is false). Set all four flags (blockPublicAcls, blockPublicPolicy, ignorePublicAcls, " +
            "restrictPublicBuckets) to true.",
        );
  });
  if (inline.status !== "problem") {
    return inline;
  }
  const { matches } = stack.attachedTo(bucket, [aws.s3.BucketPublicAccessBlock]);
  return matches.length > 0 && checkBucketBlocks(matches).status === "ok" ? OK : inline;
}

type AccountCheck =
  { status: "ok" } | { status: "undecided"; error: Error } | { status: "absent"; problem?: string };

/**
 * `ok` when an account-level block declared through the bucket's provider has all four flags true;
 * otherwise `absent`, with a sentence about the account block that falls short, if there is one.
 */
function checkAccountBlock(stack: StackBuckets, bucket: PolicyResource): AccountCheck {
  const provider = bucket.provider?.urn;
  let undecided: Error | undefined;
  let shortfall: string | undefined;
  let elsewhere: PolicyResource | undefined;
  for (const block of stack.resources) {
    if (!block.isType(aws.s3.AccountPublicAccessBlock)) {
      continue;
    }
    if (block.provider?.urn !== provider) {
      elsewhere ??= block;
      continue;
    }
    const read = tryRead(() => PUBLIC_ACCESS_BLOCK_FLAGS.filter((f) => block.props[f] !== true));
    if (!read.known) {
      undecided = undecided ?? read.error;
    } else if (read.value.length === 0) {
      return { status: "ok" };
    } else {
      shortfall ??=
        `Account public access block "${block.name}" has ${read.value.join(", ")} not true, so ` +
        "it does not close the bucket either.";
    }
  }
  if (undecided) {
    return { status: "undecided", error: undecided };
  }
  return {
    status: "absent",
    problem: shortfall ?? (elsewhere && otherProvider(elsewhere, bucket)),
  };
}

/** How a message names the provider a resource was created through. */
function providerName(resource: PolicyResource): string {
  return resource.provider === undefined
    ? "the default provider"
    : `provider "${resource.provider.name}"`;
}

/**
 * Why an account block declared through another provider does not count: that provider may hold
 * another account's credentials (an account block closes only the account it is set in), and the
 * pack cannot see which account either provider reaches.
 */
function otherProvider(block: PolicyResource, bucket: PolicyResource): string {
  return (
    `Account public access block "${block.name}" is not counted: it comes through ` +
    `${providerName(block)} and the bucket through ${providerName(bucket)}, which may be another ` +
    "account, and an account block closes only its own account. Declare the account block " +
    "through the bucket's provider, or keep the bucket's own block."
  );
}

function checkBucketBlocks(matches: PolicyResource[]): GuardCheck {
  return guarded(() => {
    const failures = matches.map((block) => ({
      block,
      open: PUBLIC_ACCESS_BLOCK_FLAGS.filter((flag) => block.props[flag] !== true),
    }));
    const worst = failures.find((f) => f.open.length > 0);
    if (failures.some((f) => f.open.length === 0) || worst === undefined) {
      return OK;
    }
    return problem(
      `has public access block "${worst.block.name}" with ${worst.open.join(", ")} not true. ` +
        "Set all four flags (blockPublicAcls, blockPublicPolicy, ignorePublicAcls, " +
        "restrictPublicBuckets) to true.",
    );
  });
}

/** Object ownership settings that keep ACLs in force, so they need a private bucket ACL. */
const ACL_ENABLING_OWNERSHIP = ["BucketOwnerPreferred", "ObjectWriter"];

/**
 * The bucket has `aws.s3.BucketOwnershipControls`; `BucketOwnerEnforced` (ACLs disabled) always
 * passes, while `BucketOwnerPreferred`/`ObjectWriter` pass only with a private bucket ACL, or one
 * of `acceptedAcls` (an organisation's allowed non-public canned ACLs, e.g. for a log bucket).
 */
export function checkOwnershipControls(
  stack: StackBuckets,
  bucket: PolicyResource,
  acceptedAcls: readonly string[] = BUCKET_CANNED_ACLS,
): GuardCheck {
  if (isNativeBucket(bucket)) {
    return guarded(() => checkNativeOwnership(bucket, acceptedAcls));
  }
  const { matches, undecided } = stack.attachedTo(bucket, [aws.s3.BucketOwnershipControls]);
  if (matches.length === 0) {
    return undecided
      ? { status: "undecided", error: undecided }
      : problem(
          "has no ownership controls. Add an aws.s3.BucketOwnershipControls with `bucket` set to " +
            'this bucket\'s id and rule.objectOwnership "BucketOwnerEnforced", which disables ACLs.',
        );
  }
  return guarded(() => {
    for (const controls of matches) {
      const rule: unknown = controls.props["rule"];
      const ownership = isRecord(rule) ? rule["objectOwnership"] : undefined;
      if (ownership === "BucketOwnerEnforced") {
        continue;
      }
      if (typeof ownership === "string" && ACL_ENABLING_OWNERSHIP.includes(ownership)) {
        const acl = checkAcceptedAcl(stack, bucket, acceptedAcls);
        if (acl.status !== "ok") {
          return acl.status === "undecided"
            ? acl
            : problem(
                `has ownership controls "${controls.name}" with objectOwnership "${ownership}", ` +
                  'which keeps ACLs in force, but no private ACL. Use "BucketOwnerEnforced", or add ' +
                  'an aws.s3.BucketAcl for this bucket with acl "private".',
              );
        }
        continue;
      }
      return problem(
        `has ownership controls "${controls.name}" with objectOwnership ${JSON.stringify(ownership)}; ` +
          'set rule.objectOwnership to "BucketOwnerEnforced".',
      );
    }
    return OK;
  });
}

/**
 * An aws-native bucket's inline `ownershipControls.rules`: the same rule as for
 * `aws.s3.BucketOwnershipControls`, with its ACL in `accessControl` (PascalCase canned ACLs).
 */
function checkNativeOwnership(bucket: PolicyResource, acceptedAcls: readonly string[]): GuardCheck {
  const controls: unknown = bucket.props["ownershipControls"];
  const ownerships = (isRecord(controls) ? asList(controls["rules"]) : []).map((rule) =>
    isRecord(rule) ? rule["objectOwnership"] : undefined,
  );
  if (ownerships.length === 0) {
    return problem(
      'has no ownershipControls. Set ownershipControls.rules to [{objectOwnership: "BucketOwnerEnforced"}], ' +
        "which disables ACLs.",
    );
  }
  for (const ownership of ownerships) {
    if (ownership === "BucketOwnerEnforced") {
      continue;
    }
    if (typeof ownership === "string" && ACL_ENABLING_OWNERSHIP.includes(ownership)) {
      const acl = cannedAclFromNative(bucket.props["accessControl"]);
      if (typeof acl === "string" && acceptedAcls.includes(acl)) {
        continue;
      }
      return problem(
        `has ownershipControls with objectOwnership "${ownership}", which keeps ACLs in force, ` +
          'but no private ACL. Use "BucketOwnerEnforced", or set accessControl "Private".',
      );
    }
    return problem(
      `has ownershipControls with objectOwnership ${JSON.stringify(ownership)}; ` +
        'set it to "BucketOwnerEnforced".',
    );
  }
  return OK;
}

/**
 * The bucket's canned ACL, set by a BucketAcl(V2) or the bucket's own `acl`, is one of `accepted`
 * (by default only "private").
 */
function checkAcceptedAcl(
  stack: StackBuckets,
  bucket: PolicyResource,
  accepted: readonly string[],
): GuardCheck {
  const isAccepted = (acl: unknown) => typeof acl === "string" && accepted.includes(acl);
  if (isAccepted(bucket.props["acl"])) {
    return OK;
  }
  const { matches, undecided } = stack.attachedTo(bucket, [aws.s3.BucketAcl, aws.s3.BucketAclV2]);
  if (matches.some((acl) => isAccepted(acl.props["acl"]))) {
    return OK;
  }
  return matches.length === 0 && undecided
    ? { status: "undecided", error: undecided }
    : problem("has no private ACL.");
}

/** The server-side encryption algorithms S3 offers for default encryption. */
export const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

/**
 * The bucket has default encryption with one of `allowedAlgorithms`, from an
 * `aws.s3.BucketServerSideEncryptionConfiguration(V2)` or the bucket's legacy inline configuration.
 */
export function checkDefaultEncryption(
  stack: StackBuckets,
  bucket: PolicyResource,
  allowedAlgorithms: readonly string[],
): GuardCheck {
  const inline = tryRead(() => inlineAlgorithms(bucket));
  if (!inline.known) {
    return { status: "undecided", error: inline.error };
  }
  if (inline.value.length > 0) {
    return judgeAlgorithms(inline.value, allowedAlgorithms, "its inline encryption configuration");
  }
  if (isNativeBucket(bucket)) {
    return problem(
      "has no default encryption. Set bucketEncryption.serverSideEncryptionConfiguration with a " +
        "rule whose serverSideEncryptionByDefault.sseAlgorithm is one of " +
        `${allowedAlgorithms.map((a) => `"${a}"`).join(", ")}.`,
    );
  }
  const { matches, undecided } = stack.attachedTo(bucket, [
    aws.s3.BucketServerSideEncryptionConfiguration,
    aws.s3.BucketServerSideEncryptionConfigurationV2,
  ]);
  if (matches.length === 0) {
    return undecided
      ? { status: "undecided", error: undecided }
      : problem(
          "has no default encryption. Add an aws.s3.BucketServerSideEncryptionConfiguration with " +
            "`bucket` set to this bucket's id and a rule whose applyServerSideEncryptionByDefault." +
            `sseAlgorithm is one of ${allowedAlgorithms.map((a) => `"${a}"`).join(", ")}.`,
        );
  }
  return guarded(() => {
    const config = matches[0];
    const algorithms = asList(config.props["rules"]).flatMap((rule) => {
      const byDefault = isRecord(rule) ? rule["applyServerSideEncryptionByDefault"] : undefined;
      return isRecord(byDefault) ? [byDefault["sseAlgorithm"]] : [];
    });
    return judgeAlgorithms(
      algorithms,
      allowedAlgorithms,
      `encryption configuration "${config.name}"`,
    );
  });
}

function judgeAlgorithms(
  algorithms: unknown[],
  allowed: readonly string[],
  where: string,
): GuardCheck {
  if (algorithms.length === 0) {
    return problem(
      `has ${where} without applyServerSideEncryptionByDefault; set its sseAlgorithm to one of ` +
        `${allowed.map((a) => `"${a}"`).join(", ")}.`,
    );
  }
  const bad = algorithms.find((a) => typeof a !== "string" || !allowed.includes(a));
  return bad === undefined
    ? OK
    : problem(
        `has ${where} with sseAlgorithm ${JSON.stringify(bad)}; use one of ` +
          `${allowed.map((a) => `"${a}"`).join(", ")}.`,
      );
}

/**
 * Algorithms of the inline encryption settings: the legacy ones of `Bucket` (one rule) and
 * `BucketV2` (lists), and aws-native's `bucketEncryption`.
 */
function inlineAlgorithms(bucket: PolicyResource): unknown[] {
  if (isNativeBucket(bucket)) {
    const encryption: unknown = bucket.props["bucketEncryption"];
    return (isRecord(encryption) ? asList(encryption["serverSideEncryptionConfiguration"]) : [])
      .map((rule) => (isRecord(rule) ? rule["serverSideEncryptionByDefault"] : undefined))
      .flatMap((byDefault) => (isRecord(byDefault) ? [byDefault["sseAlgorithm"]] : []));
  }
  if (bucket.isType(aws.s3.Bucket)) {
    const config: unknown = bucket.props["serverSideEncryptionConfiguration"];
    const rule = isRecord(config) ? config["rule"] : undefined;
    const byDefault = isRecord(rule) ? rule["applyServerSideEncryptionByDefault"] : undefined;
    return isRecord(byDefault) ? [byDefault["sseAlgorithm"]] : [];
  }
  return asList(bucket.props["serverSideEncryptionConfigurations"]).flatMap((config) =>
    (isRecord(config) ? asList(config["rules"]) : []).flatMap((rule) =>
      (isRecord(rule) ? asList(rule["applyServerSideEncryptionByDefaults"]) : []).flatMap((d) =>
        isRecord(d) ? [d["sseAlgorithm"]] : [],
      ),
    ),
  );
}
