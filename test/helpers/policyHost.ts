// The policy pack host client lives with `npm run policy`, which drives the same host outside
// tests; tests use it from there.
import type { PolicyViolation } from "../../policy-runner/policyPackHost";

export * from "../../policy-runner/policyPackHost";

/** The mandatory violations among `vs`. */
export const mandatory = (vs: PolicyViolation[]) =>
  vs.filter((v) => v.enforcementLevel === "mandatory");

/** One line per violation, `policy [level]: message`, for readable test failures. */
export const summary = (vs: PolicyViolation[]) =>
  vs.map((v) => `${v.policyName} [${v.enforcementLevel}]: ${v.message}`);
