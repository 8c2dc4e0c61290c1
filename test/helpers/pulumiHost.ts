// The engine side of Pulumi's plugin protocol lives with `npm run policy`, which drives the same
// hosts outside tests; tests use it from there.
export * from "../../policy-runner/pulumiPlugins";
