import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  CONTRACT_OUTPUTS,
  parseStackName,
  readProducerOutputs,
  selectSnapshot,
} from "./producerOutputs";
import { lambdaTrustPolicy } from "./trustPolicy";

/**
 * An async entry point (Pulumi awaits it and exports what it returns) so the producer's outputs are
 * read and checked *before* any resource is declared: a missing output fails the run with one
 * sentence naming it and the producer stack, and no role is created with an undefined policy.
 */
export = async () => {
  const config = new pulumi.Config();
  const producerStack = parseStackName(config.require("producerStack")).fullName;
  const snapshotName = config.get("snapshotName") ?? "coins-markets";

  const producerRef = new pulumi.StackReference("producer", { name: producerStack });
  const raw: Record<string, unknown> = {};
  const secretNames = new Set<string>();
  for (const name of CONTRACT_OUTPUTS) {
    const details = await producerRef.getOutputDetails(name);
    raw[name] = details.value ?? details.secretValue;
    if (details.secretValue !== undefined) {
      secretNames.add(name);
    }
  }
  const producer = readProducerOutputs(raw, producerStack);
  const snapshot = selectSnapshot(producer, snapshotName, producerStack);
  // Values the producer marked secret stay secret here, in state and in our outputs.
  const keepSecret = (name: string, value: string): pulumi.Output<string> =>
    secretNames.has(name) ? pulumi.secret(value) : pulumi.output(value);

  const readerRole = new aws.iam.Role("snapshot-reader", {
    description: `Reads the ${snapshotName} snapshot written by ${producerStack}`,
    assumeRolePolicy: JSON.stringify(lambdaTrustPolicy()),
  });

  // Inline, so the grant lives and dies with the role and cannot be attached elsewhere by mistake.
  new aws.iam.RolePolicy("snapshot-reader-read", {
    role: readerRole.id,
    policy: keepSecret("readPolicyJson", producer.readPolicyJson),
  });

  return {
    readerRoleArn: readerRole.arn,
    readerRoleName: readerRole.name,
    bucketName: keepSecret("bucketName", producer.bucketName),
    s3Uri: keepSecret("snapshots", snapshot.s3Uri),
    sha256: keepSecret("snapshots", snapshot.sha256),
  };
};
