import { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { GuardCheck } from "./guardRails";
import { describeBucket, StackBuckets } from "./stackBuckets";

/**
 * Runs `check` on every bucket of the stack and reports each problem against the bucket's URN.
 *
 * When a preview's unknown value hides some bucket's answer, the definite violations are reported
 * first and the unknown-value error is rethrown afterwards: the policy host keeps what was
 * reported and adds its advisory "can't run during preview" note, instead of guessing.
 */
export function checkEveryBucket(
  args: StackValidationArgs,
  reportViolation: ReportViolation,
  check: (stack: StackBuckets, bucket: PolicyResource) => GuardCheck,
): void {
  const stack = new StackBuckets(args.resources);
  let undecided: Error | undefined;
  for (const bucket of stack.buckets) {
    const result = check(stack, bucket);
    if (result.status === "problem") {
      reportViolation(`${describeBucket(bucket)} ${result.problem}`, bucket.urn);
    } else if (result.status === "undecided") {
      undecided = undecided ?? result.error;
    }
  }
  if (undecided) {
    throw undecided;
  }
}
