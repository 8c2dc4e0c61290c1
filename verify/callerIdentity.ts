import type { STSClient } from "@aws-sdk/client-sts";
import { awsErrorInfo, commonFix, errorDetail } from "./awsError";
import { fail, pass, type CheckResult } from "./result";

const CHECK = "caller-identity";

/**
 * Who the credentials belong to (STS GetCallerIdentity needs no permission, so it is the cheapest
 * proof that credentials work). When the stack's account is known, the two must match: the
 * snapshot bucket's policies only trust its own account.
 */
export async function checkCallerIdentity(
  sts: STSClient,
  expectedAccountId?: string,
): Promise<CheckResult> {
  const { GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    const detail = `account ${identity.Account ?? "?"}, arn ${identity.Arn ?? "?"}`;
    if (expectedAccountId && identity.Account !== expectedAccountId) {
      return fail(
        CHECK,
        `${detail}, but the stack's bucket is in account ${expectedAccountId}`,
        `use credentials for account ${expectedAccountId} (for example \`export AWS_PROFILE=<profile of that account>\`)`,
      );
    }
    return pass(CHECK, detail);
  } catch (err) {
    const info = awsErrorInfo(err);
    return fail(
      CHECK,
      errorDetail(info, "GetCallerIdentity"),
      commonFix(info, "sts:GetCallerIdentity") ??
        "check the credentials and network, then run again",
    );
  }
}
