export { Snapshot, SNAPSHOT_TYPE, type SnapshotArgs } from "./snapshot";
export { assertEngineBuilt } from "./engineBuild";
