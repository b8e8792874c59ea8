/**
 * The one check of every timestamp the service takes (event timestamps, `since` / `until`,
 * cursors) before any SQL sees it: RFC 3339 with a time zone, a real calendar date and time, an
 * offset PostgreSQL accepts (±15:59) and an instant within the years 1 to 9999 in UTC, the range
 * a timestamptz prints back as it was given (year 10000 would sort above every real event and
 * never expire; 1 BC would read back as AD 1).
 */

/** TimestampCheck is a valid timestamp's instant in milliseconds, or why it is refused. */
export type TimestampCheck = { millis: number } | { reason: string };

const rfc3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** firstMillis and endMillis bound the instants taken: 0001-01-01T00:00Z up to 10000-01-01T00:00Z. */
export const firstMillis = -62_135_596_800_000;
const endMillis = 253_402_300_800_000;

/** maxOffsetMinutes is PostgreSQL's bound on a time zone offset, 15:59. */
const maxOffsetMinutes = 15 * 60 + 59;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** utcMillis is Date.UTC without its mapping of years 0 to 99 onto 1900 to 1999. */
function utcMillis(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

type Fields = [number, number, number, number, number, number];

/** checkTimestamp parses text as the service stores it, or says why it cannot be stored. */
export function checkTimestamp(text: string): TimestampCheck {
  const match = rfc3339.exec(text);
  if (!match) return { reason: 'must be an RFC 3339 date-time with a time zone' };
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as Fields;
  const fraction = match[7] ? Number(`0${match[7]}`) : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return { reason: 'must be a calendar date' };
  }
  if (hour > 23 || minute > 59 || second > 60) return { reason: 'must be a time of day' };
  const offsetMinutes = match[8]
    ? (match[8] === '-' ? -1 : 1) * (Number(match[9]) * 60 + Number(match[10]))
    : 0;
  if (Number(match[10]) > 59 || Math.abs(offsetMinutes) > maxOffsetMinutes) {
    return { reason: 'must have a time zone offset within ±15:59' };
  }
  const whole = utcMillis(year, month, day, hour, minute, second) - offsetMinutes * 60_000;
  // a leap second only ends a UTC day, as RFC 3339 has it
  if (second === 60) {
    const secondBefore = new Date(whole - 1000);
    if (secondBefore.getUTCHours() !== 23 || secondBefore.getUTCMinutes() !== 59) {
      return { reason: 'must be a time of day' };
    }
  }
  if (whole < firstMillis || whole >= endMillis) {
    return { reason: 'must be within the years 1 to 9999 in UTC' };
  }
  return { millis: whole + Math.floor(fraction * 1000) };
}
