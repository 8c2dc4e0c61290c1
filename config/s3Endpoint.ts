/**
 * Where a stack's S3 requests go: the AWS provider's `aws:endpoints` s3 entry and
 * `aws:s3UsePathStyle`. The program hands them to the Snapshots (which talk to S3 through the AWS
 * SDK, not the provider) and `npm start` writes where they point, so one function reads them.
 */
import type { ConfigSource } from "./stackConfig";

export interface S3EndpointSettings {
  /** The `s3` entry of `aws:endpoints`; undefined means AWS itself. */
  endpoint?: string;
  /** `aws:s3UsePathStyle`; false when unset, as the provider defaults it. */
  forcePathStyle: boolean;
}

/**
 * Reads the `aws` namespace of a stack's config (`new pulumi.Config("aws")`, or the stack file
 * read by `npm start`) as the AWS provider reads it: `endpoints` and `s3UsePathStyle` as JSON.
 */
export function readS3Endpoint(aws: ConfigSource): S3EndpointSettings {
  const endpoints = readObject(aws, "endpoints", "a list such as `[{s3: http://localhost:4566}]`");
  if (endpoints !== undefined && !Array.isArray(endpoints)) {
    throw new Error(
      "Config `aws:endpoints` is not a list. Use a list of maps from service to URL, such as `[{s3: http://localhost:4566}]`.",
    );
  }
  const entry = (endpoints ?? []).find(
    (e): e is { s3: unknown } => e !== null && typeof e === "object" && "s3" in e,
  );
  const endpoint = entry?.s3;
  if (endpoint !== undefined && !isHttpUrl(endpoint)) {
    throw new Error(
      `Config \`aws:endpoints\` gives s3 ${JSON.stringify(endpoint)}, which is not an http(s) URL. Use one such as http://localhost:4566.`,
    );
  }
  const pathStyle = readObject(aws, "s3UsePathStyle", "true or false");
  if (pathStyle !== undefined && typeof pathStyle !== "boolean") {
    throw new Error(
      `Config \`aws:s3UsePathStyle\` is ${JSON.stringify(pathStyle)}, not a boolean. Use true or false.`,
    );
  }
  return { endpoint: endpoint as string | undefined, forcePathStyle: pathStyle ?? false };
}

function readObject(aws: ConfigSource, key: string, fix: string): unknown {
  try {
    return aws.getObject<unknown>(key);
  } catch {
    const kind = key === "s3UsePathStyle" ? "a boolean" : "valid structured config";
    throw new Error(
      `Config \`aws:${key}\` is ${JSON.stringify(aws.get(key))}, not ${kind}. Use ${fix}.`,
    );
  }
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== "string") {
    return false;
  }
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
