/**
 * What a provider's `Check` adds to a resource's inputs before the engine hands them to
 * `Analyze`, for the resources the policy pack reads; under mocks the program's raw inputs would
 * reach the pack instead.
 *
 * The AWS provider (pulumi-terraform-bridge `AutoNameTransform`, as pulumi-aws declares `bucket` of
 * `aws_s3_bucket`) names a bucket whose `bucket` is not set, unless `bucketPrefix` is (the two
 * conflict): the resource's name, lowercased, `-`, then 7 random lowercase hex digits, at most 63
 * characters. The engine seeds the random part per new resource; here it is a hash of the type and
 * name, so each run gives the same name. Values another provider's Check would add are listed by
 * `uncheckedValues`, so the verdict can say what the pack did not see.
 */
import { createHash } from "node:crypto";

interface AutoNamed {
  property: string;
  maxLength: number;
  /** Inputs that, when set, leave the property to the provider (Terraform's ConflictsWith). */
  conflictsWith: string[];
}

const BUCKET_NAME: AutoNamed = {
  property: "bucket",
  maxLength: 63,
  conflictsWith: ["bucketPrefix"],
};

/** Resource types whose auto-named input the runner applies, by type token. */
export const AUTO_NAMED: Readonly<Record<string, AutoNamed>> = {
  "aws:s3/bucket:Bucket": BUCKET_NAME,
  "aws:s3/bucketV2:BucketV2": BUCKET_NAME,
};

/** Inputs the pack reads that another provider's Check fills in, unknown to the runner. */
const UNMODELED: Readonly<Record<string, string>> = {
  "aws-native:s3:Bucket": "bucketName",
};

/** Number of random hex digits the bridge appends. */
const RANDOM_LENGTH = 7;

/** `<name, lowercased>-<7 hex>`, the hex stable for a given type and name. */
export function autoName(type: string, name: string): string {
  const hex = createHash("sha256").update(`${type}::${name}`).digest("hex");
  return `${name.toLowerCase()}-${hex.slice(0, RANDOM_LENGTH)}`;
}

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

/**
 * `inputs` as the provider's Check returns them, as far as the runner knows: the auto-named
 * property filled in when the program left it and its conflicting inputs unset. A name too long for
 * the provider is left unset, as the provider's Check fails there (the pack is not reached).
 */
export function checkedInputs<T extends Record<string, unknown>>(
  type: string,
  name: string,
  inputs: T,
): T {
  const rule = AUTO_NAMED[type];
  if (
    rule === undefined ||
    !isUnset(inputs[rule.property]) ||
    rule.conflictsWith.some((k) => !isUnset(inputs[k]))
  ) {
    return inputs;
  }
  const generated = autoName(type, name);
  return generated.length > rule.maxLength ? inputs : { ...inputs, [rule.property]: generated };
}

/** The inputs a provider's Check would fill in that the runner leaves unset, e.g. `bucketName`. */
export function uncheckedValues(type: string, inputs: Record<string, unknown>): string[] {
  const property = UNMODELED[type];
  return property !== undefined && isUnset(inputs[property]) ? [property] : [];
}
