/** Default providers and auto-names as the engine and the AWS provider make them. */
import {
  defaultProviderFor,
  defaultProviderName,
  providerInputs,
} from "../../policy-runner/defaultProviders";
import { autoName, checkedInputs, uncheckedValues } from "../../policy-runner/providerCheck";

describe("defaultProviderName (providers.ProviderRequest.DefaultName)", () => {
  it.each([
    [undefined, undefined, "default"],
    ["7.48.0", undefined, "default_7_48_0"],
    ["1.2.3-alpha.1+b7", undefined, "default_1_2_3_alpha_1_b7"],
    ["7.48.0", "https://example.com/x", "default_7_48_0_https___example.com_x"],
  ])("names version %s, download URL %s: %s", (version, url, name) => {
    expect(defaultProviderName(version, url)).toBe(name);
  });
});

describe("defaultProviderFor", () => {
  const target = {
    project: "proj",
    stack: "dev",
    config: { "aws:region": "eu-west-1", "aws:skipMetadataApiCheck": true, "proj:x": "y" },
    installedVersion: (pkg: string) => (pkg === "aws-native" ? "1.79.0" : undefined),
  };
  const need = { custom: true, providerRef: "", version: "", pluginDownloadURL: "" };

  it("names the SDK's version, and gives the package's config as strings", () => {
    expect(
      defaultProviderFor({ ...need, type: "aws:s3/bucket:Bucket", version: "7.48.0" }, target),
    ).toEqual({
      type: "pulumi:providers:aws",
      name: "default_7_48_0",
      urn: "urn:pulumi:dev::proj::pulumi:providers:aws::default_7_48_0",
      id: "default_7_48_0-id",
      inputs: { region: "eu-west-1", skipMetadataApiCheck: "true", version: "7.48.0" },
    });
  });

  it("falls back to the installed plugin's version, or none", () => {
    expect(defaultProviderFor({ ...need, type: "aws-native:s3:Bucket" }, target)?.name).toBe(
      "default_1_79_0",
    );
    const dynamic = defaultProviderFor({ ...need, type: "pulumi-nodejs:dynamic:Thing" }, target);
    expect(dynamic?.name).toBe("default");
    expect(dynamic?.inputs).toEqual({
      "aws:region": "eu-west-1",
      "aws:skipMetadataApiCheck": "true",
      "proj:x": "y",
    });
  });

  it.each([
    ["a component", { ...need, type: "proj:index:Thing", custom: false }],
    ["an explicit provider", { ...need, type: "aws:s3/bucket:Bucket", providerRef: "urn::id" }],
    ["a provider", { ...need, type: "pulumi:providers:aws" }],
  ])("gives none to %s", (_case, registration) => {
    expect(defaultProviderFor(registration, target)).toBeUndefined();
  });

  it("writes object config as JSON with sorted keys, as the engine reads it", () => {
    expect(providerInputs("aws", { "aws:endpoints": [{ sts: "b", s3: "a" }] })).toEqual({
      endpoints: '[{"s3":"a","sts":"b"}]',
    });
  });
});

describe("checkedInputs (the AWS provider's auto-naming)", () => {
  const BUCKET = "aws:s3/bucket:Bucket";
  it.each([
    ["names an unnamed bucket", {}, { bucket: autoName(BUCKET, "Data") }],
    ["keeps a given name", { bucket: "given" }, { bucket: "given" }],
    ["leaves a prefixed bucket to the provider", { bucketPrefix: "p-" }, { bucketPrefix: "p-" }],
  ])("%s", (_case, inputs, expected) => {
    expect(checkedInputs(BUCKET, "Data", inputs)).toEqual(expected);
  });

  it("lowercases the name and appends 7 hex digits, the same on every run", () => {
    expect(autoName(BUCKET, "Data")).toMatch(/^data-[0-9a-f]{7}$/);
    expect(autoName(BUCKET, "Data")).toBe(autoName(BUCKET, "Data"));
    expect(autoName(BUCKET, "Data").slice(-7)).not.toBe(autoName(BUCKET, "Logs").slice(-7));
  });

  it("says which values another provider's Check would add", () => {
    expect(uncheckedValues("aws-native:s3:Bucket", {})).toEqual(["bucketName"]);
    expect(uncheckedValues("aws-native:s3:Bucket", { bucketName: "b" })).toEqual([]);
  });
});
