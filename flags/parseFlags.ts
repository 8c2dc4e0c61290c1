/**
 * Flags of `npm start`, `npm run verify` and `npm run policy`, read by Node's own `util.parseArgs`
 * and checked token by token, so that every mistake of a command line is named at once: unknown
 * options (with the flag a typo most likely meant), stray arguments, a value missing or given to a
 * switch. Booleans take no value; repeated options collect when declared `multiple`.
 */
import { parseArgs } from "node:util";
import { nearestName } from "../config/problems";

/** One flag of a command: how it is parsed and the one line `--help` gives it. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in `--help`, such as `NAME`; string flags only. */
  value?: string;
  /** What the flag does, in one line of `--help`. */
  help: string;
}

export type FlagTable = Readonly<Record<string, FlagSpec>>;

/** The values of a command line, by flag name; a flag not given is undefined. */
export type FlagValues<T extends FlagTable> = {
  [K in keyof T]?: T[K]["type"] extends "boolean"
    ? boolean
    : T[K]["multiple"] extends true
      ? string[]
      : string;
};

/** A command line the command cannot run: every mistake in it, one sentence each. */
export class UsageError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "UsageError";
  }
}

/**
 * Parses `argv` against `table`. `command` is how the user types the command (`npm start`), used in
 * the messages. An option given an empty value is refused too: no option of ours means "nothing".
 * Throws one `UsageError` naming every mistake.
 */
export function parseFlags<T extends FlagTable>(
  argv: string[],
  table: T,
  command: string,
): FlagValues<T> {
  // parseArgs refuses a property given as undefined, so only the ones a flag has are passed.
  const options = Object.fromEntries(
    Object.entries(table).map(([name, { type, short, multiple }]) => [
      name,
      { type, ...(short ? { short } : {}), ...(multiple ? { multiple } : {}) },
    ]),
  );
  const help = `see \`${command} -- --help\` for the options`;
  const problems: string[] = [];
  const values: Record<string, string | string[] | boolean> = {};
  let rest = argv;
  while (rest.length > 0) {
    rest = scan(rest);
  }
  /** Reads `args`; returns what is left to read when an option took the next option as its value. */
  function scan(args: string[]): string[] {
    const { tokens } = parseArgs({
      args,
      options,
      strict: false,
      allowPositionals: true,
      tokens: true,
    });
    /** The argument right after an unknown option: most likely its value, not a stray argument. */
    let valueOfUnknown = -1;
    for (const token of tokens) {
      if (token.kind === "positional") {
        if (token.index !== valueOfUnknown) {
          problems.push(
            `Unexpected argument \`${token.value}\`: \`${command}\` takes only options. Fix: ${help}.`,
          );
        }
        continue;
      }
      if (token.kind !== "option") {
        continue;
      }
      const spec = Object.hasOwn(table, token.name) ? table[token.name] : undefined;
      const flag = `--${token.name}`;
      if (!spec) {
        const near = nearestName(token.name, Object.keys(table));
        const guess = near && token.rawName.startsWith("--") ? ` Did you mean \`--${near}\`?` : "";
        problems.push(`Unknown option \`${token.rawName}\`.${guess} Fix: ${help}.`);
        if (!token.inlineValue) {
          valueOfUnknown = token.index + 1;
        }
      } else if (spec.type === "boolean" && token.value !== undefined) {
        problems.push(`Option \`${flag}\` takes no value. Fix: write \`${flag}\` alone.`);
      } else if (spec.type === "string" && (token.value === undefined || token.value === "")) {
        problems.push(`Option \`${flag}\` needs a value. Fix: \`${flag} <value>\`.`);
      } else if (spec.type === "string" && !token.inlineValue && token.value!.startsWith("-")) {
        // `--key --bucket b`: the next option is not this one's value; read on from it.
        problems.push(`Option \`${flag}\` needs a value. Fix: \`${flag} <value>\`.`);
        return args.slice(token.index + 1);
      } else if (spec.type === "boolean") {
        values[token.name] = true;
      } else if (spec.multiple) {
        values[token.name] = [
          ...((values[token.name] as string[] | undefined) ?? []),
          token.value!,
        ];
      } else {
        values[token.name] = token.value!;
      }
    }
    return [];
  }
  if (problems.length > 0) {
    throw new UsageError(problems);
  }
  return values as FlagValues<T>;
}

/** The options part of `--help`: one flag a line, its placeholder, then what it does. */
export function formatFlags(table: FlagTable): string {
  const heads = Object.entries(table).map(
    ([name, spec]) =>
      `${spec.short ? `-${spec.short}, ` : ""}--${name}${spec.value ? ` ${spec.value}` : ""}`,
  );
  const width = Math.max(...heads.map((head) => head.length)) + 2;
  return Object.values(table)
    .map((spec, i) => `  ${heads[i].padEnd(width)}${spec.help}`)
    .join("\n");
}

/**
 * A command's flags, or undefined after telling `say` every mistake in them, one line each (the
 * command then exits 2): the one way `npm start`, `npm run demo` and `npm run policy` report them.
 */
export function flagsOrMistakes<V>(read: () => V, say: (problem: string) => void): V | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof UsageError) {
      error.problems.forEach(say);
      return undefined;
    }
    throw error;
  }
}
