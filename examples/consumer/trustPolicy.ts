/**
 * The reader role's trust policy.
 *
 * Why Lambda: a function that reads the latest snapshot is the commonest downstream reader, and
 * the `lambda.amazonaws.com` service principal needs nothing account-specific. A CI OIDC role
 * (GitHub Actions and the like) would also need an IAM OIDC provider ARN and a repository/branch
 * `sub` condition this example cannot know; the README shows the swap.
 *
 * Pure: returns plain data.
 */
export interface TrustPolicyDocument {
  Version: "2012-10-17";
  Statement: {
    Sid: string;
    Effect: "Allow";
    Principal: { Service: string };
    Action: "sts:AssumeRole";
  }[];
}

export function lambdaTrustPolicy(): TrustPolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "LambdaAssumesSnapshotReader",
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole",
      },
    ],
  };
}
