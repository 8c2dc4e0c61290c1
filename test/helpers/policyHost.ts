// The policy pack host client lives with `npm run policy`, which drives the same host outside
// tests; tests use it from there.
export * from "../../policy-runner/policyPackHost";
