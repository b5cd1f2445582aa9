// IANA time zone names for /digest setup: autocomplete over the runtime's own list, and validation that also
// accepts a name typed in the wrong case ("europe/paris").
import type { ApplicationCommandOptionChoiceData } from 'discord.js';

// Intl lists canonical zones only; UTC is the one most people type and it is missing from that list.
const ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone')];
const BY_LOWER = new Map(ZONES.map((zone) => [zone.toLowerCase(), zone]));

const key = (text: string) => text.trim().toLowerCase().replace(/[\s_]+/g, '_');

/** The zone's canonical spelling, or null when it is not a zone this runtime knows (aliases like US/Eastern too). */
export function canonicalTimeZone(typed: string): string | null {
  const listed = BY_LOWER.get(key(typed));
  if (listed) return listed;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: typed.trim() }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/**
 * Zones matching what was typed: those whose name or city starts with it first ("par" → Europe/Paris), then those
 * containing it; alphabetical within each group. Empty input lists the first zones, UTC first.
 */
export function timeZoneChoices(typed: string, limit: number): ApplicationCommandOptionChoiceData[] {
  const wanted = key(typed);
  const starts: string[] = [];
  const contains: string[] = [];
  for (const zone of ZONES) {
    const lower = zone.toLowerCase();
    if (lower.startsWith(wanted) || lower.split('/').some((part) => part.startsWith(wanted))) starts.push(zone);
    else if (lower.includes(wanted)) contains.push(zone);
  }
  return [...starts, ...contains].slice(0, limit).map((zone) => ({ name: zone.replace(/_/g, ' '), value: zone }));
}

/** "8:30" or "08:30" as HH:mm, or null when it is not a time of day on a 24-hour clock. */
export function parseTimeOfDay(typed: string): string | null {
  const match = /^(\d{1,2})[:.h](\d{2})$/.exec(typed.trim());
  if (!match) return null;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  if (hour > 23 || minute > 59) return null;
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}
