/**
 * The pack as an organisation's stacks run it after `pulumi policy publish`.
 *
 * Publishing uploads what `npm pack` packs from policy/ (its `files`); a consuming CLI unpacks
 * that tarball into an empty folder, runs `npm install` there (so only policy/package.json's
 * dependencies exist: no workspace, no root node_modules) and starts the analyzer with that
 * folder's own `node_modules/@pulumi/pulumi/cmd/run-policy-pack`. This test does exactly that and
 * asserts that the pack loads with its own TypeScript (not the CLI's bundled 3.8, which rejects
 * ES2022) and reports violations.
 *
 * The tarball is unpacked rather than installed as a dependency (`npm install <tgz>`) because
 * that is what the CLI does, and because ts-node never compiles files under node_modules, so a
 * pack installed as a dependency would not load through any CLI path either.
 *
 * It needs the npm registry (the npm cache makes it fast). When the registry cannot be reached the
 * test is skipped, with the reason printed, never passed.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PolicyPackHost, PolicyResource, startPolicyPackHost } from "../helpers/policyHost";

const run = promisify(execFile);

/** Version of every package under `dir`/node_modules, by lockfile path (`node_modules/a/node_modules/b`). */
async function installedVersions(dir: string, prefix = ""): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  const modules = join(dir, "node_modules");
  let names: string[];
  try {
    names = await readdir(modules);
  } catch {
    return found;
  }
  const packages = (
    await Promise.all(
      names
        .filter((n) => !n.startsWith("."))
        .map(async (n) =>
          n.startsWith("@") ? (await readdir(join(modules, n))).map((m) => `${n}/${m}`) : [n],
        ),
    )
  ).flat();
  for (const name of packages) {
    const path = `${prefix}node_modules/${name}`;
    try {
      const manifest = JSON.parse(await readFile(join(modules, name, "package.json"), "utf8")) as {
        version: string;
      };
      // @pulumi/policy writes its own version with a leading "v"; the lockfile does not.
      found[path] = manifest.version.replace(/^v/, "");
    } catch {
      continue;
    }
    Object.assign(found, await installedVersions(join(modules, name), `${path}/`));
  }
  return found;
}
const PACK_DIR = join(__dirname, "..", "..", "policy");

/** This process's environment without npm's per-run settings, so the install sees no workspace. */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")),
  );
}

function registryUnreachable(): string | undefined {
  try {
    execFileSync("npm", ["ping", "--fetch-retries=0", "--fetch-timeout=15000"], {
      env: npmEnv(),
      stdio: "pipe",
      timeout: 30_000,
    });
    return undefined;
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? "";
    const lines = stderr.split("\n").map((line) => line.replace(/^npm error\s*/, "").trim());
    const reason = lines.find((line) => line.startsWith("FetchError")) ?? lines.find((l) => l);
    return `npm ping failed: ${reason ?? String(err)}`;
  }
}

const skipReason = registryUnreachable();
if (skipReason !== undefined) {
  console.warn(
    `SKIPPED publishedPack.host.test.ts: the npm registry is unreachable, so the published pack ` +
      `cannot be installed (${skipReason}).`,
  );
}
const describeOnline = skipReason === undefined ? describe : describe.skip;

