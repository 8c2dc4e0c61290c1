/**
 * The pack as the Pulumi CLI runs it: `run-policy-pack` on policy/ over gRPC.
 *
 * 1. Every stack file's mocked program run passes with zero mandatory violations, under its own
 *    pack config (prod raises the advisory policies to mandatory).
 * 2. Every case the issue lists, alone in a small resource set, is reported as a mandatory
 *    violation by the policy that owns it; every private setup AWS does not count as public passes.
 * 3. Under `remediate`, the host's `Remediate` call returns the fixed inputs, which then pass;
 *    under `mandatory` it changes nothing.
 */
import { join } from "node:path";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import {
  analyzeAsEngine,
  mandatory,
  PolicyConfigEntry,
  PolicyPackHost,
  PolicyResource,
  secret,
  startPolicyPackHost,
  summary,
  UNKNOWN,
} from "../helpers/policyHost";
import { RecordedResource, runProgram, StackName, STACKS } from "../helpers/programRun";
import {
  advisoryInProd,
  advisoryPolicies,
  mandatoryPolicies,
  SNAPSHOT_TYPE,
} from "../../policy/s3";

const PACK_DIR = join(__dirname, "..", "..", "policy");
const STACK_CONFIG: Record<StackName, string> = {
  dev: join(PACK_DIR, "config", "dev.json"),
  prod: join(PACK_DIR, "config", "prod.json"),
  local: join(PACK_DIR, "config", "local.json"),
};

const loadConfig = (stack: StackName) =>
  require(STACK_CONFIG[stack]) as Record<string, "mandatory" | "advisory">;

// Type tokens as in node_modules/@pulumi/aws/s3/*.js (`__pulumiType`, not public in the typings).
const T = {
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  bucketAcl: "aws:s3/bucketAcl:BucketAcl",
  bucketAclV2: "aws:s3/bucketAclV2:BucketAclV2",
  object: "aws:s3/bucketObject:BucketObject",
  objectV2: "aws:s3/bucketObjectv2:BucketObjectv2",
  block: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  website: "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
  cors: "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
  objectCopy: "aws:s3/objectCopy:ObjectCopy",
  accountBlock: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
  accessPoint: "aws:s3/accessPoint:AccessPoint",
  accessPointPolicy: "aws:s3control/accessPointPolicy:AccessPointPolicy",
  mrap: "aws:s3control/multiRegionAccessPoint:MultiRegionAccessPoint",
  mrapPolicy: "aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy",
};

const NAME = "guarded-bucket";
const ARN = `arn:aws:s3:::${NAME}`;

/** A bucket with every guard rail, by id (as PrivateBucket wires them). */
function guarded(): PolicyResource[] {
  return [
    { type: T.bucket, name: "data", properties: { bucket: NAME, id: NAME } },
    {
      type: T.block,
      name: "data-pab",
      properties: {
        bucket: NAME,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
    },
    {
      type: T.ownership,
      name: "data-own",
      properties: { bucket: NAME, rule: { objectOwnership: "BucketOwnerEnforced" } },
    },
    {
      type: T.sse,
      name: "data-sse",
      properties: {
        bucket: NAME,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      },
    },
  ];
}

function without(resources: PolicyResource[], name: string): PolicyResource[] {
  return resources.filter((r) => r.name !== name);
}

/** The guarded bucket with `change` merged into resource `name`'s properties, moved to the end. */
function withChange(name: string, change: PolicyResource["properties"]): PolicyResource[] {
  const resource = guarded().find((r) => r.name === name);
  if (!resource) {
    throw new Error(`The guarded fixture has no resource "${name}".`);
  }
  return [
    ...without(guarded(), name),
    { ...resource, properties: { ...resource.properties, ...change } },
  ];
}

function publicPolicy(statement: Record<string, unknown>): PolicyResource {
  return {
    type: T.policy,
    name: "data-policy",
    properties: {
      bucket: NAME,
      policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }),
    },
  };
}

const allow = (principal: unknown) => ({
  Effect: "Allow",
  Principal: principal,
  Action: "s3:GetObject",
  Resource: `${ARN}/*`,
});
const AP_ARN = "arn:aws:s3:us-east-1:123456789012:accesspoint/reader";
const ALL_FLAGS_ON = {
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
};
const policyJson = (statement: Record<string, unknown>) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
const owner = { id: "owner-id" };

