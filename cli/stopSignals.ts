/**
 * How a command of cli/ learns it is asked to stop: SIGINT (Ctrl-C) or SIGTERM.
 *
 * npm runs a script through a shell (`sh -c` on POSIX, cmd.exe on Windows), so the scripts cannot
 * `exec` into Node. A Ctrl-C still reaches Node, which is in the terminal's process group, but a
 * SIGTERM sent to npm alone is forwarded to the shell, and a shell waiting for its command dies of
 * it without passing it on (dash does not replace itself with the command). Node then finds its
 * parent gone and sends itself the SIGTERM it was not sent (`stopWithParent`).
 */
import type { EventEmitter } from "node:events";

export type StopSignal = "SIGINT" | "SIGTERM";

/** The exit status of a process ended by the signal: 128 + its number, as shells report it. */
export const EXIT_CODES: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/** How often the parent is looked at: a stop is noticed within this long. */
const PARENT_POLL_MS = 100;

/**
 * Calls `handler` on SIGINT or SIGTERM from `signals` (the process by default). Returns the function
 * that gives the signals back to their default handling.
 */
export function onStop(
  handler: (signal: StopSignal) => void,
  signals: EventEmitter = process,
): () => void {
  const listeners = (["SIGINT", "SIGTERM"] as const).map(
    (signal) => [signal, () => handler(signal)] as const,
  );
  for (const [signal, listener] of listeners) {
    signals.on(signal, listener);
  }
  return () => {
    for (const [signal, listener] of listeners) {
      signals.off(signal, listener);
    }
  };
}

/**
 * Sends this process SIGTERM once the process that started it has ended (it is then adopted by
 * another): the command's own handler, if one listens, says what was stopped; otherwise Node ends.
 */
export function stopWithParent(): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      process.kill(process.pid, "SIGTERM");
    }
  }, PARENT_POLL_MS);
  timer.unref();
}
