// A channel's digest settings: what it wants to receive, and over which stretch of time.

export type DigestWindow = { kind: 'since-last'; maxHours: number } | { kind: 'hours'; hours: number } | { kind: 'all' };

export interface DigestSettings {
  /** Stories per digest, 1 to DIGEST_SIZE_MAX. */
  size: number;
  /** At most this many stories led by one outlet (by provider domain). */
  maxPerProvider: number;
  window: DigestWindow;
  /** Keep only articles with one of these topics (any; case and accents ignored). Empty: every topic. */
  topics: string[];
  /** Keep only these outlets, by domain (subdomains included) or name. Empty: every outlet. */
  providers: string[];
  /** Leave out these outlets, by domain (subdomains included) or name. */
  excludeProviders: string[];
  /** Leave out articles scored below this (and those with no score). */
  minQuality: number | null;
  /** Keep only articles whose title or excerpt holds one of these words or phrases. Empty: no keyword filter. */
  keywords: string[];
}

export const DIGEST_SIZE_MAX = 10;
/** The default window reaches back to the previous digest, but never further than a day. */
const SINCE_LAST_MAX_HOURS = 24;
// A window wider than a year is "all" in practice; the bound keeps date arithmetic far from overflow.
export const WINDOW_HOURS_MAX = 24 * 366;

// Frozen so that a caller who pushes onto the defaults' lists gets an error instead of changing every channel.
const NONE = Object.freeze([]) as unknown as string[];

export const DEFAULT_DIGEST_SETTINGS: DigestSettings = Object.freeze({
  size: 5,
  maxPerProvider: 2,
  window: Object.freeze({ kind: 'since-last', maxHours: SINCE_LAST_MAX_HOURS }),
  topics: NONE,
  providers: NONE,
  excludeProviders: NONE,
  minQuality: null,
  keywords: NONE,
});

/** Reads a window as members type it: `24h`, `7d`, `all` or `since-last` (case and spaces ignored); null if invalid. */
export function parseWindow(text: string): DigestWindow | null {
  const value = text.trim().toLowerCase();
  if (value === 'all') return { kind: 'all' };
  if (value === 'since-last') return { kind: 'since-last', maxHours: SINCE_LAST_MAX_HOURS };
  const match = /^(\d{1,5})\s*([hd])$/.exec(value);
  if (!match) return null;
  const hours = Number(match[1]) * (match[2] === 'd' ? 24 : 1);
  return hours >= 1 && hours <= WINDOW_HOURS_MAX ? { kind: 'hours', hours } : null;
}

// "24h" reads better than "1d", "7d" better than "168h".
const isWholeDays = (hours: number): boolean => hours > 24 && hours % 24 === 0;

/** The window as typed back to a member (`parseWindow(formatWindow(w))` gives `w` back). */
export function formatWindow(window: DigestWindow): string {
  if (window.kind === 'all') return 'all';
  if (window.kind === 'since-last') return 'since-last';
  return isWholeDays(window.hours) ? `${window.hours / 24}d` : `${window.hours}h`;
}

/** The window in words, for the sentence explaining an empty digest. */
export function describeWindow(window: DigestWindow): string {
  if (window.kind === 'all') return 'at any date';
  if (window.kind === 'since-last') return `since the previous digest (at most ${window.maxHours} h back)`;
  return isWholeDays(window.hours) ? `in the last ${window.hours / 24} days` : `in the last ${window.hours} h`;
}

const HOUR_MS = 3_600_000;

/**
 * The moment the window opens (articles must be published after it), or null when it has no start. The window
 * always closes at `now`: an article dated in the future waits for its time.
 */
export function windowStart(window: DigestWindow, now: Date, lastDigestAt: Date | null): Date | null {
  if (window.kind === 'all') return null;
  if (window.kind === 'hours') return new Date(now.getTime() - window.hours * HOUR_MS);
  const earliest = now.getTime() - window.maxHours * HOUR_MS;
  return new Date(lastDigestAt ? Math.max(earliest, lastDigestAt.getTime()) : earliest);
}