/** A server-access-log bucket kept the legacy way: ACLs on, the log delivery group's canned ACL. */
function logBucket(): PolicyResource[] {
  return [
    { type: T.bucket, name: "logs", properties: { bucket: "logs", id: "logs" } },
    { type: T.block, name: "logs-pab", properties: { ...ALL_FLAGS_ON, bucket: "logs" } },
    {
      type: T.ownership,
      name: "logs-own",
      properties: { bucket: "logs", rule: { objectOwnership: "ObjectWriter" } },
    },
    {
      type: T.sse,
      name: "logs-sse",
      properties: {
        bucket: "logs",
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      },
    },
    {
      type: T.bucketAcl,
      name: "logs-acl",
      properties: { bucket: "logs", acl: "log-delivery-write" },
    },
  ];
}

/** [case, resources, policy that must report it]; each case alone, on an otherwise guarded bucket. */
const ADVERSARIAL: [string, PolicyResource[], string][] = [
  [
    "Bucket legacy inline acl public-read",
    [
      { type: T.bucket, name: "data", properties: { bucket: NAME, id: NAME, acl: "public-read" } },
      ...without(guarded(), "data"),
    ],
    "s3-bucket-disallow-public-acl",
  ],
  [
    "BucketV2 legacy inline acl public-read-write",
    [
      {
        type: T.bucketV2,
        name: "data",
        properties: { bucket: NAME, id: NAME, acl: "public-read-write" },
      },
      ...without(guarded(), "data"),
    ],
    "s3-bucket-disallow-public-acl",
  ],
  [
    "BucketAcl acl public-read",
    [
      ...guarded(),
      { type: T.bucketAcl, name: "acl", properties: { bucket: NAME, acl: "public-read" } },
    ],
    "s3-bucket-disallow-public-acl",
  ],
  [
    "BucketAclV2 acl authenticated-read",
    [
      ...guarded(),
      { type: T.bucketAclV2, name: "acl", properties: { bucket: NAME, acl: "authenticated-read" } },
    ],
    "s3-bucket-disallow-public-acl",
  ],
  [
    "BucketAcl grant READ to AllUsers",
    [
      ...guarded(),
      {
        type: T.bucketAcl,
        name: "acl",
        properties: {
          bucket: NAME,
          accessControlPolicy: {
            owner,
            grants: [{ grantee: { type: "Group", uri: ALL_USERS }, permission: "READ" }],
          },
        },
      },
    ],
    "s3-bucket-disallow-public-acl",
  ],
  [
    "BucketAclV2 grant WRITE_ACP to AuthenticatedUsers",
    [
      ...guarded(),
      {
        type: T.bucketAclV2,
        name: "acl",
        properties: {
          bucket: NAME,
          accessControlPolicy: {
            owner,
            grants: [{ grantee: { type: "Group", uri: AUTH_USERS }, permission: "WRITE_ACP" }],
          },
        },
      },
    ],
    "s3-bucket-disallow-public-acl",
  ],
  [
    "BucketObject acl public-read",
    [
      ...guarded(),
      { type: T.object, name: "obj", properties: { bucket: NAME, key: "k", acl: "public-read" } },
    ],
    "s3-object-disallow-public-acl",
  ],
  [
    "BucketObjectv2 acl public-read-write",
    [
      ...guarded(),
      {
        type: T.objectV2,
        name: "obj",
        properties: { bucket: NAME, key: "k", acl: "public-read-write" },
      },
    ],
    "s3-object-disallow-public-acl",
  ],
  [
    "Snapshot acl public-read",
    [
      ...guarded(),
      {
        type: SNAPSHOT_TYPE,
        name: "snap",
        properties: { bucket: NAME, key: "k", acl: "public-read" },
      },
    ],
    "s3-object-disallow-public-acl",
  ],
  [
    "bucket without public access block",
    without(guarded(), "data-pab"),
    "s3-bucket-disallow-unblocked-public-access",
  ],
  [
    "public access block with restrictPublicBuckets false",
    withChange("data-pab", { restrictPublicBuckets: false }),
    "s3-bucket-disallow-unblocked-public-access",
  ],
  [
    "bucket without ownership controls",
    without(guarded(), "data-own"),
    "s3-bucket-disallow-uncontrolled-ownership",
  ],
  [
    "ObjectWriter ownership without a private ACL",
    withChange("data-own", { rule: { objectOwnership: "ObjectWriter" } }),
    "s3-bucket-disallow-uncontrolled-ownership",
  ],
  [
    'bucket policy Allow Principal "*"',
    [...guarded(), publicPolicy(allow("*"))],
    "s3-bucket-policy-disallow-public-principal",
  ],
  [
    'bucket policy Allow {"AWS": "*"}',
    [...guarded(), publicPolicy(allow({ AWS: "*" }))],
    "s3-bucket-policy-disallow-public-principal",
  ],
  [
    'bucket policy Allow {"AWS": ["*"]}',
    [...guarded(), publicPolicy(allow({ AWS: ["arn:aws:iam::123456789012:root", "*"] }))],
    "s3-bucket-policy-disallow-public-principal",
  ],
  [
    "bucket without default encryption",
    without(guarded(), "data-sse"),
    "s3-bucket-disallow-unencrypted",
  ],
  [
    "ObjectCopy acl public-read",
    [
      ...guarded(),
      {
        type: T.objectCopy,
        name: "copy",
        properties: { bucket: NAME, key: "k2", source: `${NAME}/k`, acl: "public-read" },
      },
    ],
    "s3-object-disallow-public-acl",
  ],
  [
    "ObjectCopy grant READ to AllUsers (the @pulumi/aws example)",
    [
      ...guarded(),
      {
        type: T.objectCopy,
        name: "copy",
        properties: {
          bucket: NAME,
          key: "k2",
          source: `${NAME}/k`,
          grants: [{ type: "Group", uri: ALL_USERS, permissions: ["READ"] }],
        },
      },
    ],
    "s3-object-disallow-public-acl",
  ],
  [
    'bucket policy Allow {"Federated": "cognito-identity.amazonaws.com"}',
    [...guarded(), publicPolicy(allow({ Federated: "cognito-identity.amazonaws.com" }))],
    "s3-bucket-policy-disallow-public-principal",
  ],
  [
    "account block with a flag off instead of a bucket block",
    [
      ...without(guarded(), "data-pab"),
      {
        type: T.accountBlock,
        name: "account-pab",
        properties: { ...ALL_FLAGS_ON, restrictPublicBuckets: false },
      },
    ],
    "s3-bucket-disallow-unblocked-public-access",
  ],
  [
    "AccessPoint with blockPublicPolicy false",
    [
      ...guarded(),
      {
        type: T.accessPoint,
        name: "ap",
        properties: {
          bucket: NAME,
          name: "reader",
          publicAccessBlockConfiguration: { blockPublicPolicy: false },
        },
      },
    ],
    "s3-access-point-disallow-public-access",
  ],
  [
    'AccessPoint policy Allow "*"',
    [
      ...guarded(),
      {
        type: T.accessPoint,
        name: "ap",
        properties: { bucket: NAME, name: "reader", policy: policyJson(allow("*")) },
      },
    ],
    "s3-access-point-disallow-public-access",
  ],
  [
    'AccessPointPolicy Allow {"AWS": "*"}',
    [
      ...guarded(),
      {
        type: T.accessPointPolicy,
        name: "ap-policy",
        properties: { accessPointArn: AP_ARN, policy: policyJson(allow({ AWS: "*" })) },
      },
    ],
    "s3-access-point-disallow-public-access",
  ],
  [
    'AccessPointPolicy Allow "*" on an access point of the stack the internet can reach',
    [
      ...guarded(),
      {
        type: T.accessPoint,
        name: "ap",
        properties: { bucket: NAME, name: "reader", arn: AP_ARN, networkOrigin: "Internet" },
      },
      {
        type: T.accessPointPolicy,
        name: "ap-policy",
        properties: { accessPointArn: AP_ARN, policy: policyJson(allow("*")) },
      },
    ],
    "s3-access-point-disallow-public-access",
  ],
  [
    "MultiRegionAccessPoint with ignorePublicAcls false",
    [
      ...guarded(),
      {
        type: T.mrap,
        name: "mrap",
        properties: {
          details: {
            name: "markets",
            regions: [{ bucket: NAME }],
            publicAccessBlock: { ...ALL_FLAGS_ON, ignorePublicAcls: false },
          },
        },
      },
    ],
    "s3-multi-region-access-point-disallow-public-access",
  ],
  [
    'MultiRegionAccessPointPolicy Allow "*"',
    [
      ...guarded(),
      {
        type: T.mrapPolicy,
        name: "mrap-policy",
        properties: { details: { name: "markets", policy: policyJson(allow("*")) } },
      },
    ],
    "s3-multi-region-access-point-disallow-public-access",
  ],
  [
    "log bucket with log-delivery-write, not allowed by default",
    [...guarded(), ...logBucket()],
    "s3-bucket-disallow-public-acl",
  ],
  [
    "Snapshot into a bucket outside the stack",
    [
      ...guarded(),
      {
        type: SNAPSHOT_TYPE,
        name: "snap",
        properties: { bucket: "someone-elses-bucket", key: "k" },
      },
    ],
    "s3-snapshot-disallow-unguarded-bucket",
  ],
];

