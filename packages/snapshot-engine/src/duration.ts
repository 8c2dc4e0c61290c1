const PATTERN = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Parses an ISO-8601 duration (`PT30M`, `PT1H`, `P1D`, `P1W`, `P1DT12H`) into milliseconds.
 *
 * Years and months are refused rather than guessed, because their length depends on the calendar;
 * a `maxAge` is a fixed span.
 */
export function parseDuration(iso: string): number {
  if (typeof iso !== "string") {
    throw new Error(`Duration must be an ISO-8601 string such as "PT1H", not ${typeof iso}.`);
  }
  const text = iso.trim().toUpperCase();
  if (/^P(?:\d+Y|\d+M)/.test(text)) {
    throw new Error(
      `Duration "${iso}" uses years or months, whose length varies: write it in days or weeks, such as "P30D".`,
    );
  }
  const match = PATTERN.exec(text);
  if (!match || text === "P" || text.endsWith("T")) {
    throw new Error(
      `Duration "${iso}" is not an ISO-8601 duration: write it like "PT30M", "PT1H", "P1D" or "P1DT12H".`,
    );
  }
  const [, weeks, days, hours, minutes, seconds] = match;
  const ms =
    Number(weeks ?? 0) * 7 * DAY +
    Number(days ?? 0) * DAY +
    Number(hours ?? 0) * HOUR +
    Number(minutes ?? 0) * MINUTE +
    Number((seconds ?? "0").replace(",", ".")) * SECOND;
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new Error(`Duration "${iso}" must be longer than zero, such as "PT1H".`);
  }
  return Math.round(ms);
}
