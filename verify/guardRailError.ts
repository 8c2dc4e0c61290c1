import { awsErrorInfo, commonFix, errorDetail } from "./awsError";
import { fail, type CheckResult } from "./result";

/**
 * The failure line for a guard-rail read that threw. `missingCode` is the error S3 returns when
 * the setting is absent (that is a finding about the bucket, not about the caller).
 */
export function guardRailFailure(
  err: unknown,
  args: {
    check: string;
    call: string;
    action: string;
    bucket: string;
    missingCode: string;
    missingDetail: string;
    fix: string;
  },
): CheckResult {
  const info = awsErrorInfo(err);
  if (info.code === args.missingCode) {
    return fail(args.check, args.missingDetail, args.fix);
  }
  return fail(
    args.check,
    errorDetail(info, args.call),
    commonFix(info, args.action, args.bucket) ?? args.fix,
  );
}

/** The fix every guard rail shares: the stack creates it, so deploying restores it. */
export function redeployFix(child: string): string {
  return `run \`pulumi up\` on the stack that owns the bucket; its PrivateBucket child \`<name>-${child}\` sets this`;
}
