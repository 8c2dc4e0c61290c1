/**
 * The pack's one definition of a public statement, case by case as S3's policy status judges it
 * (docs/policy.md, "What counts as public"). The same cases run through the real policy host in
 * test/policy/publicAccess.host.test.ts.
 */
import {
  DEFAULT_NARROWING_CONDITION_KEYS,
  isNarrowSourceIp,
  judgeStatement,
  PolicyContext,
  wildcardInsideArn,
} from "../../../../policy/s3/common/publicStatement";

const ACCOUNT = "123456789012";
const allow = (principal: unknown, condition?: Record<string, unknown>) => ({
  Effect: "Allow",
  Principal: principal,
  Action: "s3:GetObject",
  Resource: "arn:aws:s3:::b/*",
  ...(condition ? { Condition: condition } : {}),
});

const isPublic = (statement: Record<string, unknown>, context: PolicyContext = "bucket") =>
  judgeStatement(statement, DEFAULT_NARROWING_CONDITION_KEYS, context).public;

describe("a public statement, as S3's policy status decides it", () => {
  it.each([
    ['"*"', "*"],
    ['{"AWS": "*"}', { AWS: "*" }],
    ["a wildcard account root ARN", { AWS: "arn:aws:iam::*:root" }],
    ["a wildcard account user ARN", { AWS: "arn:aws:iam::*:user/x" }],
    [
      "a wildcard account ARN beside a fixed one",
      { AWS: [`arn:aws:iam::${ACCOUNT}:root`, "arn:aws:iam::*:root"] },
    ],
    ["a policy variable in a principal", { AWS: "arn:aws:iam::${aws:PrincipalAccount}:root" }],
    ["a federated identity provider", { Federated: "cognito-identity.amazonaws.com" }],
  ])("an Allow to %s without a condition is public", (_label, principal) => {
    expect(isPublic(allow(principal))).toBe(true);
  });

  it.each([
    ["an account", { AWS: ACCOUNT }],
    ["a role ARN", { AWS: `arn:aws:iam::${ACCOUNT}:role/reader` }],
    ["a service principal", { Service: "logging.s3.amazonaws.com" }],
    ["a canonical user", { CanonicalUser: "79a59df900b949e55d96a1e698fbaced" }],
  ])("an Allow to a fixed principal (%s) is not public", (_label, principal) => {
    expect(isPublic(allow(principal))).toBe(false);
  });

  describe("the two principals the authorities disagree on (docs/policy.md)", () => {
    const SAML = `arn:aws:iam::${ACCOUNT}:saml-provider/corp-idp`;

    it("a fixed-account ARN with a wildcard role name is public, and says what IAM refuses", () => {
      const role = `arn:aws:iam::${ACCOUNT}:role/*`;
      expect(
        judgeStatement(allow({ AWS: role }), DEFAULT_NARROWING_CONDITION_KEYS, "bucket"),
      ).toEqual({
        public: true,
        principal: `Principal {"AWS":"${role}"}`,
        wildcardInsideArn: { partition: "aws", account: ACCOUNT, pattern: role },
      });
    });

    it.each([
      ["a wildcard account", "arn:aws:iam::*:role/x"],
      ["a policy variable", `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`],
      ["a fixed role", `arn:aws:iam::${ACCOUNT}:role/reader`],
    ])("%s is not a wildcard inside a fixed-account ARN", (_label, value) => {
      expect(wildcardInsideArn(value)).toBeUndefined();
    });

    it("a fixed SAML provider is not public by default; samlProvidersArePublic makes it public", () => {
      const statement = allow({ Federated: SAML });
      expect(isPublic(statement)).toBe(false);
      expect(
        judgeStatement(statement, DEFAULT_NARROWING_CONDITION_KEYS, "bucket", {
          samlProvidersArePublic: true,
        }).public,
      ).toBe(true);
    });

    it.each([
      ["a web identity provider beside it", [SAML, "accounts.google.com"]],
      [
        "an OIDC provider",
        `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
      ],
      ["a wildcard SAML provider name", `arn:aws:iam::${ACCOUNT}:saml-provider/*`],
    ])("a Federated principal with %s stays public", (_label, federated) => {
      expect(isPublic(allow({ Federated: federated }))).toBe(true);
    });
  });

  it("a Deny is never public, and NotPrincipal in an Allow is", () => {
    expect(isPublic({ ...allow("*"), Effect: "Deny" })).toBe(false);
    expect(
      isPublic({ Effect: "Allow", NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }),
    ).toBe(true);
  });

  describe("aws:SourceIp", () => {
    it.each([
      "0.0.0.0/0",
      "::/0",
      "0.0.0.0/1",
      "128.0.0.0/1",
      "::/1",
      "8000::/1",
      "10.0.0.0/7",
      "2001:db8::/31",
      "not-an-ip",
      "300.1.1.1/32",
    ])("IpAddress %s covers too much of the internet: public", (cidr) => {
      expect(isPublic(allow("*", { IpAddress: { "aws:SourceIp": cidr } }))).toBe(true);
    });

    it.each(["203.0.113.0/24", "10.0.0.0/8", "198.51.100.7", "2001:db8::/32", "2001:db8::1/128"])(
      "IpAddress %s is a fixed narrow range: not public",
      (cidr) => {
        expect(isPublic(allow("*", { IpAddress: { "aws:SourceIp": cidr } }))).toBe(false);
      },
    );

    it("one broad range among narrow ones makes the statement public", () => {
      const condition = { IpAddress: { "aws:SourceIp": ["203.0.113.0/24", "0.0.0.0/0"] } };
      expect(isPublic(allow("*", condition))).toBe(true);
    });

    it("NotIpAddress and a string operator do not narrow", () => {
      expect(isPublic(allow("*", { NotIpAddress: { "aws:SourceIp": "203.0.113.0/24" } }))).toBe(
        true,
      );
      expect(isPublic(allow("*", { StringEquals: { "aws:SourceIp": "203.0.113.0/24" } }))).toBe(
        true,
      );
    });

    it("reads the limit from AWS's note: /8 for IPv4, /32 for IPv6", () => {
      expect(isNarrowSourceIp("11.0.0.0/8")).toBe(true);
      expect(isNarrowSourceIp("11.0.0.0/7")).toBe(false);
      expect(isNarrowSourceIp("2001:db8::/32")).toBe(true);
      expect(isNarrowSourceIp("2001:db8::/31")).toBe(false);
    });
  });

  it("aws:userid with a fixed value narrows; the AROLEID:* pattern does not", () => {
    expect(isPublic(allow("*", { StringEquals: { "aws:userid": "AROAEXAMPLEID:alice" } }))).toBe(
      false,
    );
    expect(isPublic(allow("*", { StringLike: { "aws:userid": "AROAEXAMPLEID:*" } }))).toBe(true);
  });

  describe("s3:DataAccessPointArn", () => {
    const delegation = {
      StringLike: { "s3:DataAccessPointArn": `arn:aws:s3:us-west-2:${ACCOUNT}:accesspoint/*` },
    };

    it("a fixed account with any access point name narrows in a bucket policy (AWS's delegation example)", () => {
      expect(isPublic(allow({ AWS: "*" }, delegation), "bucket")).toBe(false);
    });

    it("the same wildcard is public in an access point policy", () => {
      expect(isPublic(allow({ AWS: "*" }, delegation), "accessPoint")).toBe(true);
    });

    it("a wildcard account is public even in a bucket policy", () => {
      const condition = {
        StringLike: { "s3:DataAccessPointArn": "arn:aws:s3:us-west-2:*:accesspoint/*" },
      };
      expect(isPublic(allow({ AWS: "*" }, condition), "bucket")).toBe(true);
    });
  });

  it.each([
    ["StringLike with *", { StringLike: { "aws:SourceVpc": "vpc-*" } }],
    ["StringLike with ?", { StringLike: { "aws:SourceAccount": "12345678901?" } }],
    ["ArnLike with a wildcard", { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/reader" } }],
    ["a policy variable", { StringEquals: { "aws:PrincipalAccount": "${aws:ResourceAccount}" } }],
    [
      "ForAllValues: on a multivalued key (true without the key)",
      { "ForAllValues:StringEquals": { "aws:PrincipalOrgPaths": ["o-a/r-b/ou-c/"] } },
    ],
    ["an IfExists operator", { StringEqualsIfExists: { "aws:SourceVpce": "vpce-0abc" } }],
    ["a negated operator", { StringNotEquals: { "aws:PrincipalOrgID": "o-abc123" } }],
    ["s3:prefix", { StringEquals: { "s3:prefix": "public/" } }],
    ["aws:CurrentTime", { DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } }],
    [
      "an encryption key",
      {
        StringEquals: {
          "s3:x-amz-server-side-encryption-aws-kms-key-id": `arn:aws:kms:us-east-1:${ACCOUNT}:key/k`,
        },
      },
    ],
    ["aws:SecureTransport", { Bool: { "aws:SecureTransport": "true" } }],
  ])("a condition with %s does not narrow", (_label, condition) => {
    expect(isPublic(allow("*", condition))).toBe(true);
  });

  it.each([
    ["aws:PrincipalOrgID", { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } }],
    ["aws:PrincipalAccount", { StringEquals: { "aws:PrincipalAccount": ACCOUNT } }],
    [
      "aws:PrincipalArn",
      { ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/reader` } },
    ],
    [
      "aws:SourceArn",
      { ArnLike: { "aws:SourceArn": `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/t` } },
    ],
    ["aws:SourceOwner", { StringEquals: { "aws:SourceOwner": ACCOUNT } }],
    ["aws:SourceAccount", { StringEquals: { "aws:SourceAccount": ACCOUNT } }],
    ["aws:SourceVpce (list)", { StringEquals: { "aws:SourceVpce": ["vpce-0abc", "vpce-0def"] } }],
    [
      "aws:SourceVpc (StringLike without wildcard)",
      { StringLike: { "aws:sourcevpc": "vpc-0abc" } },
    ],
    ["s3:DataAccessPointAccount", { StringEquals: { "s3:DataAccessPointAccount": ACCOUNT } }],
    [
      "ForAnyValue: with fixed values",
      { "ForAnyValue:StringEquals": { "aws:PrincipalOrgPaths": ["o-a/r-b/ou-c/"] } },
    ],
  ])("a fixed %s narrows", (_label, condition) => {
    expect(isPublic(allow("*", condition))).toBe(false);
  });

  it("one narrowing condition is enough beside others (conditions are AND-ed)", () => {
    const condition = {
      StringLike: { "s3:prefix": "*" },
      StringEquals: { "aws:SourceVpce": "vpce-0abc" },
    };
    expect(isPublic(allow("*", condition))).toBe(false);
  });
});
