// A time of day as settings and commands give it ("08:30", "8:30", "8h30") and as the schedule reads it: the one
// place that parses one.

/** "8:30", "08.30" or "8h30" as HH:mm, or null when it is not a time of day on a 24-hour clock. */
export function parseTimeOfDay(typed: string): string | null {
  const match = /^(\d{1,2})[:.h](\d{2})$/.exec(typed.trim());
  if (!match) return null;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  if (hour > 23 || minute > 59) return null;
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/** The hour and minute of a stored HH:mm; throws on anything else (stored times were parsed on the way in). */
export function timeOfDayParts(time: string): { hour: number; minute: number } {
  const parsed = parseTimeOfDay(time);
  if (parsed !== time) throw new Error(`"${time}" is not a time as HH:mm`);
  return { hour: Number(time.slice(0, 2)), minute: Number(time.slice(3, 5)) };
}
