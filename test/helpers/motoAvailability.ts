/**
 * Whether the moto suites can run on this machine, and why not. Kept apart from moto.ts so jest's
 * global setup can ask without loading the AWS SDK or jest's test globals.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import * as tls from "node:tls";

/** The version the project is proven against (issue 12); CI installs exactly this one. */
export const MOTO_VERSION = "5.2.1";
export const MOTO_INSTALL = `pip install "moto[server]==${MOTO_VERSION}"`;

const CACHE_VARIABLE = "API_S3_LOAD_MOTO";

export type MotoAvailability =
  { available: true; python: string; version: string } | { available: false; reason: string };

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, command);
    if (dir && existsSync(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

/** The Python that runs `moto_server`: its script's interpreter, or `python3` behind a pyenv shim. */
function pythonOf(motoServer: string): string {
  const first = readFileSync(motoServer, "utf8").split("\n", 1)[0];
  const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first);
  if (shebang && /python/.test(shebang[1])) {
    return shebang[1];
  }
  if (shebang && /env$/.test(shebang[1]) && shebang[2] && /python/.test(shebang[2])) {
    return shebang[2];
  }
  return "python3";
}

function probe(): MotoAvailability {
  const motoServer = onPath("moto_server");
  if (!motoServer) {
    return { available: false, reason: `moto_server is not installed (${MOTO_INSTALL})` };
  }
  if (
    typeof (tls as { setDefaultCACertificates?: unknown }).setDefaultCACertificates !== "function"
  ) {
    return {
      available: false,
      reason: `Node ${process.version} lacks tls.setDefaultCACertificates, which the suites use to trust their own certificate; use the Node releases pinned in .ci/node`,
    };
  }
  if (!onPath("openssl")) {
    return {
      available: false,
      reason: "openssl is not installed (the suites make their certificate with it)",
    };
  }
  const python = pythonOf(motoServer);
  const check = spawnSync(
    python,
    ["-c", "import moto, moto.server, flask; print(moto.__version__)"],
    { encoding: "utf8", timeout: 30_000 },
  );
  if (check.status !== 0) {
    const why = (check.stderr || String(check.error)).trim().split("\n").pop();
    return {
      available: false,
      reason: `${python} cannot import moto's server (${why}); ${MOTO_INSTALL}`,
    };
  }
  return { available: true, python, version: check.stdout.trim() };
}

/**
 * Whether the moto suites can run here. Probed once per jest run when the global setup runs (its
 * answer reaches the workers through an environment variable), else once per test file.
 */
export function motoAvailability(): MotoAvailability {
  const cached = process.env[CACHE_VARIABLE];
  if (cached) {
    return JSON.parse(cached) as MotoAvailability;
  }
  const found = probe();
  process.env[CACHE_VARIABLE] = JSON.stringify(found);
  return found;
}
