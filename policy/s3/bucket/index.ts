export { disallowBucketWebsite } from "./disallowBucketWebsite";
export { disallowInsecureTransport } from "./disallowInsecureTransport";
export { disallowPublicBucketAcl } from "./disallowPublicBucketAcl";
export { disallowUnblockedPublicAccess } from "./disallowUnblockedPublicAccess";
export { disallowUncontrolledOwnership } from "./disallowUncontrolledOwnership";
export { disallowUnencryptedBucket } from "./disallowUnencryptedBucket";
export { disallowUnversionedBucket } from "./disallowUnversionedBucket";
