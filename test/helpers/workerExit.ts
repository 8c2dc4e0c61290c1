/**
 * jest-worker ends a worker by removing its message listener and letting the event loop drain,
 * and gives it 500 ms (`workerGracefulExitTimeout`) before it kills it and prints "A worker process
 * has failed to exit gracefully". Nothing is left open at that point (no handle survives a test
 * file); the time goes after the loop has drained, in Node's natural exit, which disposes the V8
 * isolate and so unmaps the heap page by page while its platform threads still run. Measured with
 * perf on a worker that ran test/program: over 400 ms in `Heap::TearDown` for a 0.6 GB worker on
 * this 2-core machine under load, and several seconds for the 5 GB workers of before
 * inspectorSessions.ts. `process.exit()` skips that teardown and leaves the memory to the kernel,
 * which releases it at once: the same worker then exited 83 ms after jest's end, down from 700.
 */

/**
 * Once the process has nothing left to do, exits it at once (with its `exitCode`) instead of
 * through the isolate's teardown. `beforeExit` is emitted only when the event loop is empty, so no
 * test, server or write is cut short.
 */
export function exitOnceDrained(): void {
  process.once("beforeExit", () => process.exit());
}
