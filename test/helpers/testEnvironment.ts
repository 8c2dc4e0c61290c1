/**
 * Jest's Node environment, with the program's one start-up remedy applied to the worker process.
 *
 * Jest runs each test file in a sandbox whose `process` is a copy, but Node's built-in modules warn
 * through the worker's real process, which only this module (loaded outside the sandbox) reaches.
 * Tests serialize the Snapshot provider as `pulumi up` does, so Pulumi's serializer loads `node:ffi`
 * here too; the same function that keeps `pulumi up` free of that warning keeps the test run free
 * of it (see components/snapshot/ffiWarning.ts). After each file it closes what Pulumi's function
 * serializer left open on the worker (inspectorSessions.ts), which otherwise held gigabytes, and
 * the worker exits as soon as jest has ended it (workerExit.ts), within jest's grace period.
 */
import { appendFileSync } from "node:fs";
import { basename } from "node:path";
import { getHeapStatistics } from "node:v8";
import type { EnvironmentContext, JestEnvironmentConfig } from "@jest/environment";
import { TestEnvironment } from "jest-environment-node";
import { loadFfiWithoutItsWarning } from "../../components/snapshot/ffiWarning";
import { disconnectInspectorSessions, trackInspectorSessions } from "./inspectorSessions";
import { exitOnceDrained } from "./workerExit";

loadFfiWithoutItsWarning();
trackInspectorSessions();
exitOnceDrained();

const MB = 1024 * 1024;

function memoryLine(): string {
  const mb = (bytes: number): number => Math.round(bytes / MB);
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  const contexts = getHeapStatistics().number_of_native_contexts;
  return `rss=${mb(rss)}MB heap=${mb(heapUsed)}/${mb(heapTotal)}MB external=${mb(external)}MB contexts=${contexts}`;
}

export default class SuiteEnvironment extends TestEnvironment {
  private readonly testFile: string;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.testFile = context.testPath;
  }

  /**
   * Disconnects the inspector sessions this file's Pulumi runs opened (inspectorSessions.ts). With
   * SUITE_MEMORY_LOG set (bench/suiteMemory.ts), appends the worker's memory after this file:
   * resident, JS heap used/committed, external, and the V8 contexts still alive (one per test file
   * until it is collected), to tell memory a worker keeps from memory it has yet to collect.
   */
  override async teardown(): Promise<void> {
    disconnectInspectorSessions();
    await super.teardown();
    const log = process.env.SUITE_MEMORY_LOG;
    if (log) {
      appendFileSync(log, `${process.pid} ${memoryLine()} ${basename(this.testFile)}\n`);
    }
  }
}
