import { SNAPSHOT_SCHEMA_VERSION, type Plan } from "@api-s3-load/snapshot-engine";

/** The plan a Snapshot uses when its args name none. */
export const DEFAULT_PLAN: Plan = "public";

/**
 * What a Snapshot registers beyond its args: its name (the resource's unless `snapshotName` is
 * given), empty params, the public plan and the engine's schema version. The one rule for the
 * program's `Snapshot` class, whose args may be Outputs, and for the package provider's `check`
 * (provider/src/snapshot.ts), which gets plain values from a program in any language.
 */
export function snapshotDefaults<N, P, Q>(
  resourceName: string,
  args: { snapshotName?: N; params?: P; plan?: Q },
): { name: N | string; params: P | Record<string, never>; plan: Q | Plan; schemaVersion: number } {
  return {
    name: args.snapshotName ?? resourceName,
    params: args.params ?? {},
    plan: args.plan ?? DEFAULT_PLAN,
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
  };
}
