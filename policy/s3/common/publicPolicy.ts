/**
 * One check for every resource-based S3 policy (bucket policies, access point and multi-region
 * access point policies): the document must parse, and no Allow statement may open access to
 * callers nobody named. The bucket-policy and access-point policies both report through it, so the
 * two apply the same rule with the same words.
 */
import { ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { configWithDefaults } from "./config";
import { describeStatement, parsePolicy } from "./policyDocument";
import {
  DEFAULT_NARROWING_CONDITION_KEYS,
  DEFAULT_PRINCIPAL_OPTIONS,
  PolicyContext,
  PublicStatement,
  publicStatements,
} from "./publicStatement";

/** Tunables shared by the policies that read resource-based policy documents. */
export interface NarrowingConfig {
  /**
   * Condition keys that make an open principal acceptable when compared exactly (StringEquals,
   * ArnEquals, StringLike/ArnLike without wildcards, IpAddress for aws:SourceIp) with fixed values.
   * Defaults to `DEFAULT_NARROWING_CONDITION_KEYS`.
   */
  narrowingConditionKeys: string[];
  /**
   * Counts a `Federated` principal naming a fixed SAML provider ARN as public. Defaults to false
   * (S3 counts a fixed principal as non-public; docs/policy.md, "Where the authorities disagree").
   */
  samlProvidersArePublic: boolean;
}

/** The `configSchema` entries shared by the policies that read resource-based policy documents. */
export const NARROWING_CONFIG_SCHEMA = {
  narrowingConditionKeys: {
    type: "array" as const,
    items: { type: "string" as const },
    default: [...DEFAULT_NARROWING_CONDITION_KEYS],
    description:
      "Condition keys that narrow an open principal (to an account, organisation, named principal, source, network, user id or access point) when compared exactly with fixed values, as S3's policy status judges them (docs/policy.md).",
  },
  samlProvidersArePublic: {
    type: "boolean" as const,
    default: DEFAULT_PRINCIPAL_OPTIONS.samlProvidersArePublic,
    description:
      'Count {"Federated": "arn:aws:iam::<account>:saml-provider/<name>"} as public. Default false: a fixed SAML provider admits only the users its identity provider signs in, and S3 counts a fixed principal as non-public. Web identity and OIDC providers are always public (docs/policy.md).',
  },
};

/** The config of a policy that reads documents, with every default filled in. */
export function narrowingConfig(
  args: Pick<ResourceValidationArgs | StackValidationArgs, "getConfig">,
): NarrowingConfig {
  return configWithDefaults<NarrowingConfig>(args, {
    narrowingConditionKeys: [...DEFAULT_NARROWING_CONDITION_KEYS],
    samlProvidersArePublic: DEFAULT_PRINCIPAL_OPTIONS.samlProvidersArePublic,
  });
}

/** What judging one document found: sentences to report and, in a preview, what was unknown. */
export interface DocumentFindings {
  /** One sentence per open statement. */
  messages: string[];
  /** Set when the document cannot be read at all (then `messages` is empty). */
  unreadable?: string;
  /** The first unknown value that kept a statement from being judged. */
  unknown?: Error;
}

/**
 * Judges `document` (the value of `field`): a sentence if it cannot be read, otherwise one per
 * Allow statement with an open principal and no narrowing condition. An absent document has none. `context` says whether it is a bucket-level or an access point policy.
 *
 * During a preview part of a document may be unknown (a policy object whose ARN is not computed
 * yet): the statements that can be judged are, and `unknown` says which value stopped the rest.
 */
export function judgePolicyDocument(
  document: unknown,
  field: string,
  config: NarrowingConfig,
  context: PolicyContext = "bucket",
): DocumentFindings {
  if (document === undefined) {
    return { messages: [] };
  }
  const parsed = parsePolicy(document);
  if (!parsed.ok) {
    return {
      messages: [],
      unreadable: `\`${field}\` ${parsed.reason}, so it cannot be checked for public access. Give a valid IAM policy document.`,
    };
  }
  const { open, unknown } = publicStatements(
    parsed.statements,
    config.narrowingConditionKeys,
    context,
    { samlProvidersArePublic: config.samlProvidersArePublic },
  );
  const messages = open.map((statement) => openStatementMessage(statement, field, config));
  return unknown === undefined ? { messages } : { messages, unknown };
}

function openStatementMessage(
  open: PublicStatement,
  field: string,
  config: NarrowingConfig,
): string {
  const where = `\`${field}\` ${describeStatement(open)} allows ${open.principal}`;
  const inside = open.wildcardInsideArn;
  if (inside !== undefined) {
    return (
      `${where}, a wildcard inside a principal ARN: S3 counts it as public, and IAM refuses it ` +
      `("You cannot use a wildcard to match part of a principal name or ARN"). To admit only ` +
      `principals of account ${inside.account}, name {"AWS": "arn:${inside.partition}:iam::${inside.account}:root"} ` +
      `with the condition {"ArnLike": {"aws:PrincipalArn": "${inside.pattern}"}}.`
    );
  }
  return (
    `${where} without a condition that narrows it ` +
    `to known callers. Name the principals (e.g. {"AWS": "arn:aws:iam::<account>:root"}) ` +
    `or add a condition such as {"StringEquals": {"aws:SourceVpce": "vpce-…"}} on one of: ` +
    `${config.narrowingConditionKeys.join(", ")}.`
  );
}
