export { disallowPublicBucketPolicy } from "./disallowPublicBucketPolicy";
