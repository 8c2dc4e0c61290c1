/**
 * `npm start` says when the AWS SDK retries an S3 call, as it says when the engine retries an API
 * request: one sentence per retry on stderr. The SDK retries quietly (throttling, 5xx, dropped
 * connections); a run that is slow because S3 throttles it should say so.
 */
import type { S3Client, ServiceInputTypes, ServiceOutputTypes } from "@aws-sdk/client-s3";
import type { FinalizeRequestMiddleware } from "@smithy/types";

/**
 * Adds a step inside the SDK's retry loop to `client`: each attempt after the first is announced
 * with the failure that caused it and the attempt's number, which the SDK itself puts in the
 * request's `amz-sdk-request` header.
 */
export function announceS3Retries(client: S3Client, announce: (line: string) => void): void {
  const middleware: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (
    next,
    context,
  ) => {
    let failure = "failed";
    return async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
      const [, attempt, max] = /attempt=(\d+); max=(\d+)/.exec(headers["amz-sdk-request"]) ?? [];
      if (Number(attempt) > 1) {
        const { Bucket, Key } = args.input as { Bucket?: string; Key?: string };
        const action = (context.commandName ?? "request").replace(/Command$/, "");
        const where = Bucket ? ` on s3://${Bucket}${Key ? `/${Key}` : ""}` : "";
        announce(`S3 ${action}${where} ${failure}; retrying, attempt ${attempt} of ${max}.`);
      }
      try {
        return await next(args);
      } catch (error) {
        failure = describeFailure(error);
        throw error;
      }
    };
  };
  client.middlewareStack.addRelativeTo(middleware, {
    relation: "after",
    toMiddleware: "retryMiddleware",
    name: "announceS3Retries",
  });
}

/** The failure of one attempt, as the middle of a retry line. */
function describeFailure(error: unknown): string {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const name = e.code ?? e.name ?? "Error";
  return `failed (${name}${status ? `, HTTP ${status}` : ""})`;
}
