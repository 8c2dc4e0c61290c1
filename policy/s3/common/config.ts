import { StackValidationArgs, ResourceValidationArgs } from "@pulumi/policy";

/**
 * A policy's tunables: what the engine passes through `--policy-pack-config` (or the organisation's
 * policy group), with each missing key taken from `defaults`. The CLI fills schema defaults itself,
 * but a host driven directly (tests, other engines) may send nothing, so defaults live here too.
 */
export function configWithDefaults<T extends object>(
  args: Pick<ResourceValidationArgs | StackValidationArgs, "getConfig">,
  defaults: T,
): T {
  const given = args.getConfig<Partial<T>>();
  const merged = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof T)[]) {
    const value = given[key];
    if (value !== undefined) {
      merged[key] = value as T[keyof T];
    }
  }
  return merged;
}
