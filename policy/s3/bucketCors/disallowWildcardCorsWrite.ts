import * as aws from "@pulumi/aws";
import {
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import { configWithDefaults } from "../common/config";
import { asList, isRecord, stringsOf } from "../common/known";
import { NATIVE } from "../common/nativeTypes";

/** Tunables of `s3-bucket-cors-disallow-wildcard-write`. */
export interface DisallowWildcardCorsWriteConfig {
  /** HTTP methods that count as writes. Defaults to `["PUT", "POST", "DELETE"]`. */
  writeMethods: string[];
}

const DEFAULT_WRITE_METHODS = ["PUT", "POST", "DELETE"];

/**
 * Flags CORS rules that let any web origin write to the bucket. Advisory everywhere, prod included:
 * CORS grants no access by itself (a browser PUT still needs credentials or a presigned URL, which
 * is how this kind of rule is normally used); it only widens which pages may use access granted
 * elsewhere, and that access is held by the mandatory policies.
 */
export const disallowWildcardCorsWrite: ResourceValidationPolicy = {
  name: "s3-bucket-cors-disallow-wildcard-write",
  description:
    'Checks that no CORS rule (aws.s3.BucketCorsConfiguration/V2, the legacy inline `corsRules`, or `corsConfiguration` of aws-native s3.Bucket) allows origin "*" together with a write method.',
  configSchema: {
    properties: {
      writeMethods: {
        type: "array",
        items: { type: "string" },
        default: DEFAULT_WRITE_METHODS,
        description: "HTTP methods that count as writes.",
      },
    },
  },
  enforcementLevel: "advisory",
  validateResource: [
    validateResourceOfType(aws.s3.BucketCorsConfiguration, (cors, args, report) =>
      checkRules(cors.corsRules, args, report),
    ),
    validateResourceOfType(aws.s3.BucketCorsConfigurationV2, (cors, args, report) =>
      checkRules(cors.corsRules, args, report),
    ),
    validateResourceOfType(aws.s3.Bucket, (bucket, args, report) =>
      checkRules(bucket.corsRules, args, report),
    ),
    validateResourceOfType(aws.s3.BucketV2, (bucket, args, report) =>
      checkRules(bucket.corsRules, args, report),
    ),
    (args: ResourceValidationArgs, report: ReportViolation) => {
      if (args.type !== NATIVE.bucket) {
        args.notApplicable(`Policy only applies to resources of type '${NATIVE.bucket}'`);
      }
      const cors: unknown = args.props["corsConfiguration"];
      checkRules(isRecord(cors) ? cors["corsRules"] : undefined, args, report);
    },
  ],
};

// "*" and a scheme followed only by "*" both admit every origin; "https://*.example.com" does not.
function isAnyOrigin(origin: string): boolean {
  return /^(https?:\/\/)?\*$/i.test(origin.trim());
}

function checkRules(rules: unknown, args: ResourceValidationArgs, report: ReportViolation): void {
  const { writeMethods } = configWithDefaults<DisallowWildcardCorsWriteConfig>(args, {
    writeMethods: DEFAULT_WRITE_METHODS,
  });
  const writes = writeMethods.map((m) => m.toUpperCase());
  asList(rules).forEach((rule, index) => {
    if (!isRecord(rule)) {
      return;
    }
    const origins = stringsOf(rule["allowedOrigins"]).filter(isAnyOrigin);
    const methods = stringsOf(rule["allowedMethods"]).filter((m) =>
      writes.includes(m.toUpperCase()),
    );
    if (origins.length > 0 && methods.length > 0) {
      report(
        `\`corsRules[${index}]\` allows origin ${JSON.stringify(origins[0])} to ${methods.join(", ")}. ` +
          "List the exact origins that may write, or drop the write methods from this rule.",
      );
    }
  });
}
