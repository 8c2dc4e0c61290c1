/**
 * Where each resource type keeps the inputs that can open S3 data to the public: a resource policy
 * document and, for access points, a public access block. One table per policy, for every provider
 * a Pulumi user declares S3 with (@pulumi/aws classes, aws-native type tokens), and one validation
 * that reads them, so a resource type is added in one line and judged by the same rules.
 */
import { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { flagsTurnedOff } from "./flags";
import { judgeAll, valueAt } from "./known";
import { judgePolicyDocument, narrowingConfig } from "./publicPolicy";
import { networkOriginOf } from "./networkOrigin";
import { PolicyContext } from "./publicStatement";
import { isOneOf, ResourceKind } from "./stackBuckets";

/** The guarded inputs of one resource type. */
export interface GuardedInputs {
  kind: ResourceKind;
  /** Path to a resource policy document (JSON text or an object). */
  document?: readonly string[];
  /** Path to a public access block whose omitted flags default to true (access points). */
  block?: readonly string[];
  context: PolicyContext;
  /**
   * Set for access points, which have a network origin: one that only a VPC can reach is
   * non-public whatever its policy says, so an open document is not reported here.
   */
  networkOrigin?: true;
  /**
   * Set when the document is judged by the policy's stack check instead (a separate access point
   * policy, whose access point, and so its network origin, only the stack shows).
   */
  documentInStack?: true;
}

/** The sentence for a block with flags turned off: `field` is its path, `off` the flags. */
export type BlockMessage = (field: string, off: string[]) => string;

function typeName(kind: ResourceKind): string {
  return typeof kind === "string"
    ? kind
    : ((kind as { __pulumiType?: string }).__pulumiType ?? "(unnamed)");
}

/**
 * One validation for every type in `table`: the block's flags (when the table names a block), then
 * the document, each judged even if the other is unknown during a preview.
 */
export function validateGuardedInputs(
  table: readonly GuardedInputs[],
  blockMessage: BlockMessage,
): ResourceValidation {
  return (args: ResourceValidationArgs, report: ReportViolation) => {
    const entry = table.find((e) => isOneOf(args, [e.kind]));
    if (entry === undefined) {
      return args.notApplicable(
        `Policy only applies to resources of types ${table.map((e) => typeName(e.kind)).join(", ")}`,
      );
    }
    const { block, document, context } = entry;
    judgeAll([
      () => {
        if (block !== undefined) {
          const off = flagsTurnedOff(valueAt(args.props, block));
          if (off.length > 0) {
            report(blockMessage(block.join("."), off));
          }
        }
      },
      () => {
        if (document === undefined || entry.documentInStack) {
          return;
        }
        const findings = judgePolicyDocument(
          valueAt(args.props, document),
          document.join("."),
          narrowingConfig(args),
          context,
        );
        if (findings.unreadable !== undefined) {
          report(findings.unreadable);
        }
        // Only open statements need the origin: a clean document passes whatever it is.
        const vpcOnly =
          entry.networkOrigin && findings.messages.length > 0
            ? networkOriginOf(args.props).kind === "vpc"
            : false;
        if (!vpcOnly) {
          findings.messages.forEach((message) => report(message));
        }
        if (findings.unknown) {
          throw findings.unknown;
        }
      },
    ]);
  };
}

/** The types of a table, as a policy's description lists them. */
export function describeTypes(table: readonly GuardedInputs[]): string {
  return table.map((e) => typeName(e.kind)).join(", ");
}
