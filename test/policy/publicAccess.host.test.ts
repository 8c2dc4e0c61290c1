/**
 * Issue 19 through the real policy host (`run-policy-pack` on policy/ over gRPC):
 *
 * 1. Every resource type that can make S3 data public, per provider (@pulumi/aws and
 *    @pulumi/aws-native): a failing and a passing fixture each, with the same message as its twin.
 * 2. Principals and conditions as S3's policy status judges them: a failing and a passing fixture
 *    for each class of statement.
 * 3. Values unknown during a preview, sent as the engine sends them (the unknown sentinel): no
 *    crash, no mandatory violation on what the pack cannot see, one advisory note per policy.
 */
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as native from "@pulumi/aws-native";
import {
  analyzeAsEngine,
  mandatory,
  PolicyPackHost,
  PolicyResource,
  PolicyViolation,
  startPolicyPackHost,
  summary,
  UNKNOWN,
} from "../helpers/policyHost";
import { SNAPSHOT_TYPE } from "../../policy/s3";
import { ownMessage } from "../../policy-runner/report";

const PACK_DIR = join(__dirname, "..", "..", "policy");
const ACCOUNT = "123456789012";
const NAME = "native-bucket";

const token = (cls: unknown): string => (cls as { __pulumiType: string }).__pulumiType;

const BUCKET_POLICY = "s3-bucket-policy-disallow-public-principal";
const ACCESS_POINT = "s3-access-point-disallow-public-access";
const MRAP = "s3-multi-region-access-point-disallow-public-access";

const allow = (principal: unknown, condition?: Record<string, unknown>) => ({
  Sid: "Read",
  Effect: "Allow",
  Principal: principal,
  Action: "s3:GetObject",
  Resource: "*",
  ...(condition ? { Condition: condition } : {}),
});
/** A policy document as the engine sends an object input (aws-native's policies are objects). */
type HostValue = NonNullable<PolicyResource["properties"][string]>;
const doc = (statement: Record<string, unknown>): HostValue =>
  ({ Version: "2012-10-17", Statement: [statement] }) as HostValue;
const OPEN = allow("*");
const NARROWED = allow("*", { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } });

/**
 * [type token, path of the document, policy that judges it, form]. @pulumi/aws takes JSON text,
 * aws-native an object.
 */
type DocumentCase = [string, string, string, "json" | "object"];
const DOCUMENTS: DocumentCase[] = [
  [token(aws.s3.BucketPolicy), "policy", BUCKET_POLICY, "json"],
  [token(aws.s3.Bucket), "policy", BUCKET_POLICY, "json"],
  [token(aws.s3.BucketV2), "policy", BUCKET_POLICY, "json"],
  [token(aws.s3control.BucketPolicy), "policy", BUCKET_POLICY, "json"],
  [token(aws.s3tables.TableBucketPolicy), "resourcePolicy", BUCKET_POLICY, "json"],
  [token(aws.s3tables.TablePolicy), "resourcePolicy", BUCKET_POLICY, "json"],
  [token(aws.s3.VectorsVectorBucketPolicy), "policy", BUCKET_POLICY, "json"],
  [token(aws.s3.FilesFileSystemPolicy), "policy", BUCKET_POLICY, "json"],
  [token(aws.s3control.AccessGrantsInstanceResourcePolicy), "policy", BUCKET_POLICY, "json"],
  [token(native.s3.BucketPolicy), "policyDocument", BUCKET_POLICY, "object"],
  [token(native.s3outposts.BucketPolicy), "policyDocument", BUCKET_POLICY, "object"],
  [token(native.s3express.BucketPolicy), "policyDocument", BUCKET_POLICY, "object"],
  [token(native.s3tables.TableBucketPolicy), "resourcePolicy", BUCKET_POLICY, "object"],
  [token(native.s3tables.TablePolicy), "resourcePolicy", BUCKET_POLICY, "object"],
  [token(native.s3vectors.VectorBucketPolicy), "policy", BUCKET_POLICY, "object"],
  [token(native.s3files.FileSystemPolicy), "policy", BUCKET_POLICY, "object"],
  [token(aws.s3.AccessPoint), "policy", ACCESS_POINT, "json"],
  [token(aws.s3control.AccessPointPolicy), "policy", ACCESS_POINT, "json"],
  [token(aws.s3control.ObjectLambdaAccessPointPolicy), "policy", ACCESS_POINT, "json"],
  [token(native.s3.AccessPoint), "policy", ACCESS_POINT, "object"],
  [token(native.s3express.AccessPoint), "policy", ACCESS_POINT, "object"],
  [token(native.s3outposts.AccessPoint), "policy", ACCESS_POINT, "object"],
  [token(native.s3objectlambda.AccessPointPolicy), "policyDocument", ACCESS_POINT, "object"],
  [token(aws.s3control.MultiRegionAccessPointPolicy), "details.policy", MRAP, "json"],
  [token(native.s3.MultiRegionAccessPointPolicy), "policy", MRAP, "object"],
];

