import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  PolicyPackHost,
  UNKNOWN,
  defaultUrn,
  secret,
  startPolicyPackHost,
} from "../helpers/policyHost";
import { PROJECT_ROOT } from "../helpers/pulumiHost";

const packDir = join(__dirname, "fixtures", "policyPack");
const BUCKET = "aws:s3/bucket:Bucket";
const ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const ACL_MESSAGE =
  "Checks the canned ACL of each bucket.\nBucket `data` must use one of private, not `public-read`.";

describe("policy pack host harness (TypeScript pack)", () => {
  let host: PolicyPackHost;

  beforeAll(async () => {
    host = await startPolicyPackHost(packDir);
  });

  afterAll(async () => {
    await host?.stop();
  });

  it("describes the pack and its policies", async () => {
    const info = await host.getAnalyzerInfo();
    expect(info).toMatchObject({
      name: "host-fixture-pack",
      version: "0.0.7",
      supportsConfig: true,
    });
    expect(info.policies.map((p) => [p.name, p.type, p.enforcementLevel])).toEqual([
      ["fixture-bucket-acl-allowed", "resource", "mandatory"],
      ["fixture-bucket-has-access-block", "stack", "advisory"],
    ]);
    expect(info.policies[0].configSchema?.properties.allowedAcls).toMatchObject({
      default: ["private"],
    });
  });

  it("reports a resource violation with the analyzed resource's URN", async () => {
    const violations = await host.analyze({
      type: BUCKET,
      name: "data",
      properties: { acl: "public-read" },
    });
    expect(violations).toEqual([
      {
        policyName: "fixture-bucket-acl-allowed",
        policyPackName: "host-fixture-pack",
        message: ACL_MESSAGE,
        description: "Checks the canned ACL of each bucket.",
        enforcementLevel: "mandatory",
        urn: defaultUrn(BUCKET, "data"),
      },
    ]);
  });

  it("reports nothing for a compliant resource, and reads secrets as plain values", async () => {
    await expect(
      host.analyze({ type: BUCKET, name: "data", properties: { acl: secret("private") } }),
    ).resolves.toEqual([]);
  });

  it("turns an unknown value into an advisory 'can't run during preview'", async () => {
    const [violation] = await host.analyze({
      type: BUCKET,
      name: "data",
      properties: { acl: UNKNOWN },
    });
    expect(violation.enforcementLevel).toBe("advisory");
    expect(violation.message).toBe(
      "can't run policy 'fixture-bucket-acl-allowed' from policy pack 'host-fixture-pack@v0.0.7' during preview: " +
        "string value at .acl can't be known during preview",
    );
  });

  it("links parents in a stack analysis and reports the URN the policy names", async () => {
    const parentUrn = "urn:pulumi:stack::project::api-s3-load:storage:PrivateBucket::data";
    const violations = await host.analyzeStack([
      { type: "api-s3-load:storage:PrivateBucket", name: "data", urn: parentUrn, properties: {} },
      { type: BUCKET, name: "data", properties: { bucket: "data-bucket" }, parent: parentUrn },
      { type: BUCKET, name: "logs", properties: { bucket: "logs-bucket" } },
      { type: ACCESS_BLOCK, name: "logs-pab", properties: { bucket: "logs-bucket" } },
    ]);
    expect(violations).toEqual([
      expect.objectContaining({
        policyName: "fixture-bucket-has-access-block",
        message:
          "Checks that every bucket has a public access block.\nBucket `data` (child of data) needs a public access block.",
        enforcementLevel: "advisory",
        urn: defaultUrn(BUCKET, "data"),
      }),
    ]);
  });

  it("applies enforcement levels and properties from configure", async () => {
    await host.configure({
      "fixture-bucket-acl-allowed": { allowedAcls: ["private", "public-read"] },
      "fixture-bucket-has-access-block": "mandatory",
    });
    try {
      await expect(
        host.analyze({ type: BUCKET, name: "data", properties: { acl: "public-read" } }),
      ).resolves.toEqual([]);
      const [stack] = await host.analyzeStack([
        { type: BUCKET, name: "data", properties: { bucket: "b" } },
      ]);
      expect(stack.enforcementLevel).toBe("mandatory");
    } finally {
      await host.configure({});
    }
  });

  it("keeps a policy's own level when config sets only its properties", async () => {
    await host.configure({ "fixture-bucket-acl-allowed": { allowedAcls: ["private"] } });
    const [violation] = await host.analyze({
      type: BUCKET,
      name: "data",
      properties: { acl: "public-read" },
    });
    expect(violation.enforcementLevel).toBe("mandatory");
  });

  it("disables a policy through config", async () => {
    await host.configure({ "fixture-bucket-acl-allowed": "disabled" });
    try {
      await expect(
        host.analyze({ type: BUCKET, name: "data", properties: { acl: "public-read" } }),
      ).resolves.toEqual([]);
    } finally {
      await host.configure({});
    }
  });

  it("ignores config for a policy the pack does not define, as the CLI does, with a warning", async () => {
    try {
      const { warnings } = await host.configure({ "fixture-bucket-acl-alowed": "disabled" });
      expect(warnings).toEqual([
        '"fixture-bucket-acl-alowed" is not a policy of pack host-fixture-pack: the CLI ignores ' +
          'it without a word, so it configures nothing. Did you mean "fixture-bucket-acl-allowed"?',
      ]);
      const [violation] = await host.analyze({
        type: BUCKET,
        name: "data",
        properties: { acl: "public-read" },
      });
      expect(violation.enforcementLevel).toBe("mandatory");
    } finally {
      await host.configure({});
    }
  });

  it("applies `all` as an enforcement level only, not as properties", async () => {
    try {
      await host.configure({ all: { enforcementLevel: "advisory", allowedAcls: ["public-read"] } });
      const [violation] = await host.analyze({
        type: BUCKET,
        name: "data",
        properties: { acl: "public-read" },
      });
      expect(violation.enforcementLevel).toBe("advisory");
    } finally {
      await host.configure({});
    }
  });

  it("refuses config that does not fit a policy's configSchema, as the CLI does", async () => {
    await expect(
      host.configure({ "fixture-bucket-acl-allowed": { allowedAcls: "private" } }),
    ).rejects.toThrow("fixture-bucket-acl-allowed: allowedAcls: should be array");
  });
});

describe("policy pack loading", () => {
  let broken: string;

  beforeAll(() => {
    // A copy of the pack with a type error, resolving packages through the project's node_modules.
    broken = mkdtempSync(join(tmpdir(), "api-s3-load-pack-"));
    cpSync(packDir, broken, { recursive: true });
    symlinkSync(join(PROJECT_ROOT, "node_modules"), join(broken, "node_modules"), "dir");
    const source = readFileSync(join(packDir, "index.ts"), "utf8");
    writeFileSync(join(broken, "index.ts"), `const wrong: number = "not a number";\n${source}`);
  });

  afterAll(() => rmSync(broken, { recursive: true, force: true }));

  it("type-checks a TypeScript pack and fails to start on a type error", async () => {
    await expect(startPolicyPackHost(broken)).rejects.toThrow(
      "error TS2322: Type 'string' is not assignable to type 'number'.",
    );
  });
});
