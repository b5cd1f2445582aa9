// Time zone autocomplete for /digest setup, over the runtime's own list of zones.
import type { ApplicationCommandOptionChoiceData } from 'discord.js';
import { matchTimeZone, TIME_ZONES, zoneKey } from '../util/timezone.js';

/**
 * Zones matching what was typed: the zone it names outright first ("EST" → America/New_York, "new york"), then the
 * candidates of an ambiguous abbreviation, then zones whose name or city starts with it ("par" → Europe/Paris), then
 * those containing it; alphabetical within each group. Empty input lists the first zones, UTC first.
 */
export function timeZoneChoices(typed: string, limit: number): ApplicationCommandOptionChoiceData[] {
  const wanted = zoneKey(typed);
  const match = wanted ? matchTimeZone(typed) : null;
  const named = !match ? [] : 'zone' in match ? [match.zone] : [...match.ambiguous];
  const starts: string[] = [];
  const contains: string[] = [];
  for (const zone of TIME_ZONES) {
    const lower = zone.toLowerCase();
    if (lower.startsWith(wanted) || lower.split('/').some((part) => part.startsWith(wanted))) starts.push(zone);
    else if (lower.includes(wanted)) contains.push(zone);
  }
  const zones = [...new Set([...named, ...starts, ...contains])];
  return zones.slice(0, limit).map((zone) => ({ name: zone.replace(/_/g, ' '), value: zone }));
}
