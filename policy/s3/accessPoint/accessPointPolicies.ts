/**
 * Every access point policy of a stack, judged together with the network origin of its access
 * point: an access point's own `policy`, and an `aws.s3control.AccessPointPolicy` matched to its
 * access point in the stack. Shared by the mandatory access point policy (open documents on an
 * access point the internet can reach, or one outside the stack) and the advisory one (open
 * documents on an access point only a VPC can reach), so both read the stack the same way.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { tryRead, valueAt } from "../common/known";
import { NATIVE } from "../common/nativeTypes";
import { NetworkOrigin, stackNetworkOrigin } from "../common/networkOrigin";
import { judgePolicyDocument, narrowingConfig } from "../common/publicPolicy";
import { accessPointOf } from "../common/stackAccessPoints";
import { isOneOf, ResourceKind } from "../common/stackBuckets";

/** Access points that carry their own policy document, and where. */
const INLINE: readonly { kind: ResourceKind; document: string }[] = [
  { kind: aws.s3.AccessPoint, document: "policy" },
  { kind: NATIVE.accessPoint, document: "policy" },
  { kind: NATIVE.expressAccessPoint, document: "policy" },
  { kind: NATIVE.outpostsAccessPoint, document: "policy" },
];

/** One access point policy with open statements, and what the stack says of its access point. */
export interface OpenAccessPointPolicy {
  /** The resource holding the document: the access point itself or its policy resource. */
  holder: PolicyResource;
  /** The access point, when it is in the stack. */
  accessPoint?: PolicyResource;
  /** One sentence per open statement (or unreadable document). */
  messages: string[];
  /** `undefined` when the access point is not in this stack. */
  origin?: NetworkOrigin;
}

/** The open access point policies of a stack, and the first value a preview did not know. */
export interface StackAccessPointPolicies {
  open: OpenAccessPointPolicy[];
  undecided?: Error;
}

/**
 * Judges the access point policies of the stack with `args`' narrowing config: every one, or with
 * `separateOnly` only the `aws.s3control.AccessPointPolicy` resources (an access point's own
 * policy is judged with the access point by the resource check).
 */
export function judgeAccessPointPolicies(
  args: StackValidationArgs,
  separateOnly = false,
): StackAccessPointPolicies {
  const config = narrowingConfig(args);
  const open: OpenAccessPointPolicy[] = [];
  let undecided: Error | undefined;
  const keep = (error: Error) => {
    undecided = undecided ?? error;
  };
  for (const resource of args.resources) {
    const inline = INLINE.find((entry) => isOneOf(resource, [entry.kind]));
    const separate = resource.isType(aws.s3control.AccessPointPolicy);
    if ((inline === undefined || separateOnly) && !separate) {
      continue;
    }
    const read = tryRead(() => {
      const field = inline?.document ?? "policy";
      const findings = judgePolicyDocument(
        valueAt(resource.props, [field]),
        field,
        config,
        "accessPoint",
      );
      if (findings.unknown) {
        keep(findings.unknown);
      }
      if (findings.messages.length === 0) {
        return;
      }
      if (inline !== undefined) {
        open.push({
          holder: resource,
          accessPoint: resource,
          messages: findings.messages,
          origin: stackNetworkOrigin(resource),
        });
        return;
      }
      const lookup = accessPointOf(resource, args.resources);
      if (lookup.status === "undecided") {
        keep(lookup.error);
      } else if (lookup.status === "absent") {
        open.push({ holder: resource, messages: findings.messages });
      } else {
        open.push({
          holder: resource,
          accessPoint: lookup.accessPoint,
          messages: findings.messages,
          origin: stackNetworkOrigin(lookup.accessPoint),
        });
      }
    });
    if (!read.known) {
      keep(read.error);
    }
  }
  return undecided === undefined ? { open } : { open, undecided };
}

/** How a message names the access point of an open policy, and its policy resource if separate. */
export function describeAccessPoint(open: OpenAccessPointPolicy): string {
  const { holder, accessPoint } = open;
  if (accessPoint === undefined) {
    return `Access point policy "${holder.name}"`;
  }
  return holder === accessPoint
    ? `Access point "${accessPoint.name}"`
    : `Access point "${accessPoint.name}" (policy "${holder.name}")`;
}
