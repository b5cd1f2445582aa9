// IANA time zone names: the one place that decides what zone a typed name means, for settings, commands and the
// CLI. People type abbreviations and cities as often as IANA names; the runtime alone would read "EST" as
// America/Panama (no daylight saving) and refuse "Paris".

// Intl lists canonical zones only; UTC is the one most people type and it is missing from that list.
export const TIME_ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone')];

/** How a typed zone is compared: case, spaces and underscores do not matter ("new york" is "New_York"). */
export function zoneKey(text: string): string {
  return text.trim().toLowerCase().replace(/[\s_]+/g, '_');
}

// The zone people mean by a common abbreviation: the one whose clocks they live by, daylight saving included.
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  utc: 'UTC', gmt: 'UTC', z: 'UTC',
  et: 'America/New_York', est: 'America/New_York', edt: 'America/New_York',
  ct: 'America/Chicago', cst: 'America/Chicago', cdt: 'America/Chicago',
  mt: 'America/Denver', mst: 'America/Denver', mdt: 'America/Denver',
  pt: 'America/Los_Angeles', pst: 'America/Los_Angeles', pdt: 'America/Los_Angeles',
  akst: 'America/Anchorage', akdt: 'America/Anchorage', hst: 'Pacific/Honolulu',
  bst: 'Europe/London', wet: 'Europe/Lisbon', west: 'Europe/Lisbon',
  cet: 'Europe/Paris', cest: 'Europe/Paris', eet: 'Europe/Athens', eest: 'Europe/Athens', msk: 'Europe/Moscow',
  jst: 'Asia/Tokyo', kst: 'Asia/Seoul', hkt: 'Asia/Hong_Kong', sgt: 'Asia/Singapore',
  aest: 'Australia/Sydney', aedt: 'Australia/Sydney', acst: 'Australia/Adelaide', awst: 'Australia/Perth',
  nzst: 'Pacific/Auckland', nzdt: 'Pacific/Auckland',
};

// Abbreviations that name several zones: refused with the candidates rather than guessed.
const AMBIGUOUS: Readonly<Record<string, readonly string[]>> = {
  ist: ['Asia/Kolkata', 'Europe/Dublin', 'Asia/Jerusalem'],
  ast: ['America/Halifax', 'Asia/Riyadh'],
};

const BY_KEY = new Map(TIME_ZONES.map((zone) => [zoneKey(zone), zone]));
// "paris" → Europe/Paris: a zone by its city, when only one zone has that city.
const BY_CITY = (() => {
  const cities = new Map<string, string | null>();
  for (const zone of TIME_ZONES) {
    const city = zoneKey(zone.split('/').at(-1)!);
    cities.set(city, cities.has(city) ? null : zone);
  }
  return cities;
})();

export type TimeZoneMatch = { zone: string } | { ambiguous: readonly string[] } | null;

/**
 * The zone a typed name means: an IANA name in any case ("europe/paris"), an alias the runtime knows
 * ("US/Eastern"), a common abbreviation ("EST"), or a city ("new york"); the candidates of an ambiguous
 * abbreviation ("IST"); null when it means no zone.
 */
export function matchTimeZone(typed: string): TimeZoneMatch {
  const key = zoneKey(typed);
  const known = BY_KEY.get(key) ?? ABBREVIATIONS[key] ?? BY_CITY.get(key);
  if (known) return { zone: known };
  if (AMBIGUOUS[key]) return { ambiguous: AMBIGUOUS[key] };
  try {
    return { zone: new Intl.DateTimeFormat('en-US', { timeZone: typed.trim() }).resolvedOptions().timeZone };
  } catch {
    return null;
  }
}

/** The zone's canonical spelling, or null when the name means no single zone. */
export function canonicalTimeZone(typed: string): string | null {
  const match = matchTimeZone(typed);
  return match && 'zone' in match ? match.zone : null;
}
