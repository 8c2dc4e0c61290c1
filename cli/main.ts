/**
 * The project's command line: `run` (what `npm start` does), `verify` (`npm run verify`) and
 * `check-object` (the post-deploy check the Pulumi program runs through @pulumi/command).
 */
import "../startup/supportedNode";
import { checkObjectCommand } from "./checkObject";
import { runCommand } from "./run";
import { verifyCommand } from "./verify";

export interface Io {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

const COMMANDS: Record<string, (argv: string[], io: Io) => Promise<number>> = {
  run: runCommand,
  verify: (argv, io) => verifyCommand(argv, io),
  "check-object": (argv, io) => checkObjectCommand(process.env, io),
};

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    io.stderr(`Unknown command "${name ?? ""}". Use one of: ${Object.keys(COMMANDS).join(", ")}.`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  }).then((code) => {
    process.exitCode = code;
  });
}
