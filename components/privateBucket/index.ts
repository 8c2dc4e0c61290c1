export {
  PrivateBucket,
  PRIVATE_BUCKET_TYPE,
  type AclMode,
  type PrivateBucketArgs,
} from "./privateBucket";
export { readOnlyPolicy, tlsOnlyPolicy, type PolicyDocument } from "./bucketPolicies";
