/**
 * One line of the account check. A check either holds (`ok`) or fails with a detail and a fix the
 * user can act on; the CLI prints one line per result and exits 0 only when all hold.
 */
export interface CheckResult {
  ok: boolean;
  /** Short kebab-case name, such as `public-access-block` or `object coingecko/x.json`. */
  check: string;
  /** What was found. Never contains credentials. */
  detail: string;
  /** What to do about it; set on failures. */
  fix?: string;
}

export function pass(check: string, detail: string): CheckResult {
  return { ok: true, check, detail };
}

export function fail(check: string, detail: string, fix: string): CheckResult {
  return { ok: false, check, detail, fix };
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** `ok <check>: <detail>` or `FAIL <check>: <detail>. Fix: <fix>` */
export function formatResult(result: CheckResult): string {
  if (result.ok) {
    return `ok ${result.check}: ${result.detail}`;
  }
  return `FAIL ${result.check}: ${sentence(result.detail)} Fix: ${sentence(result.fix ?? "see docs/operations.md")}`;
}
