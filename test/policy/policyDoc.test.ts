/**
 * docs/policy.md is where a user learns which policies the pack has, how strict each is and what
 * each can be tuned with. Its tables must name exactly the pack's policies, with their default
 * levels and their `configSchema` keys, so a policy added or changed in code cannot go unmentioned.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Policy } from "@pulumi/policy";
import { advisoryInProd, s3Policies } from "../../policy/s3";

const DOC = readFileSync(join(__dirname, "..", "..", "docs", "policy.md"), "utf8");

/** The rows (cells, header and separator left out) of the first table after `heading`. */
function tableAfter(heading: string): string[][] {
  const lines = DOC.split("\n");
  const start = lines.indexOf(heading);
  if (start < 0) {
    throw new Error(`docs/policy.md has no heading "${heading}"`);
  }
  const first = lines.findIndex((line, i) => i > start && line.startsWith("|"));
  const rows: string[][] = [];
  for (let i = first; i < lines.length && lines[i].startsWith("|"); i++) {
    rows.push(
      lines[i]
        .slice(1, -1)
        .split("|")
        .map((cell) => cell.trim()),
    );
  }
  return rows.slice(2);
}

/** The backticked policy names of a cell, in order. */
function namesIn(cell: string): string[] {
  return [...cell.matchAll(/`(s3-[a-z0-9-]+)`/g)].map((m) => m[1]);
}

function schemaOf(policy: Policy): Record<string, { default?: unknown }> {
  return (policy.configSchema?.properties ?? {}) as Record<string, { default?: unknown }>;
}

const packNames = s3Policies.map((p) => p.name).sort();

describe("docs/policy.md describes the pack as it is", () => {
  it.each([
    "## Policies",
    "### Resource types judged, per provider",
    "### Coverage against other rule sets",
  ])("the table under %s has one row per policy of the pack", (heading) => {
    const documented = tableAfter(heading).map((row) => namesIn(row[0]));
    documented.forEach((names) => expect(names).toHaveLength(1));
    expect(documented.map((names) => names[0]).sort()).toEqual(packNames);
  });

  it("gives each policy its default level, and says which advisory ones stay advisory in prod", () => {
    const documented = tableAfter("## Policies").map((row) => [namesIn(row[0])[0], row[1]]);
    const expected = s3Policies.map((p) => [
      p.name,
      advisoryInProd.includes(p) ? `${p.enforcementLevel} (also in prod)` : p.enforcementLevel,
    ]);
    expect(documented.sort()).toEqual(expected.sort());
  });

  it("lists every tunable of every policy, and no other, under Tunables", () => {
    const rows = tableAfter("### Tunables (`configSchema`)");
    const documented = rows.flatMap((row) =>
      namesIn(row[0]).map((name) => `${name} ${row[1].replace(/`/g, "")}`),
    );
    const expected = s3Policies.flatMap((p) =>
      Object.keys(schemaOf(p)).map((key) => `${p.name} ${key}`),
    );
    expect(documented.sort()).toEqual(expected.sort());
  });

  it("states a tunable's default as the schema gives it, where the table writes it as a value", () => {
    const rows = tableAfter("### Tunables (`configSchema`)");
    const stated = rows.flatMap((row) => {
      const value = /^`([^`]+)`/.exec(row[2])?.[1];
      return value === undefined ? [] : namesIn(row[0]).map((name) => ({ name, row, value }));
    });
    expect(stated.length).toBeGreaterThan(0);
    for (const { name, row, value } of stated) {
      const policy = s3Policies.find((p) => p.name === name);
      const key = row[1].replace(/`/g, "");
      expect([name, key, JSON.parse(value)]).toEqual([
        name,
        key,
        policy && schemaOf(policy)[key]?.default,
      ]);
    }
  });
});
