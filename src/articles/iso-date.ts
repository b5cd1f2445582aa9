// Publication dates as the files must give them: an ISO 8601 date-time whose parts are real, within a sane range.
// `new Date()` took almost anything ("next tuesday 1" became 2001, 2026-13-45 rolled over to 2027-02-14, a number
// was milliseconds since 1970), and a date out of range once made a digest fail Discord's validation.

/** Dates outside this range are refused: before any news file, or so far ahead they can only be mistakes. */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);
const RANGE = '1970-01-01 to 2100-01-01';
const EXAMPLE = '2026-11-20T09:00:00Z';

// YYYY-MM-DD, alone (midnight UTC) or with a time (seconds and their fraction optional) and a zone: Z or ±HH:MM.
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):?(\d{2})))?$/i;

const shown = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : `the ${typeof value} ${String(value).slice(0, 40)}`);

/**
 * The instant `value` names, or why it is refused (to follow "publishedDateTime: "): only a string in ISO 8601
 * form, every part of which exists (no month 13, no 30 February, no 24:00), from 1970 to 2100.
 */
export function parseIsoDateTime(value: unknown): Date | string {
  const expected = `expected an ISO 8601 date-time such as ${EXAMPLE}`;
  const match = typeof value === 'string' ? ISO_DATE_TIME.exec(value.trim()) : null;
  if (!match) return `is not a valid date: ${expected}, not ${shown(value)}`;
  const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1, 7).map((part) => (part === undefined ? undefined : Number(part)));
  const millisecond = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const local = new Date(Date.UTC(year!, month! - 1, day!, hour, minute, second, millisecond));
  // Date.UTC rolls impossible parts over into the next ones: a part that does not come back as given did not exist.
  const parts = [local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate(), local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds()];
  const [offsetHours, offsetMinutes] = [Number(match[10] ?? 0), Number(match[11] ?? 0)];
  if (parts.some((part, i) => part !== [year, month, day, hour, minute, second][i]) || offsetHours > 23 || offsetMinutes > 59) {
    return `is not a valid date: ${shown(value)} names a day or time that does not exist (${expected})`;
  }
  const sign = match[9] === '-' ? -1 : 1;
  const time = local.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  if (time < EARLIEST || time >= LATEST) return `is not a valid date: ${shown(value)} is outside ${RANGE}`;
  return new Date(time);
}
