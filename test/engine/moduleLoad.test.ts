import { execFileSync } from "node:child_process";
import { join } from "node:path";

describe("requiring the engine", () => {
  it("loads neither the AWS SDK nor node-fetch, and reads no environment secret", () => {
    // A fresh process, as Pulumi's dynamic-provider host has: what does a bare require pull in?
    const root = join(__dirname, "..", "..");
    const script = `
      require("ts-node").register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
      const engine = require(${JSON.stringify(join(root, "packages/snapshot-engine/src/index.ts"))});
      const loaded = Object.keys(require.cache);
      process.stdout.write(JSON.stringify({
        sdk: loaded.some((p) => p.includes("@aws-sdk")),
        fetch: loaded.some((p) => p.includes("node-fetch")),
        exports: Object.keys(engine).sort(),
      }));`;
    const out = JSON.parse(
      execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" }),
    );
    expect(out.sdk).toBe(false);
    expect(out.fetch).toBe(false);
    expect(out.exports).toEqual(
      expect.arrayContaining([
        "ENGINE_VERSION",
        "USER_AGENT",
        "UNKNOWN",
        "defaultSnapshotKey",
        "planDefaults",
        "parseDuration",
        "validateSnapshotInputs",
        "runSnapshot",
        "headSnapshot",
        "deleteSnapshot",
        "createS3Client",
        "SnapshotError",
      ]),
    );
  });
});
