/**
 * Every access point policy of a stack, judged together with the network origin of its access
 * point: an access point's own `policy`, and an `aws.s3control.AccessPointPolicy` matched to its
 * access point in the stack. Shared by the mandatory access point policy (open documents on an
 * access point the internet can reach, or one outside the stack) and the advisory one (open
 * documents on an access point only a VPC can reach), so both read the stack the same way.
 */
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { tryRead, valueAt } from "../common/known";
import { NetworkOrigin, stackNetworkOrigin } from "../common/networkOrigin";
import { judgePolicyDocument, narrowingConfig } from "../common/publicPolicy";
import { accessPointOf } from "../common/stackAccessPoints";
import { isOneOf } from "../common/stackBuckets";
import { ACCESS_POINT_INPUTS } from "./accessPointInputs";

/** Access points with a network origin that carry their own policy document. */
const INLINE = ACCESS_POINT_INPUTS.filter((e) => e.networkOrigin && e.document !== undefined);
/** The separate policy resource whose access point only the stack shows. */
const SEPARATE = ACCESS_POINT_INPUTS.filter((e) => e.documentInStack);

/**
 * One access point policy with open statements or an unreadable document, and what the stack says
 * of its access point.
 */
export interface OpenAccessPointPolicy {
  /** The resource holding the document: the access point itself or its policy resource. */
  holder: PolicyResource;
  /** The access point, when it is in the stack. */
  accessPoint?: PolicyResource;
  /** One sentence per open statement. */
  messages: string[];
  /** Set when the document cannot be read: a problem whatever the origin. */
  unreadable?: string;
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
    const separate = SEPARATE.find((entry) => isOneOf(resource, [entry.kind]));
    const entry = separateOnly ? separate : (inline ?? separate);
    if (entry?.document === undefined) {
      continue;
    }
    const path = entry.document;
    const read = tryRead(() => {
      const findings = judgePolicyDocument(
        valueAt(resource.props, path),
        path.join("."),
        config,
        "accessPoint",
      );
      if (findings.unknown) {
        keep(findings.unknown);
      }
      if (findings.messages.length === 0 && findings.unreadable === undefined) {
        return;
      }
      const { messages, unreadable } = findings;
      if (entry === inline) {
        open.push({
          holder: resource,
          accessPoint: resource,
          messages,
          unreadable,
          origin: stackNetworkOrigin(resource),
        });
        return;
      }
      const lookup = accessPointOf(resource, args.resources);
      if (lookup.status === "undecided") {
        keep(lookup.error);
      } else if (lookup.status === "absent") {
        open.push({ holder: resource, messages, unreadable });
      } else {
        open.push({
          holder: resource,
          accessPoint: lookup.accessPoint,
          messages,
          unreadable,
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
