/**
 * What prod's policy levels are is said in four places a reader meets first: the pack config
 * itself, the comment of Pulumi.prod.yaml, the header of the deploy workflow and docs/policy.md.
 * They must say the same thing, and that thing must be what the pack does under prod.json.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { advisoryInProd, advisoryPolicies } from "../../policy/s3";

const ROOT = join(__dirname, "..", "..");

/** The sentence both comments carry, built from the pack's own list of policies kept advisory. */
function prodStatement(): string {
  const kept = advisoryInProd.map((p) => p.name);
  return (
    "policy/config/prod.json: every policy is mandatory except " +
    `${kept.slice(0, -1).join(", ")} and ${kept[kept.length - 1]}, which stay advisory because ` +
    "none makes data public by itself."
  );
}

/** A file's comment lines as one line of prose: markers and line breaks removed. */
function commentProse(path: string): string {
  return readFileSync(join(ROOT, path), "utf8")
    .split("\n")
    .filter((line) => line.startsWith("#"))
    .map((line) => line.replace(/^#\s?/, "").trim())
    .join(" ");
}

describe("prod's policy levels, said the same way everywhere", () => {
  it("policy/config/prod.json raises every advisory policy but the ones kept advisory", () => {
    const prod = JSON.parse(
      readFileSync(join(ROOT, "policy", "config", "prod.json"), "utf8"),
    ) as Record<string, string>;
    const kept = advisoryInProd.map((p) => p.name);
    expect(prod).toEqual(
      Object.fromEntries(
        advisoryPolicies
          .map((p) => p.name)
          .filter((n) => !kept.includes(n))
          .map((n) => [n, "mandatory"]),
      ),
    );
  });

  it.each(["Pulumi.prod.yaml", ".github/workflows/main.yml"])("%s says exactly that", (path) => {
    expect(commentProse(path)).toContain(prodStatement());
    expect(commentProse(path)).not.toMatch(/makes (every|the advisory) polic(y|ies) mandatory/);
  });

  it("docs/policy.md says exactly that under Enforcement levels", () => {
    const doc = readFileSync(join(ROOT, "docs", "policy.md"), "utf8");
    const section = doc.slice(doc.indexOf("## Enforcement levels"));
    const prose = section.replace(/`/g, "").replace(/\s+/g, " ");
    expect(prose).toContain(prodStatement());
  });
});
