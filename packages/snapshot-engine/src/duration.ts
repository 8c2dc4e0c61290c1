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

/**
 * The start of the `maxAge` period that holds `now`, as an ISO timestamp: periods are `maxAge` long
 * and counted from the Unix epoch (UTC), so every run inside one period computes the same value.
 *
 * The program passes it to the Snapshot as an input, which keeps the provider's `diff` a pure
 * comparison of inputs: a deploy in a later period than the stored one refetches, so at deploy
 * time the stored data was fetched less than `maxAge` ago, while a refresh or a repeated preview in
 * the same period compares equal whatever the data's age. Undefined without a `maxAge`, or with one
 * that does not parse (`check` reports that one against `maxAge`).
 */
export function maxAgePeriod(maxAge: string | undefined, now: number): string | undefined {
  if (maxAge === undefined || maxAge === "") {
    return undefined;
  }
  let span: number;
  try {
    span = parseDuration(maxAge);
  } catch {
    return undefined;
  }
  return new Date(Math.floor(now / span) * span).toISOString();
}