/** Private setups AWS does not count as public: no violation of any level from the pack. */
const PRIVATE: [string, PolicyResource[], Record<string, PolicyConfigEntry>][] = [
  [
    'bucket policy Allow "*" narrowed to the organisation (aws:PrincipalOrgID)',
    [
      ...guarded(),
      publicPolicy({
        ...allow("*"),
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
      }),
    ],
    {},
  ],
  [
    'bucket policy Allow "*" narrowed to a role (aws:PrincipalArn)',
    [
      ...guarded(),
      publicPolicy({
        ...allow("*"),
        Condition: { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/reader" } },
      }),
    ],
    {},
  ],
  [
    "bucket policy delegating access control to the account's access points",
    [
      ...guarded(),
      publicPolicy({
        ...allow({ AWS: "*" }),
        Action: "*",
        Resource: [ARN, `${ARN}/*`],
        Condition: { StringEquals: { "s3:DataAccessPointAccount": "123456789012" } },
      }),
      {
        type: T.accessPoint,
        name: "ap",
        properties: {
          bucket: NAME,
          name: "reader",
          policy: policyJson({
            ...allow({ AWS: "arn:aws:iam::123456789012:role/reader" }),
            Resource: `${AP_ARN}/object/*`,
          }),
        },
      },
    ],
    {},
  ],
  [
    'an access point only a VPC can reach, with its own policy allowing "*" (S3: never public)',
    [
      ...guarded(),
      {
        type: T.accessPoint,
        name: "ap",
        properties: {
          bucket: NAME,
          name: "reader",
          vpcConfiguration: { vpcId: "vpc-0abc" },
          policy: policyJson(allow("*")),
        },
      },
    ],
    {},
  ],
  [
    'an AccessPointPolicy allowing "*" on an access point of the stack only a VPC can reach',
    [
      ...guarded(),
      {
        type: T.accessPoint,
        name: "ap",
        properties: {
          bucket: NAME,
          name: "reader",
          arn: AP_ARN,
          vpcConfiguration: { vpcId: "vpc-0abc" },
          networkOrigin: "VPC",
        },
      },
      {
        type: T.accessPointPolicy,
        name: "ap-policy",
        properties: { accessPointArn: AP_ARN, policy: policyJson(allow("*")) },
      },
    ],
    {},
  ],
  [
    "bucket without its own block in a stack whose account block has all four flags on",
    [
      ...without(guarded(), "data-pab"),
      { type: T.accountBlock, name: "account-pab", properties: ALL_FLAGS_ON },
    ],
    {},
  ],
  [
    "a log bucket with ObjectWriter and log-delivery-write, allowed by the organisation's allowedCannedAcls",
    [...guarded(), ...logBucket()],
    {
      "s3-bucket-disallow-public-acl": { allowedCannedAcls: ["log-delivery-write"] },
      "s3-bucket-disallow-uncontrolled-ownership": { allowedCannedAcls: ["log-delivery-write"] },
    },
  ],
];

/** Advisory cases: advisory by default; `advisoryInProd` ones stay advisory under prod.json. */
const ADVISORY: [string, PolicyResource[], string][] = [
  ["bucket without versioning", guarded(), "s3-bucket-disallow-unversioned"],
  ["bucket without a TLS-only deny", guarded(), "s3-bucket-disallow-insecure-transport"],
  [
    "website configuration",
    [
      ...guarded(),
      {
        type: T.website,
        name: "site",
        properties: { bucket: NAME, indexDocument: { suffix: "index.html" } },
      },
    ],
    "s3-bucket-disallow-website",
  ],
  [
    "CORS rule with * origin and PUT",
    [
      ...guarded(),
      {
        type: T.cors,
        name: "cors",
        properties: {
          bucket: NAME,
          corsRules: [{ allowedOrigins: ["*"], allowedMethods: ["PUT"] }],
        },
      },
    ],
    "s3-bucket-cors-disallow-wildcard-write",
  ],
  [
    "an open policy on an access point only a VPC can reach",
    [
      ...guarded(),
      {
        type: T.accessPoint,
        name: "ap",
        properties: {
          bucket: NAME,
          name: "reader",
          vpcConfiguration: { vpcId: "vpc-0abc" },
          policy: policyJson(allow("*")),
        },
      },
    ],
    "s3-access-point-disallow-open-vpc-policy",
  ],
];

/** How the engine would show a recorded resource to an analyzer: its inputs plus its id. */
function fromRecorded(r: RecordedResource): PolicyResource {
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    parent: r.parent,
    properties: { ...(r.inputs as PolicyResource["properties"]), id: r.id },
  };
}