/** A resource of `type` whose document at `path` is `statement`'s policy, in the type's form. */
function withDocument(
  [type, dotted, , form]: DocumentCase,
  statement: Record<string, unknown> | typeof UNKNOWN,
): PolicyResource {
  const value =
    typeof statement === "string"
      ? statement
      : form === "json"
        ? JSON.stringify(doc(statement))
        : doc(statement);
  const path = dotted.split(".");
  const properties: Record<string, unknown> = {};
  let holder = properties;
  path.slice(0, -1).forEach((key) => {
    holder[key] = {};
    holder = holder[key] as Record<string, unknown>;
  });
  holder[path[path.length - 1]] = value;
  return { type, name: "subject", properties: properties as PolicyResource["properties"] };
}

/** [type token, path of its public access block, policy]: flags left out default to true. */
const BLOCKS: [string, string[], string][] = [
  [token(aws.s3.AccessPoint), ["publicAccessBlockConfiguration"], ACCESS_POINT],
  [token(native.s3.AccessPoint), ["publicAccessBlockConfiguration"], ACCESS_POINT],
  [token(native.s3express.AccessPoint), ["publicAccessBlockConfiguration"], ACCESS_POINT],
  [token(aws.s3control.MultiRegionAccessPoint), ["details", "publicAccessBlock"], MRAP],
  [token(native.s3.MultiRegionAccessPoint), ["publicAccessBlockConfiguration"], MRAP],
];

function withBlock(type: string, path: string[], block: Record<string, unknown>): PolicyResource {
  const properties: Record<string, unknown> =
    path.length === 2 ? { [path[0]]: { name: "m", [path[1]]: block } } : { [path[0]]: block };
  return { type, name: "subject", properties: properties as PolicyResource["properties"] };
}

const ALL_ON = {
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
};
const NATIVE_BUCKET = token(native.s3.Bucket);
const NATIVE_BUCKET_POLICY = token(native.s3.BucketPolicy);

/** An aws-native bucket with every guard rail inline, as a careful Cloud Control user writes it. */
function nativeGuarded(change: Record<string, unknown> = {}): PolicyResource {
  return {
    type: NATIVE_BUCKET,
    name: "native",
    properties: {
      bucketName: NAME,
      id: NAME,
      publicAccessBlockConfiguration: ALL_ON,
      ownershipControls: { rules: [{ objectOwnership: "BucketOwnerEnforced" }] },
      bucketEncryption: {
        serverSideEncryptionConfiguration: [
          { serverSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } },
        ],
      },
      ...change,
    } as PolicyResource["properties"],
  };
}

function without(resource: PolicyResource, key: string): PolicyResource {
  const properties = { ...resource.properties };
  delete properties[key];
  return { ...resource, properties };
}

const named = (vs: PolicyViolation[], policy: string) => vs.filter((v) => v.policyName === policy);

const ACCESS_POINT_POLICY = token(aws.s3control.AccessPointPolicy);

/**
 * One resource as the engine judges it: its inputs to `Analyze`, and, for a separate access point
 * policy (judged with its access point, which only the stack shows), the stack to `AnalyzeStack`.
 */
function judgeOne(host: PolicyPackHost, resource: PolicyResource): Promise<PolicyViolation[]> {
  return resource.type === ACCESS_POINT_POLICY
    ? analyzeAsEngine(host, [resource])
    : host.analyze(resource);
}

