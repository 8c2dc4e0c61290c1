/**
 * Where the type-check gate's record is read from and written to (startup/stampStore.ts).
 */
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readStamps, writeStamp, type Stamp } from "../../startup/stampStore";

const STAMP: Stamp = { typescript: "5.9.3", files: { "index.ts": "ab" } };

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "stamp-store-"));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

it("writes to the first place that takes the record, and says why the others refused", () => {
  // A file where a folder should be: refused even as root (ENOTDIR), as a read-only folder is.
  writeFileSync(join(scratch, "node_modules"), "");
  const refused = join(scratch, "node_modules", ".cache", "api-s3-load", "record.json");
  const taken = join(scratch, "home", ".cache", "api-s3-load", "record.json");
  expect(writeStamp([refused, taken], STAMP)).toEqual({ written: taken });
  expect(JSON.parse(readFileSync(taken, "utf8"))).toEqual(STAMP);
  expect(readStamps([refused, taken])).toEqual([STAMP]);

  const outcome = writeStamp([refused], STAMP);
  expect(outcome).toEqual({ refused: [expect.stringMatching(/^.*record\.json: ENOTDIR/)] });
});

const asRoot = process.getuid?.() === 0;
(asRoot ? it : it.skip)(
  "trusts a record in the shared temporary directory only in a folder of this user's",
  () => {
    const folder = join(tmpdir(), `api-s3-load-test-${process.pid}`);
    mkdirSync(folder);
    try {
      const record = join(folder, "record.json");
      writeFileSync(record, JSON.stringify(STAMP));
      expect(readStamps([record])).toEqual([STAMP]);
      chownSync(folder, 65534, 65534);
      expect(readStamps([record])).toEqual([]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
