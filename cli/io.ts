/** Where a command writes: one line per call. Every command of cli/ takes one. */
export interface Io {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

/** The process's own streams. */
export const PROCESS_IO: Io = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
};
