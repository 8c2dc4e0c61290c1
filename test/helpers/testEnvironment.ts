/**
 * Jest's Node environment, with the program's one start-up remedy applied to the worker process.
 *
 * Jest runs each test file in a sandbox whose `process` is a copy, but Node's built-in modules warn
 * through the worker's real process, which only this module (loaded outside the sandbox) reaches.
 * Tests serialize the Snapshot provider as `pulumi up` does, so Pulumi's serializer loads `node:ffi`
 * here too; the same function that keeps `pulumi up` free of that warning keeps the test run free
 * of it (see components/snapshot/ffiWarning.ts).
 */
import { TestEnvironment } from "jest-environment-node";
import { loadFfiWithoutItsWarning } from "../../components/snapshot/ffiWarning";

loadFfiWithoutItsWarning();

export default TestEnvironment;
