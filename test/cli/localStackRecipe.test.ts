/**
 * docs/operations.md's moto-over-https recipe, run as written: the bash block after the
 * `<!-- moto-https-recipe -->` marker is taken from the doc (so the doc and this test cannot drift),
 * with only its port changed to a free one, in a copy of the project whose Pulumi.local.yaml is the
 * shipped one on that port. Then, with moto still up, the two mistakes the recipe guards against
 * must each get their sentence: an http:// endpoint at the https server, and no NODE_EXTRA_CA_CERTS.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { startFakeCoingecko, type FakeCoingecko } from "../helpers/fakeCoingecko";
import { describeMoto } from "../helpers/moto";
import { PROJECT_ROOT } from "../helpers/programRun";
import { projectCopy, removeProject } from "./npmStart";

/** The recipe block of docs/operations.md. */
export function motoRecipe(): string {
  const doc = readFileSync(join(PROJECT_ROOT, "docs", "operations.md"), "utf8");
  const block = /<!-- moto-https-recipe -->\n```bash\n([\s\S]*?)\n```/.exec(doc);
  if (!block) {
    throw new Error("docs/operations.md has no ```bash block after <!-- moto-https-recipe -->");
  }
  return block[1];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn("bash", ["-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
}

describeMoto("docs/operations.md: moto over https for the local stack", () => {
  let fake: FakeCoingecko;
  let root: string;

  beforeAll(async () => {
    fake = await startFakeCoingecko();
    root = projectCopy({});
  });

  afterAll(async () => {
    await fake.stop();
    removeProject(root);
  });

  it("runs as written: npm start --stack local lands the data, and each mistake gets its fix", async () => {
    const port = String(await freePort());
    const recipe = motoRecipe();
    expect(recipe).toContain("moto_server -p 4566 --ssl-cert cert.pem --ssl-key key.pem &");
    expect(recipe).toContain("curl --cacert cert.pem");
    expect(recipe).toContain("NODE_EXTRA_CA_CERTS=$PWD/cert.pem");
    const shipped = readFileSync(join(PROJECT_ROOT, "Pulumi.local.yaml"), "utf8");
    expect(shipped).toContain("s3: https://localhost:4566");
    writeFileSync(join(root, "Pulumi.local.yaml"), shipped.replaceAll("4566", port));

    const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: "false" };
    for (const name of [
      "NODE_EXTRA_CA_CERTS",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_PROFILE",
      "COINGECKO_API_KEY",
      "COINGECKO_PLAN",
    ]) {
      delete env[name];
    }
    // The run's CoinGecko is the fake; that is the only thing the recipe's shell does not set.
    env.COINGECKO_BASE_URL = fake.baseUrl;
    const script = [
      "set -e",
      // moto, started in the background by the recipe, stops with this shell.
      "trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT",
      recipe.replaceAll("4566", port),
      "echo '=== http at https' >&2",
      `npm start --silent -- --stack local --s3-endpoint http://localhost:${port} --bucket api-s3-load-local || true`,
      "echo '=== untrusted' >&2",
      "env -u NODE_EXTRA_CA_CERTS npm start --silent -- --stack local || true",
    ].join("\n");

    const run = await bash(script, root, env);

    expect(run.code).toBe(0);
    const [recipeErr, httpErr, untrustedErr] = run.stderr.split(/^=== .*\n/m);
    expect(recipeErr).toContain(
      `S3 endpoint https://localhost:${port} (from \`aws:endpoints\` in Pulumi.local.yaml, path-style), bucket "api-s3-load-local".`,
    );
    expect(run.stdout).toContain(
      "coins-markets: data successfully uploaded to s3://api-s3-load-local/coingecko/coins-markets.json (",
    );
    expect(httpErr.trim()).toBe(
      `error: The S3 endpoint http://localhost:${port} (\`--s3-endpoint\`) closed the connection without answering (ECONNRESET, "socket hang up"), which is what a server that speaks only https does with a plain-http request. If the emulator serves https (moto_server with --ssl-cert and --ssl-key), name it with https://localhost:${port} instead of http://.`,
    );
    expect(untrustedErr.trim()).toBe(
      `error: Node does not trust the certificate of the S3 endpoint https://localhost:${port} (\`aws:endpoints\` in Pulumi.local.yaml): DEPTH_ZERO_SELF_SIGNED_CERT. Give Node that certificate (or the CA that signed it) in NODE_EXTRA_CA_CERTS when you start the command, e.g. \`NODE_EXTRA_CA_CERTS=$PWD/cert.pem npm start -- --stack local\` (docs/operations.md, "The local stack").`,
    );
  });
});
