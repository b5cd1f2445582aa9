// IANA time zone names: the one place that decides whether a name is a zone, for settings, commands and the CLI.

// Intl lists canonical zones only; UTC is the one most people type and it is missing from that list.
export const TIME_ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone')];
const BY_KEY = new Map(TIME_ZONES.map((zone) => [zoneKey(zone), zone]));

/** How a typed zone is compared: case, spaces and underscores do not matter ("new york" is "New_York"). */
export function zoneKey(text: string): string {
  return text.trim().toLowerCase().replace(/[\s_]+/g, '_');
}

/** The zone's canonical spelling, or null when it is not a zone this runtime knows (aliases like US/Eastern too). */
export function canonicalTimeZone(typed: string): string | null {
  const listed = BY_KEY.get(zoneKey(typed));
  if (listed) return listed;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: typed.trim() }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}
