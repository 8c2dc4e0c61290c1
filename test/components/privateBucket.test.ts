import * as pulumi from "@pulumi/pulumi";
import {
  PrivateBucket,
  readOnlyPolicy,
  tlsOnlyPolicy,
  type PrivateBucketArgs,
} from "../../components/privateBucket";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

let registered: Registered[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const id = args.type === "aws:s3/bucket:Bucket" ? `${args.name}-bucket` : `${args.name}-id`;
        return { id, state: { ...args.inputs, arn: `arn:aws:s3:::${id}` } };
      },
      call: (args) => args.inputs,
    },
    "api-s3-load",
    "test",
  );
});

beforeEach(() => {
  registered = [];
});

function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

async function create(name: string, args: PrivateBucketArgs = {}) {
  const component = new PrivateBucket(name, args);
  await promiseOf(component.arn);
  await promiseOf(pulumi.all(component.guardRails.map((r) => r.urn)));
  return {
    component,
    children: registered.filter((r) => r.type !== "api-s3-load:storage:PrivateBucket"),
  };
}

describe("PrivateBucket", () => {
  it("creates exactly the bucket and six guard rails, named after the component", async () => {
    const { children } = await create("data");
    expect(children.map((c) => [c.type, c.name])).toEqual([
      ["aws:s3/bucket:Bucket", "data"],
      ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "data-public-access-block"],
      ["aws:s3/bucketOwnershipControls:BucketOwnershipControls", "data-ownership"],
      [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "data-encryption",
      ],
      ["aws:s3/bucketVersioning:BucketVersioning", "data-versioning"],
      ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "data-lifecycle"],
      ["aws:s3/bucketPolicy:BucketPolicy", "data-policy"],
    ]);
  });

  it("adds a private canned ACL only in the private ACL mode", async () => {
    const { children } = await create("legacy", { aclMode: "private" });
    const acl = children.filter((c) => c.type === "aws:s3/bucketAcl:BucketAcl");
    expect(acl).toEqual([
      {
        type: "aws:s3/bucketAcl:BucketAcl",
        name: "legacy-acl",
        inputs: { bucket: "legacy-bucket", acl: "private" },
      },
    ]);
  });

  it("refuses an unknown ACL mode with a message that says the choices", () => {
    expect(() => new PrivateBucket("bad", { aclMode: "public-read" as "private" })).toThrow(
      '`aclMode` is "public-read"; use "disabled" (the default) or "private".',
    );
  });

  it("keeps noncurrent versions and aborts abandoned uploads for the configured days", async () => {
    const { children } = await create("tuned", {
      noncurrentVersionDays: 30,
      abortIncompleteUploadDays: 2,
      forceDestroy: true,
    });
    const lifecycle = children.find((c) => c.name === "tuned-lifecycle")!;
    expect(lifecycle.inputs.rules).toEqual([
      {
        id: "expire-noncurrent-versions",
        status: "Enabled",
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: 30 },
      },
      {
        id: "abort-incomplete-multipart-uploads",
        status: "Enabled",
        filter: {},
        abortIncompleteMultipartUpload: { daysAfterInitiation: 2 },
      },
    ]);
    expect(children.find((c) => c.name === "tuned")!.inputs.forceDestroy).toBe(true);
  });

  it("tells writers which encryption to use", async () => {
    const { component: sse } = await create("s3");
    expect(await promiseOf(sse.encryption)).toEqual({ algorithm: "AES256" });
    const { component: kms } = await create("kms", {
      kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/abc",
    });
    expect(await promiseOf(kms.encryption)).toEqual({
      algorithm: "aws:kms",
      kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/abc",
    });
  });
});

describe("bucket policy documents", () => {
  it("deny plain HTTP and old TLS on the bucket and every object", () => {
    const doc = tlsOnlyPolicy("arn:aws:s3:::b", "1.2");
    expect(doc.Statement.map((s) => [s.Effect, s.Resource, s.Condition])).toEqual([
      [
        "Deny",
        ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        { Bool: { "aws:SecureTransport": "false" } },
      ],
      [
        "Deny",
        ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        { NumericLessThan: { "s3:TlsVersion": "1.2" } },
      ],
    ]);
  });

  it("grant reading only the named keys", () => {
    const doc = readOnlyPolicy("arn:aws:s3:::b", ["a.json"]);
    expect(doc.Statement[0].Resource).toEqual(["arn:aws:s3:::b/a.json"]);
    expect(doc.Statement.every((s) => s.Effect === "Allow")).toBe(true);
    expect(JSON.stringify(doc)).not.toContain("s3:Put");
  });
});
