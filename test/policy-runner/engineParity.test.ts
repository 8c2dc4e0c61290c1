/**
 * `npm run policy` calls the pack as the engine does (issue #23 §2), one point per test, through a
 * pack that echoes what it receives (fixtures/parityPack) on a program whose bucket the provider
 * names (fixtures/parityProject). One host serves every test; each run is a fresh program.
 */
import { join } from "node:path";
import { autoName } from "../../policy-runner/providerCheck";
import { formatVerdict, ownMessage } from "../../policy-runner/report";
import {
  checkStack,
  RunMode,
  SetupError,
  StackVerdict,
  StackViolation,
} from "../../policy-runner/stackVerdict";
import { PolicyPackHost, startPolicyPackHost } from "../helpers/policyHost";

const FIXTURES = join(__dirname, "fixtures");
const BUCKET = 'aws:s3/bucket:Bucket "Open-Data"';
const BLOCK = 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock "open-data-block"';
const AWS_PROVIDER = "urn:pulumi:parity::runner-parity::pulumi:providers:aws::default_7_48_0";

interface Echo {
  inputs: Record<string, unknown>;
  provider: { urn: string; props: Record<string, unknown> } | null;
}

let host: PolicyPackHost;

beforeAll(async () => {
  host = await startPolicyPackHost(join(FIXTURES, "parityPack"));
}, 120_000);

afterAll(async () => {
  await host?.stop();
});

async function check(config: string, mode?: RunMode): Promise<StackVerdict> {
  jest.resetModules();
  return checkStack({
    root: join(FIXTURES, "parityProject"),
    stack: "parity",
    packDir: join(FIXTURES, "parityPack"),
    configFile: join(FIXTURES, "config", `${config}.json`),
    mode,
    host,
  });
}

async function setupError(config: string): Promise<string> {
  try {
    await check(config);
  } catch (error) {
    expect(error).toBeInstanceOf(SetupError);
    return (error as Error).message;
  }
  throw new Error("expected the check to stop with a SetupError");
}

const of = (verdict: StackVerdict, policy: string, resource?: string): StackViolation[] =>
  verdict.violations.filter(
    (v) => v.policyName === policy && (resource === undefined || v.resource === resource),
  );

/** What `parity-echo-inputs` saw of `resource`. */
function echoed(verdict: StackVerdict, resource: string): Echo {
  const [echo] = of(verdict, "parity-echo-inputs", resource);
  expect(echo).toBeDefined();
  return JSON.parse(ownMessage(echo)) as Echo;
}

describe("remediation, auto-naming and default providers (config: remediate)", () => {
  let verdict: StackVerdict;

  beforeAll(async () => {
    verdict = await check("remediate");
  }, 120_000);

  it("remediates before Analyze, analyzes the remediated inputs and deploys them", () => {
    expect(verdict.remediations).toEqual([
      { policyName: "parity-bucket-acl-private", resource: BUCKET },
    ]);
    expect(of(verdict, "parity-bucket-acl-private")).toEqual([]);
    expect(echoed(verdict, BUCKET).inputs.acl).toBe("private");
    const [stack] = of(verdict, "parity-echo-stack");
    const outputs = JSON.parse(ownMessage(stack)) as { name: string; props: { acl?: string } }[];
    expect(outputs.find((r) => r.name === "Open-Data")?.props.acl).toBe("private");
    expect(formatVerdict(verdict)).toContain(`  REMEDIATED parity-bucket-acl-private on ${BUCKET}`);
  });

  it("says that the ESC environments the config names are known only to the CLI", () => {
    expect(verdict.warnings).toEqual([
      "The policy config names ESC environments (acme/policy-settings): only the Pulumi CLI " +
        "opens them, so this verdict applies the file's own entries alone.",
    ]);
  });

  it("hands Analyze the bucket name the AWS provider's Check generates, stable across runs", () => {
    const name = autoName("aws:s3/bucket:Bucket", "Open-Data");
    expect(name).toMatch(/^open-data-[0-9a-f]{7}$/);
    expect(echoed(verdict, BUCKET).inputs.bucket).toBe(name);
    // The program sees the same name as the bucket's id.
    expect(echoed(verdict, BLOCK).inputs.bucket).toBe(name);
  });

  it("registers and analyzes the default provider, and gives it to every resource", () => {
    const expected = {
      urn: AWS_PROVIDER,
      props: { region: "eu-west-1", defaultTags: '{"tags":{"team":"data"}}', version: "7.48.0" },
    };
    expect(echoed(verdict, BUCKET).provider).toEqual(expected);
    expect(echoed(verdict, BLOCK).provider).toEqual(expected);
    expect(echoed(verdict, 'pulumi:providers:aws "default_7_48_0"').inputs).toEqual(expected.props);
    expect(verdict.resources).toBe(4); // the stack, the default provider, the bucket, the block
  });
});

