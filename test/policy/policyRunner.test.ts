/**
 * `npm run policy`: a stack's program under mocks, every resource sent to the real policy host,
 * the stack's policy config, violations printed with policy, resource and level, a non-zero exit on
 * a mandatory one, and one line (no stack trace) when the check cannot run.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { exitCodeOf, formatVerdict } from "../../policy-runner/report";
import { checkStack, SetupError, StackVerdict } from "../../policy-runner/stackVerdict";
import { PolicyPackHost, startPolicyPackHost } from "../helpers/policyHost";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const FIXTURES = join(__dirname, "fixtures");
const EXPOSED = join(FIXTURES, "exposedProject");
const exposed = (stack: string, packDir?: string) => ({
  root: EXPOSED,
  stack,
  configDir: join(EXPOSED, "policy-config"),
  packDir: packDir ?? join(ROOT, "policy"),
  // A preview goes on after a mandatory violation, so every resource and the stack are reported.
  mode: "preview" as const,
});

async function setupError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SetupError);
    return (error as Error).message;
  }
  throw new Error("expected the check to stop with a SetupError");
}

describe("npm run policy", () => {
  let verdict: StackVerdict;
  let host: PolicyPackHost;

  beforeAll(async () => {
    host = await startPolicyPackHost(join(ROOT, "policy"));
    jest.resetModules();
    verdict = await checkStack({ ...exposed("exposed"), host });
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
  });

  it("reports a public program's violations with policy, resource and level, and exits 1", () => {
    const found = verdict.violations
      .filter((v) => v.enforcementLevel === "mandatory")
      .map((v) => [v.policyName, v.resource]);
    expect(found).toEqual(
      expect.arrayContaining([
        ["s3-bucket-disallow-public-acl", 'aws:s3/bucket:Bucket "open"'],
        ["s3-bucket-policy-disallow-public-principal", 'aws-native:s3:BucketPolicy "open-policy"'],
        ["s3-bucket-disallow-unblocked-public-access", 'aws:s3/bucket:Bucket "open"'],
      ]),
    );
    expect(exitCodeOf(verdict)).toBe(1);
    const lines = formatVerdict(verdict);
    expect(lines[0]).toBe(
      `policy: stack exposed: ${verdict.resources} resources checked by api-s3-load-guard@0.1.0 ` +
        "(14 policies, config policy-config/exposed.json)",
    );
    expect(lines).toContain(
      '  MANDATORY s3-bucket-disallow-public-acl on aws:s3/bucket:Bucket "open"',
    );
    expect(lines).toContain(
      '      `acl` is "public-read", but a bucket ACL must be "private". Remove `acl` and keep ACLs disabled with ownership controls "BucketOwnerEnforced", or set it to "private".',
    );
    expect(lines[lines.length - 1]).toMatch(
      /^policy: stack exposed: \d+ mandatory, \d+ advisory violation\(s\): the engine would stop this deployment$/,
    );
  });

  it("checks every resource the engine registers, the stack and default providers included", () => {
    // pulumi:pulumi:Stack, the aws default provider, the bucket, the aws-native one, the policy.
    expect(verdict.resources).toBe(5);
  });

  it("gives each resource its default provider, so an account block of another provider does not count", async () => {
    jest.resetModules();
    const split = await checkStack({
      root: join(__dirname, "..", "policy-runner", "fixtures", "accountBlockProject"),
      stack: "split",
      configFile: join(__dirname, "..", "policy-runner", "fixtures", "config", "defaults.json"),
      host,
    });
    expect(split.resources).toBe(5); // the stack, two default aws providers, the bucket, the block
    expect(
      split.violations
        .filter((v) => v.policyName === "s3-bucket-disallow-unblocked-public-access")
        .map((v) => [v.enforcementLevel, v.resource]),
    ).toEqual([["mandatory", 'aws:s3/bucket:Bucket "data"']]);
  }, 120_000);

  it("says in one line when a stack file cannot be read", async () => {
    jest.resetModules();
    const message = await setupError(checkStack(exposed("broken")));
    expect(message).toMatch(
      /^\/.*\/Pulumi\.broken\.yaml is not valid YAML at line 3, column 1: .*Fix the file there \(Pulumi reads the same file\)\.$/,
    );
  });

  it("says in one line when the pack does not load", async () => {
    jest.resetModules();
    const message = await setupError(checkStack(exposed("exposed", join(FIXTURES, "brokenPack"))));
    expect(message.split("\n")).toHaveLength(1);
    expect(message).toMatch(
      /^The policy pack in \.\.\/brokenPack did not load: .*the policy list could not be built \(broken on purpose\)/,
    );
  }, 120_000);

  it("runs the dev stack as a command: exit 0, a summary, no stack trace", async () => {
    const { stdout } = await run(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "policy-runner/main.ts", "--stack", "dev"],
      { cwd: ROOT },
    );
    expect(stdout).toMatch(
      /^policy: stack dev: \d+ resources checked by api-s3-load-guard@0\.1\.0/,
    );
    expect(stdout).toMatch(/policy: stack dev: 0 mandatory, \d+ advisory violation\(s\)\n$/);
  }, 120_000);

  it("exits 2 with one line for a stack that does not exist", async () => {
    const failure = await run(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "policy-runner/main.ts", "--stack", "nope"],
      { cwd: ROOT },
    ).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    const lines = (failure?.stderr ?? "").split("\n").filter((l) => l.startsWith("policy:"));
    expect(lines).toEqual([
      expect.stringMatching(
        /^policy: stack nope: There is no stack "nope" \(no Pulumi\.nope\.yaml in .*\): pass one of --stack dev, --stack local, --stack prod\.$/,
      ),
    ]);
    expect(failure?.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
