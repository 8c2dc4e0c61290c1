/**
 * Type token of the program's dynamic Snapshot resource (components/snapshot). Dynamic resources
 * share one class, so policies recognise this one by the module/type it registers with.
 */
export const SNAPSHOT_TYPE = "pulumi-nodejs:dynamic/coingecko:Snapshot";
