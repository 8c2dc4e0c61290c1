/**
 * An access point's network origin: `VPC` when it was created with a `vpcConfiguration`, otherwise
 * `Internet`. S3 counts an access point with a VPC network origin as non-public whatever its policy
 * says (Amazon S3 User Guide, "Blocking public access to your Amazon S3 storage" → "The meaning of
 * 'public'" → "Access points"), because it rejects every request that does not come from that VPC.
 *
 * Read from the inputs (`vpcConfiguration.vpcId`, the same property in @pulumi/aws and aws-native)
 * or, once deployed, from the computed `networkOrigin` output.
 */
import { PolicyResource } from "@pulumi/policy";
import { isRecord, tryRead } from "./known";

export type NetworkOrigin =
  | { kind: "internet" }
  | {
      kind: "vpc";
      /** How messages name the VPC: "VPC <id>", or what it comes from when the id is not known yet. */
      vpc: string;
    };

/**
 * The network origin `props` declare. A `vpcConfiguration` whose `vpcId` is not known yet (the VPC
 * is created in the same preview) is still a VPC origin: the id is required there. Throws the
 * unknown-value error when the whole `vpcConfiguration` is unknown, since it may or may not be set.
 * `vpcSource` names the VPC resource when the engine says where an unknown id comes from.
 */
export function networkOriginOf(props: Record<string, unknown>, vpcSource?: string): NetworkOrigin {
  const config: unknown = props["vpcConfiguration"];
  if (isRecord(config) && "vpcId" in config) {
    const id = tryRead(() => config["vpcId"]);
    if (id.known && typeof id.value === "string" && id.value !== "") {
      return { kind: "vpc", vpc: `VPC ${id.value}` };
    }
    if (!id.known) {
      return { kind: "vpc", vpc: vpcSource ?? "a VPC whose id is not known until it is created" };
    }
  }
  const output = tryRead(() => props["networkOrigin"]);
  if (output.known && typeof output.value === "string" && output.value.toUpperCase() === "VPC") {
    return { kind: "vpc", vpc: "its VPC" };
  }
  return { kind: "internet" };
}

/** The network origin of an access point of the stack, naming an unknown VPC by its resource. */
export function stackNetworkOrigin(accessPoint: PolicyResource): NetworkOrigin {
  const source = accessPoint.propertyDependencies?.["vpcConfiguration"]?.[0];
  return networkOriginOf(
    accessPoint.props,
    source === undefined ? undefined : `the VPC of ${source.type} "${source.name}"`,
  );
}