describe("policy config as the CLI reads it", () => {
  it("refuses properties that do not fit a policy's configSchema", async () => {
    expect(await setupError("invalid")).toBe(
      "The policy config ../config/invalid.json does not fit pack runner-parity-pack, and the " +
        "Pulumi CLI would stop: parity-bucket-limit: maxBuckets: should be >= 0",
    );
  });

  it("applies `all` as a level only, and warns that its properties reach no policy", async () => {
    const verdict = await check("allWithProperties", "preview");
    expect(of(verdict, "parity-bucket-limit")).toEqual([]); // maxBuckets stays 5
    expect(of(verdict, "parity-echo-inputs", BUCKET)[0].enforcementLevel).toBe("mandatory");
    expect(verdict.warnings).toEqual([
      '"all" sets maxBuckets, which no policy reads: the CLI applies "all" as an enforcement ' +
        "level only. Put properties under each policy's name.",
    ]);
  }, 120_000);

  it("ignores a name the pack does not define, as the CLI does, and says which it meant", async () => {
    const verdict = await check("misspelt");
    expect(verdict.warnings).toEqual([
      '"parity-bucket-acl-privte" is not a policy of pack runner-parity-pack: the CLI ignores it ' +
        'without a word, so it configures nothing. Did you mean "parity-bucket-acl-private"?',
    ]);
    expect(of(verdict, "parity-bucket-acl-private", BUCKET)[0].enforcementLevel).toBe("mandatory");
  }, 120_000);

  it("stops where the CLI stops: an unknown name with properties and no level", async () => {
    expect(await setupError("misspeltWithoutLevel")).toContain(
      '"parity-bucket-limt" is not a policy of pack runner-parity-pack and has no ' +
        'enforcementLevel: the CLI stops with `invalid enforcement level ""`. Did you mean ' +
        '"parity-bucket-limit"?',
    );
  });
});

describe("`pulumi up` (the default) and a first `pulumi preview`", () => {
  it("stops `up` at a mandatory resource violation, before later resources and the stack", async () => {
    const verdict = await check("defaults");
    expect(verdict.mode).toBe("up");
    expect(verdict.stoppedAt).toBe(BUCKET);
    expect(of(verdict, "parity-bucket-acl-private", BUCKET)).toHaveLength(1);
    expect(of(verdict, "parity-echo-inputs", BLOCK)).toEqual([]);
    expect(of(verdict, "parity-echo-stack")).toEqual([]);
    const lines = formatVerdict(verdict);
    expect(lines[1]).toMatch(/^policy: stack parity: as `pulumi up` runs the pack/);
    expect(lines).toContain(
      `  STOPPED \`pulumi up\` stops at ${BUCKET}: later resources and the stack policies are ` +
        "not checked (--preview checks them all).",
    );
  }, 120_000);

  it("previews with unknown outputs as advisory notes, checking every resource and the stack", async () => {
    const verdict = await check("defaults", "preview");
    expect(verdict.stoppedAt).toBeUndefined();
    expect(of(verdict, "parity-bucket-acl-private", BUCKET)[0].enforcementLevel).toBe("mandatory");
    // The bucket's name comes from the provider's Check, so it is known; its id is not.
    expect(echoed(verdict, BUCKET).inputs.bucket).toBe(
      autoName("aws:s3/bucket:Bucket", "Open-Data"),
    );
    expect(of(verdict, "parity-echo-inputs", BLOCK)).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        message:
          "can't run policy 'parity-echo-inputs' from policy pack 'runner-parity-pack@v0.0.1' " +
          "during preview: string value at .bucket can't be known during preview",
      }),
    ]);
    expect(of(verdict, "parity-echo-stack")).toHaveLength(1);
  }, 120_000);
});
