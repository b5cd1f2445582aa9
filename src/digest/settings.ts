// A channel's digest settings: what it wants to receive, and over which stretch of time.
import { DEFAULT_LIVE_EVERY_MINUTES } from '../schedule/liveBatch.js';
import { DEFAULT_DIGEST_LAYOUT, DEFAULT_IMAGE_SIZE, type DigestLayout, type ImageSize } from './layout.js';

/**
 * since-last: the stories that became eligible (first seen published) since the digest's previous run, published
 * at most the schedule's maximum age ago; hours: published in the last N hours; all: any date. In each, a story the
 * channel already received is never sent again.
 */
export type DigestWindow = { kind: 'since-last' } | { kind: 'hours'; hours: number } | { kind: 'all' };

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
  /** A live digest posts at most one message per this many minutes (see schedule/liveBatch.ts). */
  everyMinutes: number;
  /** How the stories look: an embed each, one compact embed, or plain linked headlines. */
  layout: DigestLayout;
  /** How a story's picture is shown where the layout has room for one. */
  images: ImageSize;
}

export const DIGEST_SIZE_MAX = 10;
/** The quality scale real articles use (the corpora score 0 to 213; half score 70 or more). */
export const QUALITY_MIN = 0;
export const QUALITY_MAX = 213;
/** How old a story a since-last digest may send, when no schedule says otherwise: the daily digest's 48 h. */
export const SINCE_LAST_MAX_HOURS = 48;
// A window wider than a year is "all" in practice; the bound keeps date arithmetic far from overflow.
export const WINDOW_HOURS_MAX = 24 * 366;

// Frozen so that a caller who pushes onto the defaults' lists gets an error instead of changing every channel.
const NONE = Object.freeze([]) as unknown as string[];

export const DEFAULT_DIGEST_SETTINGS: DigestSettings = Object.freeze({
  size: 5,
  maxPerProvider: 2,
  window: Object.freeze({ kind: 'since-last' }),
  topics: NONE,
  providers: NONE,
  excludeProviders: NONE,
  minQuality: null,
  keywords: NONE,
  everyMinutes: DEFAULT_LIVE_EVERY_MINUTES,
  layout: DEFAULT_DIGEST_LAYOUT,
  images: DEFAULT_IMAGE_SIZE,
});

/** Reads a window as members type it: `24h`, `7d`, `all` or `since-last` (case and spaces ignored); null if invalid. */
export function parseWindow(text: string): DigestWindow | null {
  const value = text.trim().toLowerCase();
  if (value === 'all') return { kind: 'all' };
  if (value === 'since-last') return { kind: 'since-last' };
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

/** The window in words, for the sentence explaining an empty digest; `maxAgeHours` bounds a since-last window. */
export function describeWindow(window: DigestWindow, maxAgeHours = SINCE_LAST_MAX_HOURS): string {
  if (window.kind === 'all') return 'at any date';
  if (window.kind === 'since-last') return `since the previous digest (published at most ${isWholeDays(maxAgeHours) ? `${maxAgeHours / 24} days` : `${maxAgeHours} h`} ago)`;
  return isWholeDays(window.hours) ? `in the last ${window.hours / 24} days` : `in the last ${window.hours} h`;
}

const HOUR_MS = 3_600_000;

/** Which articles a window lets through at `now`, by publication and by when each became eligible. */
export interface WindowBounds {
  /** Published after this (ms), or no bound. */
  publishedAfter: number;
  /** Eligible at or after this (ms): the previous run of a since-last digest; no bound otherwise. */
  eligibleFrom: number;
}

/**
 * The window's bounds at `now`. It always closes at `now`: an article dated in the future waits for its time. A
 * since-last window opens at the digest's previous run for eligibility, and `maxAgeHours` back for publication.
 */
export function windowBounds(window: DigestWindow, now: Date, lastDigestAt: Date | null, maxAgeHours = SINCE_LAST_MAX_HOURS): WindowBounds {
  const none = Number.NEGATIVE_INFINITY;
  if (window.kind === 'all') return { publishedAfter: none, eligibleFrom: none };
  if (window.kind === 'hours') return { publishedAfter: now.getTime() - window.hours * HOUR_MS, eligibleFrom: none };
  return { publishedAfter: now.getTime() - maxAgeHours * HOUR_MS, eligibleFrom: lastDigestAt?.getTime() ?? none };
}