describe("issue 19 through the policy host", () => {
  let host: PolicyPackHost;

  beforeAll(async () => {
    host = await startPolicyPackHost(PACK_DIR);
    await host.configure({});
  }, 180_000);

  afterAll(async () => {
    await host?.stop();
  });

  describe("1. every resource type that can make S3 data public", () => {
    it.each(DOCUMENTS)(
      "%s: an open %s is a mandatory violation; a narrowed one passes",
      async (...entry) => {
        const [, , policy] = entry;
        const open = mandatory(await judgeOne(host, withDocument(entry, OPEN)));
        expect(open.map((v) => v.policyName)).toEqual([policy]);
        expect(ownMessage(open[0])).toContain('statement 0 (Sid "Read") allows Principal "*"');
        expect(summary(await judgeOne(host, withDocument(entry, NARROWED)))).toEqual([]);
      },
    );

    it("the aws-native twin of a bucket policy gets the same message as the aws one", async () => {
      const [awsCase, nativeCase] = [DOCUMENTS[0], DOCUMENTS[9]];
      const fromAws = await host.analyze(withDocument(awsCase, OPEN));
      const fromNative = await host.analyze(withDocument(nativeCase, OPEN));
      expect(fromNative.map(ownMessage)).toEqual(
        fromAws.map((v) => ownMessage(v).replace("`policy`", "`policyDocument`")),
      );
    });

    it.each(BLOCKS)(
      "%s: a block flag off is a mandatory violation; flags left out pass",
      async (type, path, policy) => {
        const off = await host.analyze(withBlock(type, path, { restrictPublicBuckets: false }));
        expect(mandatory(off).map((v) => [v.policyName, ownMessage(v)])).toEqual([
          [
            policy,
            expect.stringContaining(`\`${path.join(".")}\` turns restrictPublicBuckets off`),
          ],
        ]);
        expect(
          summary(await host.analyze(withBlock(type, path, { blockPublicAcls: true }))),
        ).toEqual([]);
      },
    );

    it("under remediate, an aws-native access point's false flag becomes true, as for aws", async () => {
      await host.configure({ [ACCESS_POINT]: "remediate" });
      try {
        const accessPoint = withBlock(
          token(native.s3.AccessPoint),
          ["publicAccessBlockConfiguration"],
          {
            blockPublicPolicy: false,
          },
        );
        const fixes = await host.remediate(accessPoint);
        expect(fixes.map((f) => [f.policyName, f.properties])).toEqual([
          [ACCESS_POINT, { publicAccessBlockConfiguration: ALL_ON }],
        ]);
      } finally {
        await host.configure({});
      }
    });

    describe("an aws-native s3.Bucket, judged by every bucket rule through its inline settings", () => {
      it("with every guard rail inline, it has no mandatory violation", async () => {
        expect(summary(mandatory(await analyzeAsEngine(host, [nativeGuarded()])))).toEqual([]);
      });

      it.each([
        [
          "accessControl PublicRead",
          nativeGuarded({ accessControl: "PublicRead" }),
          "s3-bucket-disallow-public-acl",
          '`accessControl` is "PublicRead", but a bucket ACL must be "Private".',
        ],
        [
          "accessControl LogDeliveryWrite (not public, not private)",
          nativeGuarded({ accessControl: "LogDeliveryWrite" }),
          "s3-bucket-disallow-public-acl",
          '`accessControl` is "LogDeliveryWrite", which is not public but not private either',
        ],
        [
          "publicAccessBlockConfiguration with a flag false",
          nativeGuarded({
            publicAccessBlockConfiguration: { ...ALL_ON, blockPublicPolicy: false },
          }),
          "s3-bucket-disallow-unblocked-public-access",
          "has publicAccessBlockConfiguration with blockPublicPolicy not true",
        ],
        [
          "publicAccessBlockConfiguration with a flag missing (false in CloudFormation)",
          nativeGuarded({
            publicAccessBlockConfiguration: {
              blockPublicAcls: true,
              blockPublicPolicy: true,
              ignorePublicAcls: true,
            },
          }),
          "s3-bucket-disallow-unblocked-public-access",
          "has publicAccessBlockConfiguration with restrictPublicBuckets not true",
        ],
        [
          "no publicAccessBlockConfiguration",
          without(nativeGuarded(), "publicAccessBlockConfiguration"),
          "s3-bucket-disallow-unblocked-public-access",
          "has no publicAccessBlockConfiguration",
        ],
        [
          "no ownershipControls",
          without(nativeGuarded(), "ownershipControls"),
          "s3-bucket-disallow-uncontrolled-ownership",
          "has no ownershipControls",
        ],
        [
          "ObjectWriter ownership without a private ACL",
          nativeGuarded({ ownershipControls: { rules: [{ objectOwnership: "ObjectWriter" }] } }),
          "s3-bucket-disallow-uncontrolled-ownership",
          'objectOwnership "ObjectWriter", which keeps ACLs in force, but no private ACL',
        ],
        [
          "no bucketEncryption",
          without(nativeGuarded(), "bucketEncryption"),
          "s3-bucket-disallow-unencrypted",
          "has no default encryption",
        ],
      ])("%s is a mandatory violation", async (_case, bucket, policy, message) => {
        const violations = named(mandatory(await analyzeAsEngine(host, [bucket])), policy);
        expect(violations.map(ownMessage)).toEqual([expect.stringContaining(message)]);
      });

      it("ObjectWriter ownership with accessControl Private passes, as with aws.s3.BucketAcl", async () => {
        const bucket = nativeGuarded({
          accessControl: "Private",
          ownershipControls: { rules: [{ objectOwnership: "ObjectWriter" }] },
        });
        expect(summary(mandatory(await analyzeAsEngine(host, [bucket])))).toEqual([]);
      });

      it("versioning, TLS-only, website and CORS are judged as advisory, and pass when set", async () => {
        const bare = nativeGuarded({
          websiteConfiguration: { indexDocument: "index.html" },
          corsConfiguration: { corsRules: [{ allowedOrigins: ["*"], allowedMethods: ["PUT"] }] },
        });
        const advisory = (await analyzeAsEngine(host, [bare])).filter(
          (v) => v.enforcementLevel === "advisory",
        );
        expect(advisory.map((v) => v.policyName).sort()).toEqual([
          "s3-bucket-cors-disallow-wildcard-write",
          "s3-bucket-disallow-insecure-transport",
          "s3-bucket-disallow-unversioned",
          "s3-bucket-disallow-website",
        ]);
        const careful: PolicyResource[] = [
          nativeGuarded({ versioningConfiguration: { status: "Enabled" } }),
          {
            type: NATIVE_BUCKET_POLICY,
            name: "native-policy",
            properties: {
              bucket: NAME,
              policyDocument: doc({
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [`arn:aws:s3:::${NAME}`, `arn:aws:s3:::${NAME}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
              }),
            },
          },
        ];
        expect(summary(await analyzeAsEngine(host, careful))).toEqual([]);
      });

      it("a Snapshot into a guarded aws-native bucket passes; into an unguarded one it does not", async () => {
        const snapshot: PolicyResource = {
          type: SNAPSHOT_TYPE,
          name: "snap",
          properties: { bucket: NAME, key: "k" },
        };
        expect(
          summary(mandatory(await analyzeAsEngine(host, [nativeGuarded(), snapshot]))),
        ).toEqual([]);
        const unguarded = without(nativeGuarded(), "bucketEncryption");
        const violations = named(
          mandatory(await analyzeAsEngine(host, [unguarded, snapshot])),
          "s3-snapshot-disallow-unguarded-bucket",
        );
        expect(violations).toHaveLength(1);
      });
    });
  });

  describe("2. principals and conditions as S3's policy status judges them", () => {
    const bucketPolicy = DOCUMENTS[0];
    const accessPointPolicy = DOCUMENTS[17];
    const delegation = {
      StringLike: { "s3:DataAccessPointArn": `arn:aws:s3:us-west-2:${ACCOUNT}:accesspoint/*` },
    };

    /** [class, public statement, non-public statement, where]. */
    const CLASSES: [string, Record<string, unknown>, Record<string, unknown>, DocumentCase][] = [
      [
        "a wildcard account ARN, alone or beside a fixed ARN",
        allow({ AWS: [`arn:aws:iam::${ACCOUNT}:root`, "arn:aws:iam::*:root"] }),
        allow({ AWS: `arn:aws:iam::${ACCOUNT}:root` }),
        bucketPolicy,
      ],
      [
        "a wildcard user ARN",
        allow({ AWS: "arn:aws:iam::*:user/x" }),
        allow({ AWS: `arn:aws:iam::${ACCOUNT}:user/x` }),
        bucketPolicy,
      ],
      [
        "aws:SourceIp covering the internet vs a fixed narrow range",
        allow("*", { IpAddress: { "aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"] } }),
        allow("*", { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }),
        bucketPolicy,
      ],
      [
        "aws:SourceIp ::/0 vs an IPv6 /48",
        allow("*", { IpAddress: { "aws:SourceIp": "::/0" } }),
        allow("*", { IpAddress: { "aws:SourceIp": "2001:db8:1234::/48" } }),
        bucketPolicy,
      ],
      [
        "aws:userid AROLEID:* vs a fixed user id",
        allow("*", { StringLike: { "aws:userid": "AROAEXAMPLE:*" } }),
        allow("*", { StringEquals: { "aws:userid": "AROAEXAMPLE:alice" } }),
        bucketPolicy,
      ],
      [
        "s3:DataAccessPointArn with a wildcard account vs a fixed account and any name (bucket policy)",
        allow(
          { AWS: "*" },
          {
            StringLike: { "s3:DataAccessPointArn": "arn:aws:s3:us-west-2:*:accesspoint/*" },
          },
        ),
        allow({ AWS: "*" }, delegation),
        bucketPolicy,
      ],
      [
        "s3:DataAccessPointArn with any name (access point policy) vs one fixed access point",
        allow({ AWS: "*" }, delegation),
        allow(
          { AWS: "*" },
          {
            ArnEquals: {
              "s3:DataAccessPointArn": `arn:aws:s3:us-west-2:${ACCOUNT}:accesspoint/reader`,
            },
          },
        ),
        accessPointPolicy,
      ],
      [
        "StringLike with * vs StringLike without",
        allow("*", { StringLike: { "aws:SourceVpc": "vpc-*" } }),
        allow("*", { StringLike: { "aws:SourceVpc": "vpc-0abc" } }),
        bucketPolicy,
      ],
      [
        "StringLike with ? vs StringEquals",
        allow("*", { StringLike: { "aws:SourceAccount": "12345678901?" } }),
        allow("*", { StringEquals: { "aws:SourceAccount": ACCOUNT } }),
        bucketPolicy,
      ],
      [
        "ForAllValues: vs ForAnyValue: on a multivalued key",
        allow("*", { "ForAllValues:StringEquals": { "aws:PrincipalOrgPaths": ["o-a/r-b/"] } }),
        allow("*", { "ForAnyValue:StringEquals": { "aws:PrincipalOrgPaths": ["o-a/r-b/"] } }),
        bucketPolicy,
      ],
      [
        "s3:prefix, aws:CurrentTime and an encryption key vs aws:SourceVpce",
        allow("*", {
          StringEquals: {
            "s3:prefix": "public/",
            "s3:x-amz-server-side-encryption-aws-kms-key-id": `arn:aws:kms:us-east-1:${ACCOUNT}:key/k`,
          },
          DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" },
        }),
        allow("*", { StringEquals: { "aws:SourceVpce": "vpce-0abc" } }),
        bucketPolicy,
      ],
    ];

    it.each(CLASSES)("%s", async (_class, publicStatement, privateStatement, where) => {
      const failing = mandatory(await judgeOne(host, withDocument(where, publicStatement)));
      expect(failing.map((v) => v.policyName)).toEqual([where[2]]);
      expect(summary(await judgeOne(host, withDocument(where, privateStatement)))).toEqual([]);
    });
  });

  describe("3. values unknown during a preview", () => {
    const note = (policy: string) =>
      expect.stringMatching(
        new RegExp(
          `^can't run policy '${policy}' from policy pack .* during preview: .*can't be known during preview$`,
        ),
      );

    it.each(DOCUMENTS)(
      "%s: an unknown %s gives one advisory note and no mandatory violation",
      async (...entry) => {
        const violations = await judgeOne(host, withDocument(entry, UNKNOWN));
        expect(violations.map((v) => [v.policyName, v.enforcementLevel, v.message])).toEqual([
          [entry[2], "advisory", note(entry[2])],
        ]);
      },
    );

    it("an aws-native policy object with one unknown statement still reports the open one it can see", async () => {
      const resource: PolicyResource = {
        type: NATIVE_BUCKET_POLICY,
        name: "subject",
        properties: {
          bucket: NAME,
          policyDocument: {
            Version: "2012-10-17",
            Statement: [
              { ...NARROWED, Condition: { StringEquals: { "aws:PrincipalOrgID": UNKNOWN } } },
              OPEN,
            ],
          } as HostValue,
        },
      };
      const violations = await host.analyze(resource);
      expect(violations.map((v) => [v.policyName, v.enforcementLevel])).toEqual([
        [BUCKET_POLICY, "mandatory"],
        [BUCKET_POLICY, "advisory"],
      ]);
      expect(ownMessage(violations[0])).toContain("statement 1");
      expect(violations[1].message).toEqual(note(BUCKET_POLICY));
    });

    it("an unknown statement alone is not guessed to be public", async () => {
      const resource: PolicyResource = {
        type: NATIVE_BUCKET_POLICY,
        name: "subject",
        properties: {
          bucket: NAME,
          policyDocument: {
            Statement: [{ ...OPEN, Condition: { StringEquals: { "aws:SourceVpce": UNKNOWN } } }],
          } as HostValue,
        },
      };
      expect(mandatory(await host.analyze(resource))).toEqual([]);
    });

    it.each([
      [
        "an aws Bucket's acl",
        { type: token(aws.s3.Bucket), name: "b", properties: { bucket: "b", acl: UNKNOWN } },
        "s3-bucket-disallow-public-acl",
      ],
      [
        "an aws-native Bucket's accessControl",
        nativeGuarded({ accessControl: UNKNOWN }),
        "s3-bucket-disallow-public-acl",
      ],
      [
        "an object acl",
        {
          type: token(aws.s3.BucketObjectv2),
          name: "o",
          properties: { bucket: "b", key: "k", acl: UNKNOWN },
        },
        "s3-object-disallow-public-acl",
      ],
    ] as [string, PolicyResource, string][])(
      "%s unknown gives one advisory note and no mandatory violation",
      async (_case, resource, policy) => {
        const violations = named(await host.analyze(resource), policy);
        expect(violations.map((v) => [v.enforcementLevel, v.message])).toEqual([
          ["advisory", note(policy)],
        ]);
      },
    );

    it("an access point whose flag is unknown still has its open policy reported, with one note", async () => {
      const resource: PolicyResource = {
        type: token(native.s3.AccessPoint),
        name: "ap",
        properties: {
          bucket: NAME,
          publicAccessBlockConfiguration: { blockPublicPolicy: UNKNOWN },
          policy: doc(OPEN),
        },
      };
      const violations = await host.analyze(resource);
      expect(violations.map((v) => [v.policyName, v.enforcementLevel])).toEqual([
        [ACCESS_POINT, "mandatory"],
        [ACCESS_POINT, "advisory"],
      ]);
    });

    it("an aws-native bucket whose block flag is unknown gets no mandatory block violation and one note", async () => {
      const bucket = nativeGuarded({
        publicAccessBlockConfiguration: { ...ALL_ON, blockPublicAcls: UNKNOWN },
      });
      const violations = named(
        await host.analyzeStack([bucket]),
        "s3-bucket-disallow-unblocked-public-access",
      );
      expect(violations.map((v) => [v.enforcementLevel, v.message])).toEqual([
        ["advisory", note("s3-bucket-disallow-unblocked-public-access")],
      ]);
    });
  });

  describe("4. what decides public besides the document (issue 27)", () => {
    const VPC_NOTE = "s3-access-point-disallow-open-vpc-policy";
    const AP_ARN = `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/reader`;
    const urnOf = (type: string, name: string) => `urn:pulumi:stack::project::${type}::${name}`;

    /** [type, document form]: every access point type that has a network origin. */
    const ORIGINS: [string, "json" | "object"][] = [
      [token(aws.s3.AccessPoint), "json"],
      [token(native.s3.AccessPoint), "object"],
      [token(native.s3express.AccessPoint), "object"],
      [token(native.s3outposts.AccessPoint), "object"],
    ];
    const accessPoint = (
      type: string,
      form: "json" | "object",
      change: Record<string, unknown>,
    ): PolicyResource => ({
      type,
      name: "ap",
      properties: {
        bucket: NAME,
        name: "reader",
        policy: form === "json" ? JSON.stringify(doc(OPEN)) : doc(OPEN),
        ...change,
      } as PolicyResource["properties"],
    });

    it.each(ORIGINS)(
      "%s: an open policy is mandatory with an Internet origin; with a VPC origin it passes, and the advisory note names the VPC",
      async (type, form) => {
        const internet = await analyzeAsEngine(host, [accessPoint(type, form, {})]);
        expect(mandatory(internet).map((v) => v.policyName)).toEqual([ACCESS_POINT]);
        expect(named(internet, VPC_NOTE)).toEqual([]);
        const vpc = await analyzeAsEngine(host, [
          accessPoint(type, form, { vpcConfiguration: { vpcId: "vpc-0abc" } }),
        ]);
        expect(summary(mandatory(vpc))).toEqual([]);
        expect(vpc.map((v) => [v.policyName, v.enforcementLevel, ownMessage(v)])).toEqual([
          [
            VPC_NOTE,
            "advisory",
            expect.stringContaining(
              'Access point "ap" can be reached only from VPC vpc-0abc (network origin VPC), so S3 counts it as non-public',
            ),
          ],
        ]);
      },
    );

    describe("a separate AccessPointPolicy, matched to its access point in the stack", () => {
      const policyOn = (change: Record<string, unknown> = {}, deps?: string[]): PolicyResource => ({
        type: ACCESS_POINT_POLICY,
        name: "ap-policy",
        properties: {
          accessPointArn: AP_ARN,
          policy: JSON.stringify(doc(OPEN)),
          ...change,
        } as PolicyResource["properties"],
        ...(deps ? { propertyDependencies: { accessPointArn: deps } } : {}),
      });
      const ap = (change: Record<string, unknown>): PolicyResource => ({
        type: token(aws.s3.AccessPoint),
        name: "ap",
        properties: {
          bucket: NAME,
          name: "reader",
          arn: AP_ARN,
          ...change,
        } as PolicyResource["properties"],
      });

      it("on an access point the internet can reach it is mandatory, on the policy resource", async () => {
        const violations = await analyzeAsEngine(host, [
          ap({ networkOrigin: "Internet" }),
          policyOn(),
        ]);
        expect(mandatory(violations).map((v) => [v.policyName, v.urn])).toEqual([
          [ACCESS_POINT, urnOf(ACCESS_POINT_POLICY, "ap-policy")],
        ]);
      });

      it("on an access point only a VPC can reach, found by its ARN, it passes with the advisory note", async () => {
        const violations = await analyzeAsEngine(host, [
          ap({ vpcConfiguration: { vpcId: "vpc-0abc" }, networkOrigin: "VPC" }),
          policyOn(),
        ]);
        expect(summary(mandatory(violations))).toEqual([]);
        expect(violations.map((v) => [v.policyName, v.urn])).toEqual([
          [VPC_NOTE, urnOf(ACCESS_POINT_POLICY, "ap-policy")],
        ]);
      });

      it("during a preview it is found through the engine's dependency record, and the VPC named by its resource", async () => {
        const vpc: PolicyResource = {
          type: "aws:ec2/vpc:Vpc",
          name: "main",
          properties: { cidrBlock: "10.0.0.0/16" },
        };
        const accessPoint: PolicyResource = {
          ...ap({ arn: UNKNOWN, vpcConfiguration: { vpcId: UNKNOWN } }),
          propertyDependencies: { vpcConfiguration: [urnOf("aws:ec2/vpc:Vpc", "main")] },
        };
        const policy = policyOn({ accessPointArn: UNKNOWN }, [
          urnOf(token(aws.s3.AccessPoint), "ap"),
        ]);
        const violations = await analyzeAsEngine(host, [vpc, accessPoint, policy]);
        expect(violations.map((v) => [v.policyName, v.enforcementLevel, ownMessage(v)])).toEqual([
          [
            VPC_NOTE,
            "advisory",
            expect.stringContaining(
              'Access point "ap" (policy "ap-policy") can be reached only from the VPC of aws:ec2/vpc:Vpc "main"',
            ),
          ],
        ]);
      });
    });

    describe("an account-level block through another provider", () => {
      const provider = (name: string) => ({
        type: "pulumi:providers:aws",
        name,
        urn: urnOf("pulumi:providers:aws", name),
      });
      const stack = (blockProvider: string): PolicyResource[] => [
        {
          type: token(aws.s3.Bucket),
          name: "data",
          properties: { bucket: NAME, id: NAME },
          provider: provider("main"),
        },
        {
          type: token(aws.s3.AccountPublicAccessBlock),
          name: "account-block",
          properties: ALL_ON,
          provider: provider(blockProvider),
        },
      ];
      const BLOCK_POLICY = "s3-bucket-disallow-unblocked-public-access";

      it("is not counted, and the message says why instead of only 'no public access block'", async () => {
        const violations = named(await host.analyzeStack(stack("other")), BLOCK_POLICY);
        expect(violations.map((v) => [v.enforcementLevel, ownMessage(v)])).toEqual([
          [
            "mandatory",
            expect.stringContaining(
              'Account public access block "account-block" is not counted: it comes through provider "other" and the bucket through provider "main", which may be another account',
            ),
          ],
        ]);
      });

      it("through the bucket's own provider it closes the bucket", async () => {
        expect(named(await host.analyzeStack(stack("main")), BLOCK_POLICY)).toEqual([]);
      });
    });

    it("a public bucket policy and a public ACL stay mandatory beside every block and BucketOwnerEnforced", async () => {
      const resources: PolicyResource[] = [
        { type: token(aws.s3.Bucket), name: "data", properties: { bucket: NAME, id: NAME } },
        {
          type: token(aws.s3.BucketPublicAccessBlock),
          name: "data-pab",
          properties: { bucket: NAME, ...ALL_ON },
        },
        {
          type: token(aws.s3.AccountPublicAccessBlock),
          name: "account-pab",
          properties: ALL_ON,
        },
        {
          type: token(aws.s3.BucketOwnershipControls),
          name: "data-own",
          properties: { bucket: NAME, rule: { objectOwnership: "BucketOwnerEnforced" } },
        },
        {
          type: token(aws.s3.BucketServerSideEncryptionConfiguration),
          name: "data-sse",
          properties: {
            bucket: NAME,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
          },
        },
        {
          type: token(aws.s3.BucketPolicy),
          name: "data-policy",
          properties: { bucket: NAME, policy: JSON.stringify(doc(OPEN)) },
        },
        {
          type: token(aws.s3.BucketAclV2),
          name: "data-acl",
          properties: { bucket: NAME, acl: "public-read" },
        },
      ];
      const violations = mandatory(await analyzeAsEngine(host, resources));
      expect(violations.map((v) => v.policyName).sort()).toEqual([
        "s3-bucket-disallow-public-acl",
        BUCKET_POLICY,
      ]);
    });

    describe("the two principals the authorities disagree on", () => {
      const bucketPolicy = DOCUMENTS[0];
      const SAML = `arn:aws:iam::${ACCOUNT}:saml-provider/corp-idp`;

      it("the schema documents samlProvidersArePublic with its default, false", async () => {
        const info = await host.getAnalyzerInfo();
        for (const name of [BUCKET_POLICY, ACCESS_POINT, MRAP, VPC_NOTE]) {
          const schema = info.policies.find((p) => p.name === name)?.configSchema;
          expect(schema?.properties["samlProvidersArePublic"]).toEqual(
            expect.objectContaining({ type: "boolean", default: false }),
          );
        }
      });

      it("a Federated SAML provider passes by default and is mandatory when samlProvidersArePublic is true", async () => {
        const resource = withDocument(bucketPolicy, allow({ Federated: SAML }));
        expect(summary(await host.analyze(resource))).toEqual([]);
        await host.configure({ [BUCKET_POLICY]: { samlProvidersArePublic: true } });
        try {
          const violations = mandatory(await host.analyze(resource));
          expect(violations.map((v) => v.policyName)).toEqual([BUCKET_POLICY]);
        } finally {
          await host.configure({});
        }
      });

      it("a wildcard role name in a fixed account is mandatory, with the form AWS accepts; that form passes", async () => {
        const role = `arn:aws:iam::${ACCOUNT}:role/*`;
        const failing = mandatory(
          await host.analyze(withDocument(bucketPolicy, allow({ AWS: role }))),
        );
        expect(failing.map(ownMessage)).toEqual([
          expect.stringContaining(
            `a wildcard inside a principal ARN: S3 counts it as public, and IAM refuses it`,
          ),
        ]);
        const accepted = allow(
          { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          { ArnLike: { "aws:PrincipalArn": role } },
        );
        expect(summary(await host.analyze(withDocument(bucketPolicy, accepted)))).toEqual([]);
      });
    });
  });
});
