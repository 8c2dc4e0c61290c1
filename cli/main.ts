/**
 * The project's command line: `run` (what `npm start` does), `verify` (`npm run verify`) and
 * `check-object` (the post-deploy check the Pulumi program runs through @pulumi/command).
 */
import "../startup/supportedNode";
import { checkObjectCommand } from "./checkObject";
import { PROCESS_IO, type Io } from "./io";
import { runCommand } from "./run";
import { stopWithParent } from "./stopSignals";
import { verifyCommand } from "./verify";

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
  stopWithParent();
  main(process.argv.slice(2), PROCESS_IO).then((code) => {
    process.exitCode = code;
  });
}
