import * as aws from "@pulumi/aws";
import { disallowWildcardCorsWrite } from "../../../../policy/s3";
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs,
  describePolicyBasics,
} from "../../../helpers/policy";

const readRule = () => ({ allowedOrigins: ["*"], allowedMethods: ["GET", "HEAD"] });
const corsArgs = (rule: Record<string, unknown>, config: Record<string, unknown> = {}) =>
  createResourceValidationArgs(
    aws.s3.BucketCorsConfiguration,
    { bucket: "data-id", corsRules: [readRule(), rule] },
    config,
  );
const message = (origin: string, methods: string) =>
  `\`corsRules[1]\` allows origin "${origin}" to ${methods}. List the exact origins that may write, or drop the write methods from this rule.`;

describe("s3-bucket-cors-disallow-wildcard-write", () => {
  describePolicyBasics(disallowWildcardCorsWrite, {
    name: "s3-bucket-cors-disallow-wildcard-write",
    enforcementLevel: "advisory",
    baseline: {
      title: "accepts read-only rules for any origin and writes from named origins",
      args: () =>
        corsArgs({
          allowedOrigins: ["https://app.example.com", "https://*.example.com"],
          allowedMethods: ["PUT"],
        }),
    },
  });

  it.each([
    ["*", ["PUT"], "PUT"],
    ["https://*", ["post", "GET"], "post"],
    ["*", ["DELETE", "PUT"], "DELETE, PUT"],
  ])("rejects origin %s with %p", async (origin, methods, shown) => {
    await assertHasResourceViolation(
      disallowWildcardCorsWrite,
      corsArgs({ allowedOrigins: [origin], allowedMethods: methods }),
      message(origin, shown),
    );
  });

  it("takes the write methods from config", async () => {
    const rule = { allowedOrigins: ["*"], allowedMethods: ["PUT"] };
    await assertNoResourceViolations(
      disallowWildcardCorsWrite,
      corsArgs(rule, { writeMethods: ["DELETE"] }),
    );
  });

  it("checks V2 configurations and legacy inline corsRules", async () => {
    const rules = [readRule(), { allowedOrigins: ["*"], allowedMethods: ["PUT"] }];
    for (const [cls, props] of [
      [aws.s3.BucketCorsConfigurationV2, { bucket: "data-id", corsRules: rules }],
      [aws.s3.Bucket, { bucket: "b", corsRules: rules }],
      [aws.s3.BucketV2, { bucket: "b", corsRules: rules }],
    ] as const) {
      await assertHasResourceViolation(
        disallowWildcardCorsWrite,
        createResourceValidationArgs(cls, props),
        message("*", "PUT"),
      );
    }
  });
});
