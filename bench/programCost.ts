/**
 * Item 5: a mocked run of the program with 1 and with 50 snapshots, each measurement in a fresh
 * process (`programChild.ts`), alternating the two sizes so machine noise hits both alike.
 */
import { median, progress, runChild } from "./common";
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

export async function benchProgramCost(runs: number): Promise<ProgramRow[]> {
  const results = new Map<number, ProgramChildResult[]>(SNAPSHOT_COUNTS.map((n) => [n, []]));
  for (let run = 0; run < runs; run += 1) {
    for (const count of SNAPSHOT_COUNTS) {
      progress(
        `program cost: ${count} snapshot${count === 1 ? "" : "s"}, run ${run + 1} of ${runs}`,
      );
      const result = await runChild<ProgramChildResult>("programChild.ts", [String(count)]);
      if (result.snapshotResources !== count) {
        throw new Error(
          `The mocked program registered ${result.snapshotResources} Snapshots, not ${count}.`,
        );
      }
      results.get(count)!.push(result);
    }
  }
  return SNAPSHOT_COUNTS.map((count) => {
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
}
