/**
 * The pack matches aws-native resources by type token and reads their inputs by name without
 * depending on @pulumi/aws-native (nativeTypes.ts). This holds those strings to the package's own
 * definitions: the tokens by each class's `__pulumiType`, the property names by the typings (this
 * file does not compile if a name the pack reads is renamed).
 */
import * as native from "@pulumi/aws-native";
import {
  cannedAclFromNative,
  cannedAclToNative,
  NATIVE,
} from "../../../../policy/s3/common/nativeTypes";
import { PUBLIC_CANNED_ACLS, ALLOWABLE_CANNED_ACLS } from "../../../../policy/s3/common/acl";

const tokenOf = (cls: unknown) => (cls as { __pulumiType: string }).__pulumiType;

describe("aws-native type tokens and input names the pack reads", () => {
  it("every token is the __pulumiType of the package's class", () => {
    expect({
      bucket: tokenOf(native.s3.Bucket),
      bucketPolicy: tokenOf(native.s3.BucketPolicy),
      accessPoint: tokenOf(native.s3.AccessPoint),
      multiRegionAccessPoint: tokenOf(native.s3.MultiRegionAccessPoint),
      multiRegionAccessPointPolicy: tokenOf(native.s3.MultiRegionAccessPointPolicy),
      objectLambdaAccessPointPolicy: tokenOf(native.s3objectlambda.AccessPointPolicy),
      outpostsBucketPolicy: tokenOf(native.s3outposts.BucketPolicy),
      outpostsAccessPoint: tokenOf(native.s3outposts.AccessPoint),
      expressBucketPolicy: tokenOf(native.s3express.BucketPolicy),
      expressAccessPoint: tokenOf(native.s3express.AccessPoint),
      tableBucketPolicy: tokenOf(native.s3tables.TableBucketPolicy),
      tablePolicy: tokenOf(native.s3tables.TablePolicy),
      vectorBucketPolicy: tokenOf(native.s3vectors.VectorBucketPolicy),
      fileSystemPolicy: tokenOf(native.s3files.FileSystemPolicy),
    }).toEqual(NATIVE);
  });

  it("reads the property names the package's typings declare", () => {
    // Each object below is typed with the package's Args: a renamed property fails `npm run typecheck`.
    const bucket: native.s3.BucketArgs = {
      bucketName: "b",
      accessControl: "Private",
      publicAccessBlockConfiguration: {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      ownershipControls: { rules: [{ objectOwnership: "BucketOwnerEnforced" }] },
      bucketEncryption: {
        serverSideEncryptionConfiguration: [
          { serverSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ],
      },
      versioningConfiguration: { status: "Enabled" },
      websiteConfiguration: {},
      corsConfiguration: { corsRules: [{ allowedOrigins: ["*"], allowedMethods: ["PUT"] }] },
    };
    const policies: [
      native.s3.BucketPolicyArgs,
      native.s3.AccessPointArgs,
      native.s3.MultiRegionAccessPointArgs,
      native.s3.MultiRegionAccessPointPolicyArgs,
      native.s3objectlambda.AccessPointPolicyArgs,
      native.s3outposts.BucketPolicyArgs,
      native.s3outposts.AccessPointArgs,
      native.s3express.BucketPolicyArgs,
      native.s3express.AccessPointArgs,
      native.s3tables.TableBucketPolicyArgs,
      native.s3tables.TablePolicyArgs,
      native.s3vectors.VectorBucketPolicyArgs,
      native.s3files.FileSystemPolicyArgs,
    ] = [
      { bucket: "b", policyDocument: {} },
      {
        bucket: "b",
        policy: {},
        publicAccessBlockConfiguration: { blockPublicPolicy: true },
        vpcConfiguration: { vpcId: "vpc-1" },
      },
      { regions: [], publicAccessBlockConfiguration: { blockPublicPolicy: true } },
      { mrapName: "m", policy: {} },
      { objectLambdaAccessPoint: "o", policyDocument: {} },
      { bucket: "b", policyDocument: {} },
      { bucket: "b", policy: {}, vpcConfiguration: { vpcId: "vpc-1" } },
      { bucket: "b", policyDocument: {} },
      {
        bucket: "b",
        policy: {},
        publicAccessBlockConfiguration: { blockPublicPolicy: true },
        vpcConfiguration: { vpcId: "vpc-1" },
      },
      { tableBucketArn: "t", resourcePolicy: {} },
      { tableArn: "t", resourcePolicy: {} },
      { vectorBucketName: "v", policy: {} },
      { fileSystemId: "f", policy: {} },
    ];
    expect(Object.keys(bucket)).toHaveLength(8);
    expect(policies).toHaveLength(13);
    // The outputs the network-origin and access point look-ups read (networkOrigin.ts,
    // stackAccessPoints.ts), on every aws-native access point that has them.
    const outputs: [
      keyof native.s3.AccessPoint,
      keyof native.s3.AccessPoint,
      keyof native.s3express.AccessPoint,
    ] = ["networkOrigin", "arn", "networkOrigin"];
    expect(outputs).toHaveLength(3);
  });

  it("maps every aws-native canned ACL to S3's spelling and back", () => {
    const nativeAcls = Object.values(native.types.enums.s3.BucketAccessControl);
    const s3Acls = nativeAcls.map((a) => cannedAclFromNative(a));
    expect([...s3Acls].sort()).toEqual(
      ["private", ...PUBLIC_CANNED_ACLS, ...ALLOWABLE_CANNED_ACLS].sort(),
    );
    expect(s3Acls.map((a) => cannedAclToNative(String(a)))).toEqual(nativeAcls);
  });
});
