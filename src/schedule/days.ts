// The days of the week a digest runs on: the one place that reads them as members type them, names them back, and
// says how far back a digest reaches by default. Days are numbered as JavaScript and cron number them, Sunday 0.

/** Sorted weekday numbers (0 = Sunday … 6 = Saturday), each once. Empty means every day. */
export type Weekdays = readonly number[];

export const EVERY_DAY: Weekdays = Object.freeze([]);
const WORK_WEEK = [1, 2, 3, 4, 5];
const NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const SHORT = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** What `days` may hold, for the messages that refuse a typo. */
export const DAYS_EXAMPLES = '`every day`, `weekdays`, `weekends`, `monday`, or a list such as `mon, wed, fri`';

// A day as typed: its full name or any prefix of at least three letters ("wed", "thurs").
function dayNumber(word: string): number | undefined {
  if (word.length < 3) return undefined;
  const index = NAMES.findIndex((name) => name.startsWith(word));
  return index === -1 ? undefined : index;
}

const normalised = (days: Iterable<number>): Weekdays => {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  return sorted.length === 7 ? EVERY_DAY : sorted;
};

/**
 * Reads days as members type them: `every day` (or `daily`), `weekdays`, `weekends`, a day's name, or several
 * separated by commas or spaces (`mon, wed, fri`; case ignored). Null when any part is not a day.
 */
export function parseWeekdays(typed: string): Weekdays | null {
  const text = typed.trim().toLowerCase();
  if (text === '' || text === 'every day' || text === 'everyday' || text === 'daily') return EVERY_DAY;
  if (text === 'weekdays') return WORK_WEEK;
  if (text === 'weekends') return [0, 6];
  const days: number[] = [];
  for (const word of text.split(/[\s,]+/).filter(Boolean)) {
    const day = dayNumber(word.replace(/s$/, '')) ?? dayNumber(word);
    if (day === undefined) return null;
    days.push(day);
  }
  return days.length > 0 ? normalised(days) : null;
}

/** The stored form (JSON of the numbers), checked, for rows written by any version. */
export function readWeekdays(stored: unknown): Weekdays {
  if (!Array.isArray(stored) || !stored.every((d) => Number.isInteger(d) && d >= 0 && d <= 6)) return EVERY_DAY;
  return normalised(stored as number[]);
}

export const runsOn = (days: Weekdays, weekday: number): boolean => days.length === 0 || days.includes(weekday);

/** "every day", "weekdays", "Mondays", "Mon, Wed, Fri". */
export function describeWeekdays(days: Weekdays): string {
  if (days.length === 0) return 'every day';
  if (days.join() === WORK_WEEK.join()) return 'weekdays';
  if (days.join() === '0,6') return 'weekends';
  if (days.length === 1) return `${NAMES[days[0]!]!.replace(/^./, (c) => c.toUpperCase())}s`;
  return days.map((d) => SHORT[d]).join(', ');
}

/** The day-of-week field of a cron expression. */
export const cronWeekdays = (days: Weekdays): string => (days.length === 0 ? '*' : days.join(','));

/**
 * How old (by publication) a story may be and still go out, by default: the longest gap between two runs plus a
 * day, so a story published just after one digest and found late still reaches the next. 48 h for a daily digest,
 * 8 days for a weekly one.
 */
export function defaultMaxAgeHours(days: Weekdays): number {
  if (days.length <= 1) return (days.length === 0 ? 1 : 7) * 24 + 24;
  const gaps = days.map((day, i) => (i + 1 < days.length ? days[i + 1]! - day : days[0]! + 7 - day));
  return Math.max(...gaps) * 24 + 24;
}

const DAY_SUGGESTIONS = ['every day', 'weekdays', 'weekends', ...NAMES, 'mon, wed, fri', 'tue, thu'];

/** Autocomplete for `days`: the usual sets and the days, those starting with what was typed first. */
export function dayChoices(typed: string, limit: number): { name: string; value: string }[] {
  const wanted = typed.trim().toLowerCase();
  const matching = DAY_SUGGESTIONS.filter((s) => s.startsWith(wanted));
  const parsed = parseWeekdays(typed);
  // What was typed, when it reads as days, comes first, named as the schedule will show it.
  const own = parsed && wanted !== '' && !matching.includes(wanted) ? [{ name: describeWeekdays(parsed), value: typed.trim().slice(0, 60) }] : [];
  return [...own, ...matching.map((s) => ({ name: s, value: s }))].slice(0, limit);
}
