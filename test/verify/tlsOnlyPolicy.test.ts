import { tlsOnlyProblems } from "../../verify";
import { BUCKET, tlsOnlyPolicy } from "./fixtures";

type Statement = Record<string, unknown>;

function withStatement(change: (s: Statement) => void): string {
  const policy = tlsOnlyPolicy();
  change(policy.Statement[0] as unknown as Statement);
  return JSON.stringify(policy);
}

describe("tlsOnlyProblems", () => {
  it("accepts the PrivateBucket policy", () => {
    expect(tlsOnlyProblems(JSON.stringify(tlsOnlyPolicy()), BUCKET)).toEqual([]);
  });

  it.each<[string, (s: Statement) => void]>([
    [
      "a boolean false condition",
      (s) => (s.Condition = { Bool: { "aws:SecureTransport": false } }),
    ],
    [
      "a lower-case condition key",
      (s) => (s.Condition = { Bool: { "aws:securetransport": ["false"] } }),
    ],
    ["an AWS:* principal", (s) => (s.Principal = { AWS: "*" })],
    ["a wildcard resource", (s) => (s.Resource = "*")],
  ])("accepts %s", (_label, change) => {
    expect(tlsOnlyProblems(withStatement(change), BUCKET)).toEqual([]);
  });

  it.each<[string, (s: Statement) => void, string[]]>([
    [
      "an Allow instead of a Deny",
      (s) => (s.Effect = "Allow"),
      ["no Deny statement with condition Bool aws:SecureTransport = false"],
    ],
    [
      "a condition on true",
      (s) => (s.Condition = { Bool: { "aws:SecureTransport": "true" } }),
      ["no Deny statement with condition Bool aws:SecureTransport = false"],
    ],
    [
      "only the objects covered",
      (s) => (s.Resource = [`arn:aws:s3:::${BUCKET}/*`]),
      [`the aws:SecureTransport Deny does not cover arn:aws:s3:::${BUCKET}`],
    ],
    [
      "only the bucket covered",
      (s) => (s.Resource = `arn:aws:s3:::${BUCKET}`),
      [`the aws:SecureTransport Deny does not cover arn:aws:s3:::${BUCKET}/*`],
    ],
    [
      "a single action",
      (s) => (s.Action = "s3:GetObject"),
      [
        "the aws:SecureTransport Deny does not apply to every principal (`*`) and every action (`s3:*`)",
      ],
    ],
    [
      "one principal",
      (s) => (s.Principal = { AWS: "arn:aws:iam::123456789012:root" }),
      [
        "the aws:SecureTransport Deny does not apply to every principal (`*`) and every action (`s3:*`)",
      ],
    ],
  ])("reports %s", (_label, change, problems) => {
    expect(tlsOnlyProblems(withStatement(change), BUCKET)).toEqual(problems);
  });

  it("reports another bucket's policy as not covering this one", () => {
    expect(tlsOnlyProblems(JSON.stringify(tlsOnlyPolicy("other-bucket")), BUCKET)).toEqual([
      `the aws:SecureTransport Deny does not cover arn:aws:s3:::${BUCKET}`,
      `the aws:SecureTransport Deny does not cover arn:aws:s3:::${BUCKET}/*`,
    ]);
  });

  it("reports a policy that is not JSON", () => {
    expect(tlsOnlyProblems("{", BUCKET)).toEqual(["the bucket policy is not valid JSON"]);
  });
});
