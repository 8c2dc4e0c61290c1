/**
 * The policy config as pulumi/pulumi's pkg/resource/analyzer/config.go reconciles it: defaults,
 * the pack's initial config, the file; `all` a level only; names the pack lacks kept and unread.
 */
import {
  closestName,
  parsePolicyConfig,
  PolicyConfigError,
  PolicyMetadata,
  reconcilePolicyConfig,
} from "../../policy-runner/policyConfig";

const POLICIES: PolicyMetadata[] = [
  { name: "bucket-acl", enforcementLevel: "mandatory" },
  {
    name: "bucket-limit",
    enforcementLevel: "advisory",
    configSchema: {
      properties: { maxBuckets: { type: "integer", minimum: 0, default: 5 } },
      required: [],
    },
  },
];

const reconcile = (raw: Record<string, unknown>, initial = {}) =>
  reconcilePolicyConfig("pack", POLICIES, initial, parsePolicyConfig(raw).config);

const problems = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyConfigError);
    return (error as PolicyConfigError).problems;
  }
  throw new Error("expected a PolicyConfigError");
};

describe("reconcilePolicyConfig", () => {
  it("gives every policy its own level and its schema defaults", () => {
    expect(reconcile({}).config).toEqual({
      "bucket-acl": { enforcementLevel: "mandatory" },
      "bucket-limit": { enforcementLevel: "advisory", properties: { maxBuckets: 5 } },
    });
  });

  it("lets the pack's initial config and then the file override, per policy", () => {
    const { config } = reconcile(
      { "bucket-limit": { maxBuckets: 2 } },
      { "bucket-limit": { enforcementLevel: "mandatory", properties: { maxBuckets: 1 } } },
    );
    expect(config["bucket-limit"]).toEqual({
      enforcementLevel: "mandatory",
      properties: { maxBuckets: 2 },
    });
  });

  it("applies `all` as a level only; a policy's own entry wins", () => {
    const { config, warnings } = reconcile({
      all: { enforcementLevel: "disabled", maxBuckets: 0 },
      "bucket-acl": "advisory",
    });
    expect(config["bucket-limit"]).toEqual({
      enforcementLevel: "disabled",
      properties: { maxBuckets: 5 },
    });
    expect(config["bucket-acl"].enforcementLevel).toBe("advisory");
    expect(warnings).toHaveLength(1);
  });

  it.each([
    [{ "bucket-limit": { maxBuckets: -1 } }, "bucket-limit: maxBuckets: should be >= 0"],
    [{ "bucket-limit": { maxBuckets: "2" } }, "bucket-limit: maxBuckets: should be integer"],
    [{ all: { maxBuckets: 1 } }, '"all" sets maxBuckets but no enforcementLevel'],
  ])("refuses %j as the CLI does", (raw, problem) => {
    expect(problems(() => reconcile(raw)).join("\n")).toContain(problem);
  });

  it("reports every malformed entry of a file at once", () => {
    expect(
      problems(() => parsePolicyConfig({ a: "strict", b: { enforcementLevel: 1 }, c: 3 })),
    ).toHaveLength(3);
  });
});

describe("closestName", () => {
  it.each([
    ["bucket-acll", "bucket-acl"],
    ["bucket-limt", "bucket-limit"],
    ["s3-something-else-entirely", undefined],
  ])("suggests for %s: %s", (name, expected) => {
    expect(closestName(name, ["bucket-acl", "bucket-limit"])).toBe(expected);
  });
});
