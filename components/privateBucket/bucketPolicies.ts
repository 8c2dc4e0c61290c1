/**
 * IAM policy documents for the private bucket, as plain data.
 *
 * Kept apart from the component so the exact statements can be pinned by tests and shared with the
 * stack's `readPolicyJson` output.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | { AWS: string | string[] };
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/**
 * Denies every request that is not over TLS, or over a TLS older than `minimumTlsVersion`.
 * A Deny with `Principal: "*"` is not "public": it only narrows access, so the public access block
 * accepts it.
 */
export function tlsOnlyPolicy(bucketArn: string, minimumTlsVersion: string): PolicyDocument {
  const resources = [bucketArn, `${bucketArn}/*`];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: resources,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "DenyOutdatedTls",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: resources,
        Condition: { NumericLessThan: { "s3:TlsVersion": minimumTlsVersion } },
      },
    ],
  };
}

/** The KMS key a bucket encrypts with, when it uses SSE-KMS. */
export interface KmsReadAccess {
  /** The key id, alias or ARN the bucket was configured with. */
  kmsKeyId: string;
  region: string;
}

/**
 * Read-only access to exactly the given objects (and their versions), plus listing limited to
 * those keys, for an identity policy that downstream stacks attach to their readers. With SSE-KMS
 * a reader also needs `kms:Decrypt`; it is scoped to S3 using the key for this bucket's objects
 * (with a bucket key, S3's encryption context is the bucket's ARN), because an alias or key id
 * cannot name the key's ARN in a policy.
 */
export function readOnlyPolicy(
  bucketArn: string,
  keys: readonly string[],
  kms?: KmsReadAccess,
): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "ReadSnapshotObjects",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: keys.map((key) => `${bucketArn}/${key}`),
    },
    {
      Sid: "ListSnapshotKeys",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn,
      Condition: { StringEquals: { "s3:prefix": [...keys] } },
    },
  ];
  if (kms) {
    statements.push({
      Sid: "DecryptSnapshotObjects",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: kms.kmsKeyId.startsWith("arn:") ? kms.kmsKeyId : "*",
      Condition: {
        StringEquals: { "kms:ViaService": `s3.${kms.region}.amazonaws.com` },
        StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucketArn, `${bucketArn}/*`] },
      },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}
