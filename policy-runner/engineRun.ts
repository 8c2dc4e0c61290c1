/**
 * The engine's analyzer calls during a deployment (pulumi/pulumi pkg/resource/deploy/
 * step_generator.go `continueStepsFromImport` and `AnalyzeResources`, analyze_snapshot.go
 * `analyzeResource`), in their order:
 *
 * 1. per resource, in registration order: `Remediate` on its checked inputs; each remediation's
 *    properties replace the inputs (a remediation that could not run is an advisory note), then
 *    `Analyze` on the remediated inputs, a `remediate` level reported as mandatory;
 * 2. under `pulumi up` (not a preview), a mandatory violation makes the resource invalid and the
 *    deployment stops there: later resources are not analyzed and `AnalyzeStack` does not run;
 * 3. `AnalyzeStack` on every resource's outputs (computed from the remediated inputs), a violation
 *    naming no resource of the stack attributed to the stack resource.
 */
import type { HostProps, PolicyPackHost, PolicyResource, PolicyViolation } from "./policyPackHost";

/** `up`: every value known, a mandatory violation stops; `preview`: a first preview, unknown outputs. */
export type RunMode = "up" | "preview";

/** A resource as the step generator holds it: inputs after the provider's Check, and its provider's answer. */
export interface EngineResource {
  /** `properties` are the inputs after the provider's Check. */
  resource: PolicyResource;
  /** The outputs the provider would answer for these (possibly remediated) inputs. */
  outputs(inputs: HostProps): HostProps;
}

/** A remediation the engine applied: the CLI prints it, and the resource is deployed with it. */
export interface AppliedRemediation {
  policyName: string;
  policyPackName: string;
  urn: string;
}

export interface EngineRunResult {
  violations: PolicyViolation[];
  remediations: AppliedRemediation[];
  /** Set under `up` when a mandatory violation stopped the deployment at this resource. */
  stoppedAt?: string;
  /** How many resources reached `Analyze`. */
  analyzed: number;
}

/** analyze_snapshot.go: a violation still reported after remediation counts as mandatory. */
function asEngineReports(v: PolicyViolation): PolicyViolation {
  return v.enforcementLevel === "remediate" ? { ...v, enforcementLevel: "mandatory" } : v;
}

/** Runs the engine's sequence on `resources` (registration order). */
export async function runAsEngine(
  host: Pick<PolicyPackHost, "remediate" | "analyze" | "analyzeStack">,
  resources: readonly EngineResource[],
  mode: RunMode,
): Promise<EngineRunResult> {
  const violations: PolicyViolation[] = [];
  const remediations: AppliedRemediation[] = [];
  const stack: PolicyResource[] = [];
  let analyzed = 0;
  for (const { resource, outputs } of resources) {
    const urn = resource.urn ?? "";
    let inputs = resource.properties;
    for (const fix of await host.remediate(resource)) {
      if (fix.diagnostic !== undefined) {
        violations.push({
          policyName: fix.policyName,
          policyPackName: fix.policyPackName,
          description: fix.description,
          message: fix.diagnostic,
          enforcementLevel: "advisory",
          urn,
        });
      } else if (fix.properties !== undefined) {
        inputs = fix.properties as HostProps;
        remediations.push({ policyName: fix.policyName, policyPackName: fix.policyPackName, urn });
      }
    }
    const found = (await host.analyze({ ...resource, properties: inputs })).map(asEngineReports);
    analyzed += 1;
    violations.push(...found);
    if (mode === "up" && found.some((v) => v.enforcementLevel === "mandatory")) {
      return { violations, remediations, stoppedAt: urn, analyzed };
    }
    stack.push({ ...resource, properties: outputs(inputs) });
  }
  const stackUrns = new Set(stack.map((r) => r.urn));
  const root = stack.find((r) => r.type === "pulumi:pulumi:Stack" && !r.parent)?.urn ?? "";
  for (const v of await host.analyzeStack(stack)) {
    violations.push({ ...asEngineReports(v), urn: stackUrns.has(v.urn) ? v.urn : root });
  }
  return { violations, remediations, analyzed };
}
