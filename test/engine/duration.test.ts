import { maxAgePeriod, parseDuration } from "@api-s3-load/snapshot-engine";

describe("parseDuration", () => {
  it.each([
    ["PT30S", 30_000],
    ["PT1.5S", 1_500],
    ["PT30M", 1_800_000],
    ["PT1H", 3_600_000],
    ["P1D", 86_400_000],
    ["P1W", 604_800_000],
    ["P1DT12H", 129_600_000],
    ["pt1h", 3_600_000],
  ])("reads %s as %i ms", (iso, ms) => {
    expect(parseDuration(iso)).toBe(ms);
  });

  it.each([
    [
      "1h",
      'Duration "1h" is not an ISO-8601 duration: write it like "PT30M", "PT1H", "P1D" or "P1DT12H".',
    ],
    ["P", 'Duration "P" is not an ISO-8601 duration'],
    ["PT", 'Duration "PT" is not an ISO-8601 duration'],
    ["P1H", 'Duration "P1H" is not an ISO-8601 duration'],
    ["PT0S", 'Duration "PT0S" must be longer than zero, such as "PT1H".'],
    [
      "P1M",
      'Duration "P1M" uses years or months, whose length varies: write it in days or weeks, such as "P30D".',
    ],
    ["P1Y", "uses years or months"],
  ])("refuses %s", (iso, message) => {
    expect(() => parseDuration(iso)).toThrow(message);
  });
});

describe("maxAgePeriod", () => {
  const at = (iso: string) => Date.parse(iso);

  it.each([
    ["PT1H", "2026-11-30T14:00:00.000Z", "2026-11-30T14:00:00.000Z"],
    ["PT1H", "2026-11-30T14:59:59.999Z", "2026-11-30T14:00:00.000Z"],
    ["PT1H", "2026-11-30T15:00:00.000Z", "2026-11-30T15:00:00.000Z"],
    ["PT15M", "2026-11-30T14:44:10.000Z", "2026-11-30T14:30:00.000Z"],
    ["P1D", "2026-11-30T23:59:00.000Z", "2026-11-30T00:00:00.000Z"],
  ])("puts a deploy with maxAge %s at %s in the period that starts %s", (maxAge, now, start) => {
    expect(maxAgePeriod(maxAge, at(now))).toBe(start);
  });

  it("keeps one value across a period, so repeated previews and the deploy compare equal", () => {
    const periods = new Set(
      [0, 1, 30, 59].map((minute) =>
        maxAgePeriod("PT1H", at("2026-11-30T14:00:00.000Z") + minute * 60_000),
      ),
    );
    expect([...periods]).toEqual(["2026-11-30T14:00:00.000Z"]);
  });

  it("never lets the data a deploy keeps be older than maxAge", () => {
    // Fetched at the very start of a period, the data is kept at most until the period ends.
    const fetched = at("2026-11-30T14:00:00.000Z");
    const lastKept = fetched + 3_600_000 - 1;
    expect(maxAgePeriod("PT1H", lastKept)).toBe(maxAgePeriod("PT1H", fetched));
    expect(maxAgePeriod("PT1H", lastKept + 1)).not.toBe(maxAgePeriod("PT1H", fetched));
  });

  it.each([[undefined], [""], ["1h"], ["P1M"]])(
    "is undefined for maxAge %j, whose problem check reports on `maxAge`",
    (maxAge) => {
      expect(maxAgePeriod(maxAge, at("2026-11-30T14:00:00.000Z"))).toBeUndefined();
    },
  );
});
