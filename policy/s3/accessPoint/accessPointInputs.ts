/**
 * Where each access point type keeps the inputs that can open it: its policy document and block,
 * and whether it has a network origin. One table, read by the access point policy's resource check
 * and by the stack judgment both access point policies share (accessPointPolicies.ts).
 */
import * as aws from "@pulumi/aws";
import { NATIVE } from "../common/nativeTypes";
import { GuardedInputs } from "../common/resourcePolicyInputs";

/** Where an access point keeps its public access block. */
export const BLOCK = ["publicAccessBlockConfiguration"];

/**
 * Access points and their policies, per provider: S3 access points (their own `policy` and block,
 * or a separate policy resource), Object Lambda access points, directory bucket (S3 Express) and
 * S3 on Outposts access points. Access points have a network origin, read before their policy.
 */
export const ACCESS_POINT_INPUTS: readonly GuardedInputs[] = [
  {
    kind: aws.s3.AccessPoint,
    document: ["policy"],
    block: BLOCK,
    context: "accessPoint",
    networkOrigin: true,
  },
  {
    kind: aws.s3control.AccessPointPolicy,
    document: ["policy"],
    context: "accessPoint",
    documentInStack: true,
  },
  {
    kind: aws.s3control.ObjectLambdaAccessPointPolicy,
    document: ["policy"],
    context: "accessPoint",
  },
  {
    kind: NATIVE.accessPoint,
    document: ["policy"],
    block: BLOCK,
    context: "accessPoint",
    networkOrigin: true,
  },
  {
    kind: NATIVE.expressAccessPoint,
    document: ["policy"],
    block: BLOCK,
    context: "accessPoint",
    networkOrigin: true,
  },
  {
    kind: NATIVE.outpostsAccessPoint,
    document: ["policy"],
    context: "accessPoint",
    networkOrigin: true,
  },
  {
    kind: NATIVE.objectLambdaAccessPointPolicy,
    document: ["policyDocument"],
    context: "accessPoint",
  },
];
