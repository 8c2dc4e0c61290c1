import { parseDuration } from "@api-s3-load/snapshot-engine";

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
