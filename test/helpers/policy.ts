/**
 * Unit-test harness for the policy pack: builds the arguments the policy host would pass and runs
 * a policy the way the host does (AWSGuard's `src/tests/util.ts` is the model).
 *
 * Property bags are wrapped in the SDK's own unknown-checking proxy, so a fixture may put
 * `UNKNOWN` where a preview would have a not-yet-computed value and see exactly what the host does.
 */
import {
  Policy,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";

interface PolicyProxyModule {
  unknownCheckingProxy<T extends object>(target: T): T;
  unknownStringValue: unknown;
}

// The proxy is internal to @pulumi/policy (absent from its typings) but is what the host uses.

const proxyModule = require("@pulumi/policy/proxy") as PolicyProxyModule;

/** The sentinel the host gives a string that is unknown during preview; put it in a fixture's props. */
export const UNKNOWN = proxyModule.unknownStringValue as string;

/** A resource class or a raw type token (dynamic resources have no class carrying one). */
export type ResourceType = string | { __pulumiType?: string; prototype: object };

function typeToken(type: ResourceType): string {
  const token = typeof type === "string" ? type : type.__pulumiType;
  if (!token) {
    throw new Error("The resource class has no `__pulumiType`; pass its type token instead.");
  }
  return token;
}

function urnOf(type: string, name: string): string {
  return `urn:pulumi:test::api-s3-load::${type}::${name}`;
}

class NotApplicable extends Error {}

function typeMatcher(type: string) {
  return {
    isType: (cls: { __pulumiType?: string }) => cls.__pulumiType === type,
    asType: <T>(cls: { __pulumiType?: string }, props: T) =>
      cls.__pulumiType === type ? props : undefined,
  };
}

/** Arguments for one resource, as the host builds them for `Analyze`. */
export function createResourceValidationArgs(
  type: ResourceType,
  props: Record<string, unknown>,
  config: Record<string, unknown> = {},
  name = "subject",
): ResourceValidationArgs {
  const token = typeToken(type);
  const proxied = proxyModule.unknownCheckingProxy({ ...props });
  const match = typeMatcher(token);
  return {
    type: token,
    props: proxied,
    urn: urnOf(token, name),
    name,
    opts: baseOpts(),
    stackTags: new Map(),
    isType: (cls) => match.isType(cls as { __pulumiType?: string }),
    asType: ((cls: { __pulumiType?: string }) =>
      match.asType(cls, proxied)) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

/** One resource of a stack fixture. `bucketFrom` names the resource its `bucket` property came from. */
export interface StackResourceSpec {
  type: ResourceType;
  name: string;
  props: Record<string, unknown>;
  /** Property name → names of the resources (in this fixture) the value came from. */
  propertyDependencies?: Record<string, string[]>;
  /**
   * Name of an explicit `aws` provider the resource was created with; absent means the stack's
   * default provider (the host then gives no provider resource, as in these fixtures).
   */
  provider?: string;
}

function awsProvider(name: string): NonNullable<PolicyResource["provider"]> {
  const type = "pulumi:providers:aws";
  return { type, name, urn: urnOf(type, name), props: {} };
}

/** Arguments for a stack, as the host builds them for `AnalyzeStack`. */
export function createStackValidationArgs(
  specs: StackResourceSpec[],
  config: Record<string, unknown> = {},
): StackValidationArgs {
  const resources: PolicyResource[] = specs.map((spec) => {
    const token = typeToken(spec.type);
    const proxied = proxyModule.unknownCheckingProxy({ ...spec.props });
    const match = typeMatcher(token);
    return {
      type: token,
      props: proxied,
      urn: urnOf(token, spec.name),
      name: spec.name,
      opts: baseOpts(),
      dependencies: [],
      propertyDependencies: {},
      ...(spec.provider === undefined ? {} : { provider: awsProvider(spec.provider) }),
      isType: (cls) => match.isType(cls as { __pulumiType?: string }),
      asType: ((cls: { __pulumiType?: string }) =>
        match.asType(cls, proxied)) as PolicyResource["asType"],
    };
  });
  const byName = new Map(resources.map((r) => [r.name, r]));
  specs.forEach((spec, i) => {
    for (const [prop, names] of Object.entries(spec.propertyDependencies ?? {})) {
      resources[i].propertyDependencies[prop] = names.map((n) => {
        const dep = byName.get(n);
        if (!dep) {
          throw new Error(
            `Fixture resource "${spec.name}" depends on "${n}", which is not in the fixture.`,
          );
        }
        return dep;
      });
    }
  });
  return {
    resources,
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

function baseOpts(): PolicyResource["opts"] {
  return {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
  };
}

/** What a policy run produced: violations, and the host's preview note if a value was unknown. */
export interface PolicyOutcome {
  violations: { message: string; urn?: string }[];
  /** Set when the policy stopped on an unknown value: the host reports it as advisory. */
  unknown?: string;
}

function recorder(outcome: PolicyOutcome): ReportViolation {
  return (message: string, urn?: string) => {
    outcome.violations.push({ message, urn });
  };
}

function settle(outcome: PolicyOutcome, err: unknown): void {
  if (err instanceof NotApplicable) {
    return;
  }
  if (err instanceof Error && err.constructor.name === "UnknownValueError") {
    outcome.unknown = err.message;
    return;
  }
  throw err;
}

/** Runs a resource policy like the host: every validation, "not applicable" skipped per validation. */
export async function runResourcePolicy(
  policy: ResourceValidationPolicy,
  args: ResourceValidationArgs,
): Promise<PolicyOutcome> {
  const outcome: PolicyOutcome = { violations: [] };
  const validations = policy.validateResource === undefined ? [] : [policy.validateResource].flat();
  for (const validate of validations) {
    try {
      await validate(args, recorder(outcome));
    } catch (err) {
      settle(outcome, err);
    }
  }
  return outcome;
}

/** Runs a stack policy like the host. */
export async function runStackPolicy(
  policy: StackValidationPolicy,
  args: StackValidationArgs,
): Promise<PolicyOutcome> {
  const outcome: PolicyOutcome = { violations: [] };
  try {
    await policy.validateStack(args, recorder(outcome));
  } catch (err) {
    settle(outcome, err);
  }
  return outcome;
}

/** Asserts exactly one violation, with exactly `message` (and `urn` when given). */
export async function assertHasResourceViolation(
  policy: ResourceValidationPolicy,
  args: ResourceValidationArgs,
  message: string,
): Promise<void> {
  const outcome = await runResourcePolicy(policy, args);
  expect(outcome).toEqual({ violations: [{ message, urn: undefined }] });
}

/** Asserts the policy reports nothing and did not stop on an unknown value. */
export async function assertNoResourceViolations(
  policy: ResourceValidationPolicy,
  args: ResourceValidationArgs,
): Promise<void> {
  expect(await runResourcePolicy(policy, args)).toEqual({ violations: [] });
}

/** A stack fixture (run without config) or arguments already built from one. */
export type StackInput = StackResourceSpec[] | StackValidationArgs;

function stackArgs(stack: StackInput): StackValidationArgs {
  return Array.isArray(stack) ? createStackValidationArgs(stack) : stack;
}

/** Asserts exactly the given stack violations, in order. */
export async function assertHasStackViolations(
  policy: StackValidationPolicy,
  stack: StackInput,
  violations: { message: string; urn: string }[],
): Promise<void> {
  expect(await runStackPolicy(policy, stackArgs(stack))).toEqual({ violations });
}

/** Asserts the stack policy reports nothing and did not stop on an unknown value. */
export async function assertNoStackViolations(
  policy: StackValidationPolicy,
  stack: StackInput,
): Promise<void> {
  expect(await runStackPolicy(policy, stackArgs(stack))).toEqual({ violations: [] });
}

/** The URN the helpers give a fixture resource, for asserting where a stack violation points. */
export function fixtureUrn(type: ResourceType, name: string): string {
  return urnOf(typeToken(type), name);
}

/** Name and default enforcement level, the metadata each policy test pins. */
export function metadataOf(policy: Policy): { name: string; enforcementLevel: string | undefined } {
  return { name: policy.name, enforcementLevel: policy.enforcementLevel };
}

/** What every policy spec pins first; `baseline` is the compliant fixture the spec varies. */
export interface PolicyBasics<Args> {
  name: string;
  enforcementLevel: "advisory" | "mandatory";
  /** Registers a test named `title` asserting the policy reports nothing for `args()`. */
  baseline?: { title: string; args: () => Args };
}

/**
 * Registers, in the calling `describe`, the metadata test each policy gets ("is named for what it
 * forbids and <level> by default": exactly `name` and `enforcementLevel`) and, when given, the
 * compliant-baseline test (no violations, no stop on an unknown value).
 */
export function describePolicyBasics(
  policy: StackValidationPolicy,
  basics: PolicyBasics<StackInput>,
): void;
export function describePolicyBasics(
  policy: ResourceValidationPolicy,
  basics: PolicyBasics<ResourceValidationArgs>,
): void;
export function describePolicyBasics(
  policy: StackValidationPolicy | ResourceValidationPolicy,
  basics: PolicyBasics<StackInput> | PolicyBasics<ResourceValidationArgs>,
): void {
  const { name, enforcementLevel, baseline } = basics;
  it(`is named for what it forbids and ${enforcementLevel} by default`, () => {
    expect(metadataOf(policy)).toEqual({ name, enforcementLevel });
  });
  if (baseline !== undefined) {
    it(baseline.title, async () => {
      const args = baseline.args();
      const outcome =
        "validateStack" in policy
          ? await runStackPolicy(policy, stackArgs(args as StackInput))
          : await runResourcePolicy(policy, args as ResourceValidationArgs);
      expect(outcome).toEqual({ violations: [] });
    });
  }
}
