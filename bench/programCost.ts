/**
 * Item 5: a mocked run of the program with 1 and with 50 snapshots, each measurement in a fresh
 * process (`programChild.ts`), the two sizes alternated so machine noise hits both alike; the
 * target uses the ratio of each round's pair.
 */
import { median, progress, runChild, spread, type Spread } from "./common";
import type { ProgramChildResult } from "./programChild";

export const SNAPSHOT_COUNTS = [1, 50] as const;

export interface ProgramRow {
  snapshots: number;
  resources: number;
  runs: number;
  programMs: number[];
  coldMs: number[];
  medianProgramMs: number;
  medianColdMs: number;
}

export interface ProgramResults {
  rows: ProgramRow[];
  /** Per round: 50-snapshot time ÷ 1-snapshot time, for the program and the cold figure. */
  programRatio: Spread;
  coldRatio: Spread;
}

export async function benchProgramCost(runs: number): Promise<ProgramResults> {
  const results = new Map<number, ProgramChildResult[]>(SNAPSHOT_COUNTS.map((n) => [n, []]));
  for (let run = 0; run < runs; run += 1) {
    for (const count of SNAPSHOT_COUNTS) {
      const result = await runChild<ProgramChildResult>("programChild.ts", [String(count)]);
      progress(
        `program cost: ${count} snapshot${count === 1 ? "" : "s"}: program ${Math.round(result.programMs)} ms, cold ${Math.round(result.coldMs)} ms`,
      );
      if (result.snapshotResources !== count) {
        throw new Error(
          `The mocked program registered ${result.snapshotResources} Snapshots, not ${count}.`,
        );
      }
      results.get(count)!.push(result);
    }
  }
  const [few, many] = SNAPSHOT_COUNTS.map((n) => results.get(n)!);
  const programRatio = spread(many.map((r, k) => r.programMs / few[k].programMs));
  const coldRatio = spread(many.map((r, k) => r.coldMs / few[k].coldMs));
  progress(
    `program cost: 50 ÷ 1 snapshots ${programRatio.median.toFixed(2)}× (${programRatio.min.toFixed(2)}–${programRatio.max.toFixed(2)}), cold ${coldRatio.median.toFixed(2)}×`,
  );
  const rows = SNAPSHOT_COUNTS.map((count) => {
    const list = results.get(count)!;
    const programMs = list.map((r) => r.programMs);
    const coldMs = list.map((r) => r.coldMs);
    return {
      snapshots: count,
      resources: list[0].resources,
      runs,
      programMs,
      coldMs,
      medianProgramMs: median(programMs),
      medianColdMs: median(coldMs),
    };
  });
  return { rows, programRatio, coldRatio };
}
