/** The package's name and its resource tokens, as provider/schema.json declares them. */
export const PACKAGE_NAME = "api-s3-load";
export const PRIVATE_BUCKET_TOKEN = "api-s3-load:index:PrivateBucket";
export const SNAPSHOT_TOKEN = "api-s3-load:index:Snapshot";

/** The type token of a URN (`urn:pulumi:stack::project::parent$type::name`). */
export function typeOfUrn(urn: string): string {
  const qualifiedType = urn.split("::")[2] ?? "";
  return qualifiedType.split("$").pop() ?? "";
}

/** The resource name of a URN: everything after its third `::`. */
export function nameOfUrn(urn: string): string {
  return urn.split("::").slice(3).join("::");
}
