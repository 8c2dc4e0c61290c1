import { readFileSync } from "node:fs";
import {
  createS3Client,
  createStsClient,
  formatResult,
  parseStackOutputs,
  parseVerifyFlags,
  redactSecrets,
  resolveOptions,
  runVerify,
  USAGE,
  type StackOutputsForVerify,
} from "../verify";
import { UsageError } from "../flags/parseFlags";
import { PROCESS_IO, type Io } from "./io";
import { EXIT_CODES, onStop } from "./stopSignals";

/**
 * `npm run verify`: the account check. Prints one `ok|FAIL <check>: ...` line per check on stdout
 * and returns the exit code: 0 when every check holds, 1 when one fails, 2 for a usage error.
 */
export async function verifyCommand(argv: string[], io: Io = PROCESS_IO): Promise<number> {
  // Every line goes through the redactor: an SDK message must never carry a credential out.
  const out = (line: string) => io.stdout(redactSecrets(line));
  const err = (line: string) => io.stderr(redactSecrets(line));
  let options;
  try {
    const flags = parseVerifyFlags(argv);
    if (flags.help) {
      io.stdout(USAGE.trimEnd());
      return 0;
    }
    let stack: StackOutputsForVerify | undefined;
    if (flags.stackOutputs) {
      let text: string;
      try {
        text = readFileSync(flags.stackOutputs, "utf8");
      } catch {
        throw new Error(
          `\`--stack-outputs ${flags.stackOutputs}\` cannot be read. Fix: write it with \`pulumi stack output --json > ${flags.stackOutputs}\`.`,
        );
      }
      stack = parseStackOutputs(text, flags.stackOutputs);
    }
    options = resolveOptions(flags, stack);
  } catch (e) {
    (e instanceof UsageError ? e.problems : [e instanceof Error ? e.message : String(e)]).forEach(
      err,
    );
    return 2;
  }
  const clientOptions = {
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
  };
  const s3 = await createS3Client(clientOptions);
  let sts: { destroy(): void } | undefined;
  // As `npm start` does: a signal ends the run with a sentence and the shell's status for it.
  const release = onStop((signal) => {
    err(
      `Interrupted by ${signal}: stopped before the checks ended; verify only reads, so nothing changed.`,
    );
    process.exit(EXIT_CODES[signal]);
  });
  try {
    const results = await runVerify(options, {
      s3,
      sts: async () => {
        const client = await createStsClient(clientOptions);
        sts = client;
        return client;
      },
    });
    for (const result of results) {
      out(formatResult(result));
    }
    if (!options.bucket) {
      out(
        "note: no bucket given; pass `--bucket <name>` or `--stack-outputs <file>` to check the guard rails and snapshots",
      );
    }
    const failed = results.filter((r) => !r.ok).length;
    out(
      failed === 0
        ? `verify: all ${results.length} checks hold`
        : `verify: ${failed} of ${results.length} checks failed`,
    );
    return failed === 0 ? 0 : 1;
  } finally {
    release();
    s3.destroy();
    sts?.destroy();
  }
}