describeOnline("api-s3-load-guard as published: npm pack, unpack, npm install, run", () => {
  let work: string;
  let packed: string[];
  let host: PolicyPackHost;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "api-s3-load-guard-published-"));
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work], {
      cwd: PACK_DIR,
      env: npmEnv(),
    });
    const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    packed = info.files.map((f) => f.path).sort();
    const installDir = join(work, "pack");
    await mkdir(installDir);
    await run("tar", ["-xzf", join(work, info.filename), "-C", installDir, "--strip-components=1"]);
    // As the consuming CLI installs a pack: `npm install` in the unpacked folder, which reads the
    // npm-shrinkwrap.json the tarball carries.
    await run("npm", ["install", "--prefer-offline", "--omit=dev", "--no-audit", "--no-fund"], {
      cwd: installDir,
      env: npmEnv(),
      maxBuffer: 16 * 1024 * 1024,
    });
    host = await startPolicyPackHost(installDir, {
      program: join(installDir, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack"),
    });
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    if (work) {
      await rm(work, { recursive: true, force: true });
    }
  });

  it("packs the sources, the tsconfig and PulumiPolicy.yaml, and no tests", () => {
    expect(packed).toContain("tsconfig.json");
    expect(packed).toContain("PulumiPolicy.yaml");
    expect(packed).toContain("index.ts");
    expect(packed).toContain("config/prod.json");
    expect(packed.filter((f) => !/^(s3\/.*\.ts|config\/\w+\.json)$/.test(f))).toEqual([
      "PulumiPolicy.yaml",
      "index.ts",
      "npm-shrinkwrap.json",
      "package.json",
      "tsconfig.json",
    ]);
  });

  it("installs exactly the versions of its npm-shrinkwrap.json, which are the ones the tests ran with", async () => {
    const shrinkwrap = JSON.parse(
      await readFile(join(PACK_DIR, "npm-shrinkwrap.json"), "utf8"),
    ) as { packages: Record<string, { version?: string; optional?: boolean }> };
    const wanted = Object.entries(shrinkwrap.packages).filter(([path]) => path !== "");
    const installed = await installedVersions(join(work, "pack"));
    // Every locked package is installed at its locked version (an optional one may be skipped on
    // a platform it does not support)...
    for (const [path, entry] of wanted) {
      if (installed[path] === undefined && entry.optional) {
        continue;
      }
      expect([path, installed[path]]).toEqual([path, entry.version]);
    }
    // ...and nothing else is.
    expect(Object.keys(installed).filter((p) => shrinkwrap.packages[p] === undefined)).toEqual([]);
    expect(wanted.length).toBeGreaterThan(50);
  });

  it("installs its own TypeScript, ts-node and Node types, so the CLI's bundled 3.8 is never used", async () => {
    const version = async (name: string) =>
      (
        JSON.parse(
          await readFile(join(work, "pack", "node_modules", name, "package.json"), "utf8"),
        ) as { version: string }
      ).version;
    const wanted = (
      JSON.parse(await readFile(join(PACK_DIR, "package.json"), "utf8")) as {
        dependencies: Record<string, string>;
      }
    ).dependencies;
    for (const name of [
      "typescript",
      "ts-node",
      "@types/node",
      "@pulumi/pulumi",
      "@pulumi/policy",
    ]) {
      // @pulumi/policy writes its own version with a leading "v".
      expect([name, (await version(name)).replace(/^v/, "")]).toEqual([name, wanted[name]]);
    }
  });

  it("loads in the installed host and serves every policy", async () => {
    const info = await host.getAnalyzerInfo();
    expect(info.name).toBe("api-s3-load-guard");
    expect(info.version).toBe("0.1.0");
    expect(info.policies).toHaveLength(14);
  });

  it("reports violations on a public bucket", async () => {
    const bucket: PolicyResource = {
      type: "aws:s3/bucket:Bucket",
      name: "data",
      properties: { bucket: "open-bucket", id: "open-bucket", acl: "public-read" },
    };
    const perResource = await host.analyze(bucket);
    // The host puts the policy's description before the message, on its own line.
    expect(perResource.map((v) => [v.policyName, v.enforcementLevel, v.message])).toEqual([
      [
        "s3-bucket-disallow-public-acl",
        "mandatory",
        `${perResource[0]?.description}\n` +
          '`acl` is "public-read", but a bucket ACL must be "private". Remove `acl` and keep ACLs disabled with ownership controls "BucketOwnerEnforced", or set it to "private".',
      ],
    ]);
    const stack = await host.analyzeStack([bucket]);
    expect(
      stack.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policyName),
    ).toEqual([
      "s3-bucket-disallow-unblocked-public-access",
      "s3-bucket-disallow-uncontrolled-ownership",
      "s3-bucket-disallow-unencrypted",
    ]);
  });
});
