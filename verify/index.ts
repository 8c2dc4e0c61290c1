export { createS3Client, createStsClient, type ClientOptions } from "./clients";
export { redactSecrets } from "./awsError";
export { checkCallerIdentity } from "./callerIdentity";
export { checkEncryption } from "./encryption";
export { checkListBuckets } from "./listBuckets";
export {
  DEFAULT_KEY,
  USAGE,
  parseStackOutputs,
  parseVerifyFlags,
  resolveOptions,
  type StackOutputsForVerify,
  type VerifyFlags,
  type VerifyOptions,
} from "./options";
export { checkOwnershipControls, nonOwnerGrants } from "./ownershipControls";
export { checkPublicAccessBlock } from "./publicAccessBlock";
export { formatResult, type CheckResult } from "./result";
export { runVerify, type VerifyClients } from "./runVerify";
export { checkSnapshotObject, type ExpectedObject } from "./snapshotObject";
export { checksumAsHex, storedBytes, type StoredBytes } from "./storedBytes";
export { checkTlsOnlyPolicy, tlsOnlyProblems } from "./tlsOnlyPolicy";
export { checkVersioning } from "./versioning";
