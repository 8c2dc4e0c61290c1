/**
 * The flag reading `npm start`, `npm run verify` and `npm run policy` share (flags/parseFlags.ts):
 * every mistake of a command line at once, each one sentence with its fix.
 */
import { formatFlags, parseFlags, UsageError, type FlagTable } from "../../flags/parseFlags";

const TABLE = {
  stack: { type: "string", value: "NAME", help: "the stack" },
  key: { type: "string", multiple: true, value: "KEY", help: "a key; repeatable" },
  verify: { type: "boolean", help: "check" },
  help: { type: "boolean", short: "h", help: "this text" },
} as const satisfies FlagTable;

const HELP = "Fix: see `cmd -- --help` for the options.";

function problems(argv: string[]): readonly string[] {
  try {
    parseFlags(argv, TABLE, "cmd");
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).problems;
  }
  return [];
}

describe("parseFlags", () => {
  it("reads values, repeated values and switches", () => {
    expect(parseFlags(["--stack", "a", "--key=x", "--key", "y", "-h"], TABLE, "cmd")).toEqual({
      stack: "a",
      key: ["x", "y"],
      help: true,
    });
  });

  it.each<[string[], string[]]>([
    [["--stak", "prod"], [`Unknown option \`--stak\`. Did you mean \`--stack\`? ${HELP}`]],
    [["--stak=prod"], [`Unknown option \`--stak\`. Did you mean \`--stack\`? ${HELP}`]],
    [["--colour"], [`Unknown option \`--colour\`. ${HELP}`]],
    [["-x"], [`Unknown option \`-x\`. ${HELP}`]],
    [
      ["--key", "--stack", "a", "b"],
      [
        "Option `--key` needs a value. Fix: `--key <value>`.",
        "Unexpected argument `b`: `cmd` takes only options. " + HELP,
      ],
    ],
    [
      ["--verify=yes", "--stack", "", "--vrify"],
      [
        "Option `--verify` takes no value. Fix: write `--verify` alone.",
        "Option `--stack` needs a value. Fix: `--stack <value>`.",
        `Unknown option \`--vrify\`. Did you mean \`--verify\`? ${HELP}`,
      ],
    ],
  ])("names every mistake of %j at once", (argv, expected) => {
    expect(problems(argv)).toEqual(expected);
  });

  it("formats --help with one flag a line, aligned", () => {
    expect(formatFlags(TABLE).split("\n")).toEqual([
      "  --stack NAME  the stack",
      "  --key KEY     a key; repeatable",
      "  --verify      check",
      "  -h, --help    this text",
    ]);
  });
});
