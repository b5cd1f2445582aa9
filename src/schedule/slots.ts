// Slot arithmetic: when a daily HH:mm in an IANA time zone falls, as an instant. Pure, and correct across
// daylight-saving changes, which is where naive "add 24 hours" schedules post an hour early or late.
// Zone offsets come from Intl with one cached formatter per zone: dayjs's timezone plugin gives the same answers
// but took about 1 ms per slot, so a tick over 1000 subscriptions held the event loop for most of a second.
import { timeOfDayParts } from '../util/timeOfDay.js';
import { EVERY_DAY, runsOn, type Weekdays } from './days.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

function parseDay(day: string): { year: number; month: number; date: number } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) throw new Error(`"${day}" is not a day as YYYY-MM-DD`);
  return { year: Number(match[1]), month: Number(match[2]), date: Number(match[3]) };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let formatter = formatters.get(tz);
  if (!formatter) {
    const fields = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' } as const;
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', ...fields });
    formatters.set(tz, formatter);
  }
  return formatter;
}

/** The wall-clock reading in `tz` at an instant, expressed as if that reading were UTC. */
function wallMs(instantMs: number, tz: string): number {
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of formatterFor(tz).formatToParts(instantMs)) parts[part.type] = Number(part.value);
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return Date.UTC(year, month - 1, day, hour, minute, second) + (((instantMs % 1000) + 1000) % 1000);
}

const offsetMs = (instantMs: number, tz: string): number => wallMs(instantMs, tz) - instantMs;

/** The calendar day (YYYY-MM-DD) an instant falls on in `tz`. */
export function localDay(instant: Date, tz: string): string {
  return new Date(wallMs(instant.getTime(), tz)).toISOString().slice(0, 10);
}

/** The day `days` after (or before) `day`. */
function addDays(day: string, days: number): string {
  const { year, month, date } = parseDay(day);
  return new Date(Date.UTC(year, month - 1, date + days)).toISOString().slice(0, 10);
}

/**
 * The instant `time` is reached on `day` in `tz`. On a fall-back day a repeated time is its first occurrence (the
 * slot runs once); on a spring-forward day a time that does not exist runs at the next valid instant, the moment
 * the clocks jump (02:30 in Paris on the last Sunday of March is 03:00 CEST).
 */
export function slotOn(day: string, time: string, tz: string): Date {
  const { year, month, date } = parseDay(day);
  const { hour, minute } = timeOfDayParts(time);
  const wall = Date.UTC(year, month - 1, date, hour, minute);
  // The zone's offsets a day either side bracket any change of offset on this day.
  const offsets = [offsetMs(wall - DAY_MS, tz), offsetMs(wall + DAY_MS, tz)];
  const exact = offsets.map((offset) => wall - offset).filter((instant) => wallMs(instant, tz) === wall);
  if (exact.length > 0) return new Date(Math.min(...exact));
  // In the gap: the clock reads before `time` at `low` and after it at `high`; find the jump, to the minute.
  let low = wall - Math.max(...offsets);
  let high = wall - Math.min(...offsets);
  while (high - low > MINUTE_MS) {
    const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
    if (wallMs(middle, tz) >= wall) high = middle;
    else low = middle;
  }
  return new Date(high);
}

/** When a digest runs: a time of day in a zone, on some days of the week. */
export interface Schedule {
  time: string;
  timezone: string;
  /** Empty: every day. */
  days?: Weekdays;
}

const weekday = (day: string): number => {
  const { year, month, date } = parseDay(day);
  return new Date(Date.UTC(year, month - 1, date)).getUTCDay();
};

/**
 * The slot nearest `now` in the direction `step` (-1: the latest at or before, +1: the first after), looking at
 * most eight days away: any set of weekdays has a day in every week.
 */
function nearestSlot(now: Date, schedule: Schedule, step: -1 | 1): Date {
  const days = schedule.days ?? EVERY_DAY;
  const today = localDay(now, schedule.timezone);
  for (let offset = 0; Math.abs(offset) <= 8; offset += step) {
    const day = addDays(today, offset);
    if (!runsOn(days, weekday(day))) continue;
    const slot = slotOn(day, schedule.time, schedule.timezone);
    if (step === -1 ? slot.getTime() <= now.getTime() : slot.getTime() > now.getTime()) return slot;
  }
  throw new Error(`no slot within a week of ${now.toISOString()} for ${schedule.time}`);
}

/** The latest slot at or before `now`. */
export function previousSlot(now: Date, schedule: Schedule): Date {
  return nearestSlot(now, schedule, -1);
}

/** The first slot after `now`. */
export function nextSlot(now: Date, schedule: Schedule): Date {
  return nearestSlot(now, schedule, 1);
}
