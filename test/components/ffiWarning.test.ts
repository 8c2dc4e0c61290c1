import { execFile } from "node:child_process";
import { builtinModules } from "node:module";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const hasFfi = builtinModules.includes("node:ffi");

/**
 * Runs, in a plain Node process like the one `pulumi up` starts, what Pulumi's closure serializer
 * does on its first Snapshot: load every built-in module. With `remedy`, the program's start-up call
 * comes first. Another warning is emitted too, which must still print.
 */
function serializerLoad(remedy: boolean): Promise<{ stderr: string; loaded: boolean }> {
  const script = `
    const loaded = ${remedy} ? require("./components/snapshot/ffiWarning").loadFfiWithoutItsWarning() : false;
    process.emitWarning("some other experiment", "ExperimentalWarning");
    for (const name of require("node:module").builtinModules) {
      try { require(name); } catch { /* a module this line cannot load */ }
    }
    console.log(JSON.stringify({ loaded }));
  `;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "-e", script],
      { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: "" } },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${error.message}\n${stderr}`));
          return;
        }
        resolve({ stderr, loaded: (JSON.parse(stdout.trim()) as { loaded: boolean }).loaded });
      },
    );
  });
}

describe("the FFI warning Pulumi's serializer would print on Node 26", () => {
  it("does not print when the program has started, while other warnings still do", async () => {
    const run = await serializerLoad(true);
    expect(run.loaded).toBe(hasFfi);
    expect(run.stderr).not.toContain("FFI");
    expect(run.stderr).toContain("ExperimentalWarning: some other experiment");
  });

  (hasFfi ? it : it.skip)("prints without it, on a Node line that has node:ffi", async () => {
    const run = await serializerLoad(false);
    expect(run.stderr).toContain("ExperimentalWarning: FFI is an experimental feature");
  });
});
