/** A small flag parser: `--name value`, `--name=value` and boolean `--flag`; repeated flags collect. */
export interface ParsedArgs {
  flags: Map<string, string[]>;
  positionals: string[];
}

export function parseArgs(
  argv: readonly string[],
  booleanFlags: readonly string[] = [],
): ParsedArgs {
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    let value: string;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else if (booleanFlags.includes(name)) {
      value = "true";
    } else {
      if (i + 1 >= argv.length || argv[i + 1].startsWith("--")) {
        throw new Error(`The flag --${name} needs a value: pass it as --${name} <value>.`);
      }
      value = argv[++i];
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { flags, positionals };
}

/** The last value of a flag, or undefined. */
export function flag(args: ParsedArgs, name: string): string | undefined {
  const values = args.flags.get(name);
  return values?.[values.length - 1];
}

/** Rejects flags the command does not know, so a typo is not silently ignored. */
export function assertKnownFlags(
  args: ParsedArgs,
  known: readonly string[],
  command: string,
): void {
  for (const name of args.flags.keys()) {
    if (!known.includes(name)) {
      throw new Error(
        `Unknown flag --${name} for \`${command}\`. Known flags: ${known.map((k) => `--${k}`).join(", ")}.`,
      );
    }
  }
}