describe("api-s3-load-guard through the policy host", () => {
  let host: PolicyPackHost;

  beforeAll(async () => {
    host = await startPolicyPackHost(PACK_DIR);
  }, 180_000);

  afterAll(async () => {
    await host?.stop();
  });

  it("serves the pack with each policy's documented default level", async () => {
    const info = await host.getAnalyzerInfo();
    expect(info.name).toBe("api-s3-load-guard");
    const levels = Object.fromEntries(info.policies.map((p) => [p.name, p.enforcementLevel]));
    expect(levels).toEqual({
      ...Object.fromEntries(mandatoryPolicies.map((p) => [p.name, "mandatory"])),
      ...Object.fromEntries(advisoryPolicies.map((p) => [p.name, "advisory"])),
    });
    expect(Object.keys(levels)).toHaveLength(14);
  });

  it("prod's pack config makes every policy mandatory except the three that make nothing public by themselves", () => {
    const prod = loadConfig("prod");
    const keptAdvisory = advisoryInProd.map((p) => p.name);
    expect(keptAdvisory.sort()).toEqual([
      "s3-access-point-disallow-open-vpc-policy",
      "s3-bucket-cors-disallow-wildcard-write",
      "s3-bucket-disallow-website",
    ]);
    const raised = advisoryPolicies
      .map((p) => p.name)
      .filter((n) => !keptAdvisory.includes(n))
      .sort();
    expect(Object.keys(prod).sort()).toEqual(raised);
    expect(new Set(Object.values(prod))).toEqual(new Set(["mandatory"]));
  });

  describe.each(STACKS)("the %s stack's mocked program", (stack) => {
    it("passes with zero mandatory violations under its pack config", async () => {
      const run = await runProgram(stack);
      const resources = run.resources.map(fromRecorded);
      // The run must contain what the pack guards, or "zero violations" would prove nothing.
      expect(resources.filter((r) => r.type === T.bucket)).toHaveLength(1);
      expect(resources.filter((r) => r.type === SNAPSHOT_TYPE).length).toBeGreaterThan(0);
      await host.configure(loadConfig(stack));
      const violations = await analyzeAsEngine(host, resources);
      expect(summary(mandatory(violations))).toEqual([]);
      if (stack === "prod") {
        expect(summary(violations)).toEqual([]);
      }
    }, 120_000);
  });

  describe("adversarial cases, each alone, under the default config", () => {
    beforeAll(async () => {
      await host.configure({});
    });

    it("the guarded baseline itself has no mandatory violations", async () => {
      expect(summary(mandatory(await analyzeAsEngine(host, guarded())))).toEqual([]);
    });

    it.each(ADVERSARIAL)("%s is a mandatory violation", async (_case, resources, policyName) => {
      const violations = await analyzeAsEngine(host, resources);
      expect(mandatory(violations).map((v) => v.policyName)).toContain(policyName);
    });

    it.each(PRIVATE)("%s is not blocked", async (_case, resources, config) => {
      await host.configure(config);
      try {
        expect(summary(mandatory(await analyzeAsEngine(host, resources)))).toEqual([]);
      } finally {
        await host.configure({});
      }
    });

    it.each(ADVISORY)("%s is advisory by default", async (_case, resources, policyName) => {
      const violations = (await analyzeAsEngine(host, resources)).filter(
        (v) => v.policyName === policyName,
      );
      expect(violations.length).toBeGreaterThan(0);
      expect(new Set(violations.map((v) => v.enforcementLevel))).toEqual(new Set(["advisory"]));
    });
  });

  describe("adversarial advisory cases under prod's config", () => {
    beforeAll(async () => {
      await host.configure(loadConfig("prod"));
    });

    it.each(ADVISORY)(
      "%s is mandatory unless it grants nothing by itself",
      async (_case, resources, policyName) => {
        const violations = (await analyzeAsEngine(host, resources)).filter(
          (v) => v.policyName === policyName,
        );
        expect(violations.length).toBeGreaterThan(0);
        const expected = advisoryInProd.some((p) => p.name === policyName)
          ? "advisory"
          : "mandatory";
        expect(new Set(violations.map((v) => v.enforcementLevel))).toEqual(new Set([expected]));
      },
    );
  });

  describe("remediation through the host's Remediate call", () => {
    const REMEDIATING = [
      "s3-bucket-disallow-public-acl",
      "s3-object-disallow-public-acl",
      "s3-bucket-disallow-unblocked-public-access",
      "s3-bucket-disallow-uncontrolled-ownership",
      "s3-access-point-disallow-public-access",
      "s3-multi-region-access-point-disallow-public-access",
    ];
    const remediateAll = Object.fromEntries(REMEDIATING.map((n) => [n, "remediate" as const]));

    /** [case, resource, policy that fixes it, the fixed inputs]. */
    const FIXES: [string, PolicyResource, string, Record<string, unknown>][] = [
      [
        "a bucket's inline acl public-read becomes private",
        { type: T.bucket, name: "data", properties: { bucket: NAME, acl: "public-read" } },
        "s3-bucket-disallow-public-acl",
        { bucket: NAME, acl: "private" },
      ],
      [
        "a BucketAclV2 acl public-read-write becomes private",
        {
          type: T.bucketAclV2,
          name: "acl",
          properties: { bucket: NAME, acl: "public-read-write" },
        },
        "s3-bucket-disallow-public-acl",
        { bucket: NAME, acl: "private" },
      ],
      [
        "a BucketObjectv2 acl authenticated-read becomes private",
        {
          type: T.objectV2,
          name: "obj",
          properties: { bucket: NAME, key: "k", acl: "authenticated-read", tags: { a: "b" } },
        },
        "s3-object-disallow-public-acl",
        { bucket: NAME, key: "k", acl: "private", tags: { a: "b" } },
      ],
      [
        "an ObjectCopy acl public-read becomes private",
        {
          type: T.objectCopy,
          name: "copy",
          properties: { bucket: NAME, key: "k2", source: `${NAME}/k`, acl: "public-read" },
        },
        "s3-object-disallow-public-acl",
        { bucket: NAME, key: "k2", source: `${NAME}/k`, acl: "private" },
      ],
      [
        "a bucket public access block's false and omitted flags become true",
        {
          type: T.block,
          name: "data-pab",
          // ignorePublicAcls omitted: on a bucket block that means false.
          properties: {
            bucket: NAME,
            blockPublicAcls: true,
            blockPublicPolicy: false,
            restrictPublicBuckets: false,
          },
        },
        "s3-bucket-disallow-unblocked-public-access",
        { ...ALL_FLAGS_ON, bucket: NAME },
      ],
      [
        "ObjectWriter ownership becomes BucketOwnerEnforced",
        {
          type: T.ownership,
          name: "data-own",
          properties: { bucket: NAME, rule: { objectOwnership: "ObjectWriter" } },
        },
        "s3-bucket-disallow-uncontrolled-ownership",
        { bucket: NAME, rule: { objectOwnership: "BucketOwnerEnforced" } },
      ],
      [
        "an access point block with a false flag gets every flag true",
        {
          type: T.accessPoint,
          name: "ap",
          properties: {
            bucket: NAME,
            name: "reader",
            publicAccessBlockConfiguration: { restrictPublicBuckets: false },
          },
        },
        "s3-access-point-disallow-public-access",
        { bucket: NAME, name: "reader", publicAccessBlockConfiguration: ALL_FLAGS_ON },
      ],
      [
        "a multi-region access point's false flag becomes true",
        {
          type: T.mrap,
          name: "mrap",
          properties: {
            details: {
              name: "markets",
              regions: [{ bucket: NAME }],
              publicAccessBlock: { ...ALL_FLAGS_ON, blockPublicAcls: false },
            },
          },
        },
        "s3-multi-region-access-point-disallow-public-access",
        {
          details: {
            name: "markets",
            regions: [{ bucket: NAME }],
            publicAccessBlock: ALL_FLAGS_ON,
          },
        },
      ],
    ];

    afterAll(async () => {
      await host.configure({});
    });

    it.each(FIXES)(
      "under remediate, %s and then passes",
      async (_case, resource, policyName, fixed) => {
        await host.configure(remediateAll);
        const remediations = await host.remediate(resource);
        expect(remediations.map((r) => [r.policyName, r.properties])).toEqual([
          [policyName, fixed],
        ]);
        const after = await host.analyze({
          ...resource,
          properties: fixed as PolicyResource["properties"],
        });
        expect(summary(after)).toEqual([]);
      },
    );

    it.each(FIXES)("under mandatory, %s is not applied", async (_case, resource, policyName) => {
      await host.configure({});
      expect(await host.remediate(resource)).toEqual([]);
      const violations = [
        ...(await host.analyze(resource)),
        ...(await host.analyzeStack([...without(guarded(), resource.name), resource])),
      ];
      expect(mandatory(violations).map((v) => v.policyName)).toContain(policyName);
    });

    it("leaves ambiguous cases alone: a non-public ACL, a public grant, a missing block", async () => {
      await host.configure(remediateAll);
      const untouched: PolicyResource[] = [
        { type: T.bucketAcl, name: "acl", properties: { bucket: NAME, acl: "log-delivery-write" } },
        {
          type: T.objectCopy,
          name: "copy",
          properties: {
            bucket: NAME,
            key: "k2",
            source: `${NAME}/k`,
            grants: [{ type: "Group", uri: ALL_USERS, permissions: ["READ"] }],
          },
        },
        { type: T.bucket, name: "data", properties: { bucket: NAME, id: NAME } },
      ];
      for (const resource of untouched) {
        expect(await host.remediate(resource)).toEqual([]);
      }
      // What a remediation cannot fix is still reported, as mandatory.
      const missingBlock = await host.analyzeStack(without(guarded(), "data-pab"));
      expect(mandatory(missingBlock).map((v) => v.policyName)).toEqual([
        "s3-bucket-disallow-unblocked-public-access",
      ]);
    });

    it("keeps ACL-enabling ownership when the organisation allows non-public ACLs", async () => {
      await host.configure({
        ...remediateAll,
        "s3-bucket-disallow-uncontrolled-ownership": {
          enforcementLevel: "remediate",
          allowedCannedAcls: ["log-delivery-write"],
        },
      });
      const logOwnership = logBucket().find((r) => r.type === T.ownership);
      if (logOwnership === undefined) {
        throw new Error("The log bucket fixture has no ownership controls.");
      }
      expect(await host.remediate(logOwnership)).toEqual([]);
    });

    it("leaves a value unknown during preview to the host's note and changes nothing", async () => {
      await host.configure(remediateAll);
      const remediations = await host.remediate({
        type: T.object,
        name: "obj",
        properties: { bucket: NAME, key: "k", acl: UNKNOWN },
      });
      expect(remediations).toEqual([
        {
          policyName: "s3-object-disallow-public-acl",
          policyPackName: "api-s3-load-guard",
          description: expect.any(String),
          diagnostic: expect.stringMatching(
            /^can't run remediation 's3-object-disallow-public-acl' from policy pack .* during preview: string value at \.acl can't be known during preview$/,
          ),
        },
      ]);
    });

    it("keeps a secret input secret through a remediation", async () => {
      await host.configure(remediateAll);
      const [fix] = await host.remediate({
        type: T.objectV2,
        name: "obj",
        properties: { bucket: NAME, key: "k", acl: "public-read", content: secret("s3cr3t") },
      });
      expect(fix.properties?.["acl"]).toBe("private");
      expect(fix.properties?.["content"]).toEqual({
        [specialSigKey]: specialSecretSig,
        value: "s3cr3t",
      });
    });
  });
});
