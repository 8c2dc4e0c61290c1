/**
 * Type tokens of the `@pulumi/aws-native` (Cloud Control) resources the pack judges, and the
 * shapes of the inputs it reads.
 *
 * Matched as strings: a stack may use aws-native, but the pack must load without it (a published
 * pack installs only its own dependencies), so nothing here imports the package.
 * test/policy/s3/common/nativeTypes.test.ts checks every token and property name against the
 * package's own type definitions (a devDependency of the project).
 */
export const NATIVE = {
  bucket: "aws-native:s3:Bucket",
  bucketPolicy: "aws-native:s3:BucketPolicy",
  accessPoint: "aws-native:s3:AccessPoint",
  multiRegionAccessPoint: "aws-native:s3:MultiRegionAccessPoint",
  multiRegionAccessPointPolicy: "aws-native:s3:MultiRegionAccessPointPolicy",
  objectLambdaAccessPointPolicy: "aws-native:s3objectlambda:AccessPointPolicy",
  outpostsBucketPolicy: "aws-native:s3outposts:BucketPolicy",
  outpostsAccessPoint: "aws-native:s3outposts:AccessPoint",
  expressBucketPolicy: "aws-native:s3express:BucketPolicy",
  expressAccessPoint: "aws-native:s3express:AccessPoint",
  tableBucketPolicy: "aws-native:s3tables:TableBucketPolicy",
  tablePolicy: "aws-native:s3tables:TablePolicy",
  vectorBucketPolicy: "aws-native:s3vectors:VectorBucketPolicy",
  fileSystemPolicy: "aws-native:s3files:FileSystemPolicy",
} as const;

/**
 * aws-native spells canned ACLs in PascalCase (`AWS::S3::Bucket.AccessControl`): "PublicRead" is
 * S3's "public-read". Returns S3's spelling, which the ACL rules are written in.
 */
export function cannedAclFromNative(value: unknown): unknown {
  if (typeof value !== "string" || !/^[A-Z][A-Za-z]*$/.test(value)) {
    return value;
  }
  return value.replace(/(?<!^)([A-Z])/g, "-$1").toLowerCase();
}

/** S3's spelling of a canned ACL in aws-native's: "private" → "Private". */
export function cannedAclToNative(acl: string): string {
  return acl
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}
