/**
 * Steps 1 and 2 of `npm start`: read the settings and check everything the run will use (flags,
 * stack config, bucket, endpoint, port, folders) before it starts a server, fetches or writes.
 * Every mistake is collected and all of them are thrown at once as one `ConfigErrors`.
 */
import { join, resolve } from "node:path";
import { collect, throwIfAny } from "../config/problems";
import { checkWritableFolder } from "./folders";
import type { RunFlags } from "./runFlags";
import { readRunSettings, type RunSettings } from "./runSettings";
import {
  chooseBucket,
  chooseEndpoint,
  misplacedFlagProblems,
  parsePort,
  type ExternalEndpoint,
} from "./runTarget";

/** Everything a run needs, checked. */
export interface RunPlan extends RunSettings {
  bucket: string;
  /** An S3 endpoint to write to; undefined for the embedded server. */
  external?: ExternalEndpoint;
  /** The embedded server's port (0: any free one) and data folder. */
  port: number;
  dataDir: string;
  /** `--export DIR`, resolved. */
  exportDir?: string;
  verify: boolean;
}

/** Reads and checks the run; throws one `ConfigErrors` naming every mistake. */
export function checkRun(flags: RunFlags, env: NodeJS.ProcessEnv, root: string): RunPlan {
  const problems: Error[] = [];
  const check = <T>(read: () => T, fallback: T) => collect(problems, read, fallback);
  const read = check<RunSettings | undefined>(() => readRunSettings(flags, env, root), undefined);
  const stack = read?.stack ?? flags.stack ?? "dev";
  const bucket = check(
    () =>
      read || flags.bucket !== undefined
        ? chooseBucket(flags.bucket, read?.settings.bucketName, stack)
        : "",
    "",
  );
  const endpointProblems = problems.length;
  const external = check(() => chooseEndpoint(flags, root, stack, env), undefined);
  if (problems.length === endpointProblems) {
    problems.push(...misplacedFlagProblems(flags, external));
  }
  const port = check(() => parsePort(flags.port), 0);
  // npm runs a script in the project folder; a relative path means one from where the user typed.
  const userPath = (path: string) => resolve(env.INIT_CWD ?? process.cwd(), path);
  const dataDir =
    flags["data-dir"] === undefined ? join(root, ".data", "s3") : userPath(flags["data-dir"]);
  if (!external) {
    check(() => checkWritableFolder("--data-dir", dataDir, ""), dataDir);
  }
  const exportDir = flags.export === undefined ? undefined : userPath(flags.export);
  if (exportDir !== undefined) {
    check(() => checkWritableFolder("--export", exportDir, " for the JSON files"), exportDir);
  }
  throwIfAny(problems);
  return {
    ...read!,
    bucket,
    external,
    port,
    dataDir,
    exportDir,
    verify: flags.verify ?? false,
  };
}
