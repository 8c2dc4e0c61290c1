export { disallowUnguardedSnapshotBucket } from "./disallowUnguardedSnapshotBucket";
export { SNAPSHOT_TYPE } from "./snapshotType";
