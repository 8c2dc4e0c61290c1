import type { S3Client } from "@aws-sdk/client-s3";
import { headSnapshot } from "./s3";
import type { S3Target, StoredObject } from "./types";

/** How long a failed run waits for its HEAD to finish before abandoning it. */
const PATIENCE_MS = 1_000;

/**
 * The HEAD of the stored object, sent while the pages are fetched (issue 20): it needs only the
 * bucket and key, so its round trip is off the critical path.
 *
 * It is started by `start()`, which the fetch calls once its first requests have been handed to the
 * transport: the SDK's own work before a request (middleware, signing) would otherwise delay them,
 * and they are on the critical path. Its answer is read by `stored()` only after the fetch
 * has succeeded, so a failed fetch still fails with its own error, after `abandon()`.
 */
export class HeadAhead {
  private pending?: Promise<{ stored?: StoredObject; error?: unknown }>;
  private readonly abort = new AbortController();

  constructor(
    private readonly s3: S3Client,
    private readonly target: S3Target,
    private readonly key: string,
  ) {}

  /** Sends the HEAD, once; not after `abandon()`. */
  readonly start = (): void => {
    if (this.abort.signal.aborted) {
      return;
    }
    this.pending ??= headSnapshot(this.target, this.key, {
      s3: this.s3,
      signal: this.abort.signal,
    }).then(
      (stored) => ({ stored }),
      (error: unknown) => ({ error }),
    );
  };

  /** What is stored at the key (sending the HEAD now if the fetch never did); throws its error. */
  async stored(): Promise<StoredObject | undefined> {
    this.start();
    const head = await this.pending!;
    if ("error" in head) {
      throw head.error;
    }
    return head.stored;
  }

  /**
   * After a failed fetch: lets the HEAD finish, so that no request of the run reaches S3 after it
   * has returned, but abandons it (the SDK then sends no further attempt) when S3 is slow to
   * answer, so the fetch's error is not held up by S3's retries.
   */
  async abandon(): Promise<void> {
    if (this.pending) {
      let timer: NodeJS.Timeout | undefined;
      const patience = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, PATIENCE_MS);
      });
      await Promise.race([this.pending, patience]);
      clearTimeout(timer);
    }
    this.abort.abort();
  }
}
