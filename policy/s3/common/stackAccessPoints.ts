/**
 * Finds the access point an `aws.s3control.AccessPointPolicy` is attached to, the way
 * stackBuckets.ts finds a guard rail's bucket: by the value of `accessPointArn` (the access
 * point's `arn` output) or, during a preview when that value is unknown, by the engine's record of
 * which resource it came from (`propertyDependencies.accessPointArn`), or, when a fixed ARN names
 * an access point whose own ARN is not computed yet, by the access point's name.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource } from "@pulumi/policy";
import { tryRead } from "./known";
import { NATIVE } from "./nativeTypes";
import { isOneOf, ResourceKind } from "./stackBuckets";

/** Access points a separate access point policy can name: @pulumi/aws's and aws-native's. */
export const ACCESS_POINT_KINDS: readonly ResourceKind[] = [aws.s3.AccessPoint, NATIVE.accessPoint];

/** Where an access point policy's access point is, as far as the stack tells. */
export type AccessPointLookup =
  | { status: "found"; accessPoint: PolicyResource }
  | { status: "absent" }
  | { status: "undecided"; error: Error };

/** The access point of the stack that `policy`'s `accessPointArn` refers to. */
export function accessPointOf(
  policy: PolicyResource,
  resources: readonly PolicyResource[],
): AccessPointLookup {
  const accessPoints = resources.filter((r) => isOneOf(r, ACCESS_POINT_KINDS));
  const fromUrns = new Set(
    (policy.propertyDependencies?.["accessPointArn"] ?? []).map((d) => d.urn),
  );
  const byDependency = accessPoints.find((ap) => fromUrns.has(ap.urn));
  if (byDependency !== undefined) {
    return { status: "found", accessPoint: byDependency };
  }
  const arn = tryRead(() => policy.props["accessPointArn"]);
  if (!arn.known) {
    return { status: "undecided", error: arn.error };
  }
  let undecided: Error | undefined;
  for (const accessPoint of accessPoints) {
    const own = tryRead(() => accessPoint.props["arn"]);
    if (own.known) {
      if (typeof own.value === "string" && own.value === arn.value) {
        return { status: "found", accessPoint };
      }
    } else if (namedIn(arn.value, accessPoint)) {
      // A new access point's ARN is computed; a fixed ARN naming it is still recognisable.
      return { status: "found", accessPoint };
    } else {
      undecided = undecided ?? own.error;
    }
  }
  return undecided ? { status: "undecided", error: undecided } : { status: "absent" };
}

/** True when `arn` (`arn:…:accesspoint/<name>`) ends with the access point's known `name`. */
function namedIn(arn: unknown, accessPoint: PolicyResource): boolean {
  const name = tryRead(() => accessPoint.props["name"]);
  return (
    typeof arn === "string" &&
    name.known &&
    typeof name.value === "string" &&
    arn.endsWith(`:accesspoint/${name.value}`)
  );
}
