/**
 * Flags of `npm start` and `npm run verify`, read by Node's own `util.parseArgs` in strict mode:
 * unknown options and stray positionals are errors, booleans take no value, repeated options
 * collect. This module only turns its errors into sentences that say the fix for the command.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** A command line the command cannot run; the caller prints it with the usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parses `argv` against `options`. `command` is how the user typed the command (`npm start`), used
 * in the messages. An option given an empty value is refused too: no option of ours means "nothing".
 */
export function parseFlags<T extends Options>(argv: string[], options: T, command: string) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError(describeParseError(error, command));
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => v === "")) {
      throw new UsageError(`Option \`--${name}\` needs a value. Fix: \`--${name} <value>\`.`);
    }
  }
  return parsed.values;
}

function describeParseError(error: unknown, command: string): string {
  const { code, message } = error as { code?: string; message?: string };
  const quoted = /'([^']+)'/.exec(message ?? "")?.[1] ?? "";
  const help = `see \`${command} -- --help\` for the options`;
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `Unknown option \`${quoted}\`. Fix: ${help}.`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `Unexpected argument \`${quoted}\`: \`${command}\` takes only options. Fix: ${help}.`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const name = /--[\w-]+/.exec(quoted)?.[0] ?? quoted;
      return message?.includes("does not take an argument")
        ? `Option \`${name}\` takes no value. Fix: write \`${name}\` alone.`
        : `Option \`${name}\` needs a value. Fix: \`${name} <value>\`.`;
    }
    default:
      return `${message ?? String(error)} Fix: ${help}.`;
  }
}
