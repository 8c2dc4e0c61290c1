import { StackFileConfig } from "../../cli/stackFile";
import { readS3Endpoint } from "../../config/s3Endpoint";

/** The `aws` namespace of a stack file, as `npm start` reads it. */
const aws = (values: Record<string, unknown>) => new StackFileConfig(values, "aws");

describe("readS3Endpoint: the stack's S3 endpoint, for the program and npm start", () => {
  it("takes the s3 entry of aws:endpoints and aws:s3UsePathStyle, as Pulumi.local.yaml sets them", () => {
    expect(
      readS3Endpoint(
        aws({
          endpoints: [{ sts: "http://localhost:4566" }, { s3: "http://localhost:4566" }],
          s3UsePathStyle: true,
        }),
      ),
    ).toEqual({ endpoint: "http://localhost:4566", forcePathStyle: true });
  });

  it("reads the JSON text the Pulumi CLI hands the program", () => {
    expect(
      readS3Endpoint(
        aws({ endpoints: '[{"s3":"https://127.0.0.1:9000"}]', s3UsePathStyle: "false" }),
      ),
    ).toEqual({ endpoint: "https://127.0.0.1:9000", forcePathStyle: false });
  });

  it("means AWS itself, virtual-hosted, when neither is set", () => {
    expect(readS3Endpoint(aws({}))).toEqual({ endpoint: undefined, forcePathStyle: false });
    expect(readS3Endpoint(aws({ endpoints: [{ iam: "http://x" }] })).endpoint).toBeUndefined();
  });

  it.each([
    [{ endpoints: { s3: "http://x" } }, "Config `aws:endpoints` is not a list."],
    [
      { endpoints: [{ s3: "localhost:4566" }] },
      'Config `aws:endpoints` gives s3 "localhost:4566", which is not an http(s) URL. Use one such as http://localhost:4566.',
    ],
    [
      { s3UsePathStyle: "yes" },
      'Config `aws:s3UsePathStyle` is "yes", not a boolean. Use true or false.',
    ],
  ])("refuses %j with a sentence", (values, message) => {
    expect(() => readS3Endpoint(aws(values))).toThrow(message);
  });
});
