// The rules of a live digest, pure: when its next batch is due, what a batch may choose from, and how it reads.
// A live digest posts each newly eligible story shortly after the bot first sees it, in batches: at most one message
// per `everyMinutes`, holding as many of the best waiting stories as one message fits (10 embeds, 6,000 characters).
import { MESSAGE_EMBEDS_MAX } from '../discord/limits.js';
import type { DigestSettings } from '../digest/settings.js';
import type { RunRecord, Subscription } from '../state/types.js';

/** Bounds of `every`: a minute is the runner's own tick; past an hour a scheduled digest serves better. */
export const LIVE_EVERY_MIN_MINUTES = 1;
export const LIVE_EVERY_MAX_MINUTES = 60;
export const DEFAULT_LIVE_EVERY_MINUTES = 5;
/** Stories one batch may take: what one message holds as embeds; the rest wait for the next batch. */
export const LIVE_BATCH_STORIES = MESSAGE_EMBEDS_MAX;
/**
 * A waiting story is dropped once published longer ago than this: live posts are news, and a burst larger than the
 * batches can carry in a day is left to the scheduled digests rather than trickled out for days.
 */
export const LIVE_MAX_AGE_HOURS = 24;
/** The heading of a live post (the date follows it). */
export const LIVE_TITLE = 'Live news';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** The batch `now` falls in: the start of its minute. A run is claimed per (digest, batch slot), so a batch posts once. */
export function batchSlot(now: Date): Date {
  return new Date(Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS);
}

/**
 * Whether a new batch may start at `slot`, the previous one having been planned at `previous` (or never): at least
 * `everyMinutes` whole minutes apart, counted from the start of the previous batch's minute so that a batch claimed a
 * few hundred milliseconds into its minute does not push the next one a minute later.
 */
export function batchDue(slot: Date, previous: Date | null, everyMinutes: number): boolean {
  if (previous === null) return true;
  return slot.getTime() - batchSlot(previous).getTime() >= clampEvery(everyMinutes) * MINUTE_MS;
}

/** A stored interval within the bounds, whatever wrote it. */
export function clampEvery(everyMinutes: number): number {
  if (!Number.isFinite(everyMinutes)) return DEFAULT_LIVE_EVERY_MINUTES;
  return Math.min(LIVE_EVERY_MAX_MINUTES, Math.max(LIVE_EVERY_MIN_MINUTES, Math.round(everyMinutes)));
}

/**
 * What a live digest's unfinished batch (a transient failure, a process that died) is worth at `now`: finished by
 * this process, left to the process whose lease on it still runs, or abandoned, with why. While it is unfinished no
 * new batch starts: two would reach the channel within the interval. The live runner alone decides this for a live
 * digest's runs, by these rules; the scheduler leaves them to it.
 */
export type PendingBatchFate = { kind: 'resume' } | { kind: 'elsewhere' } | { kind: 'abandon'; why: string };

export function pendingBatchFate(
  run: Pick<RunRecord, 'slot' | 'leaseOwner' | 'leaseUntil'>,
  digest: Pick<Subscription, 'paused'>,
  now: Date,
  owner: string,
): PendingBatchFate {
  if (run.leaseOwner !== null && run.leaseOwner !== owner && run.leaseUntil !== null && run.leaseUntil >= now) return { kind: 'elsewhere' };
  if (digest.paused) return { kind: 'abandon', why: 'the live digest was paused' };
  // By then every story in it is past the age at which a waiting story is dropped: no longer news.
  if (now.getTime() - run.slot.getTime() > LIVE_MAX_AGE_HOURS * HOUR_MS) return { kind: 'abandon', why: `it was not complete within ${LIVE_MAX_AGE_HOURS} hours of its time` };
  return { kind: 'resume' };
}

/** What a live batch chooses from, as chooseDigest takes it. */
export interface LiveReach {
  settings: DigestSettings;
  lastDigestAt: Date;
  maxAgeHours: number;
}

/**
 * A live batch takes every story that became eligible after the digest started (was set up, changed or resumed),
 * not only since its previous batch: a story a full batch had no room for is still there for the next one. Strictly
 * after: what the bot already knew at that moment (dated by the sync setup makes) is not news to it. The best
 * LIVE_BATCH_STORIES go first, with no per-outlet cap: a feed of one outlet must not trickle two stories a batch.
 */
export function liveReach(digest: Pick<Subscription, 'settings' | 'updatedAt'>): LiveReach {
  return {
    settings: { ...digest.settings, size: LIVE_BATCH_STORIES, maxPerProvider: LIVE_BATCH_STORIES, window: { kind: 'since-last' } },
    lastDigestAt: new Date(digest.updatedAt.getTime() + 1),
    maxAgeHours: LIVE_MAX_AGE_HOURS,
  };
}

/** "every minute", "every 5 min". */
export function describeEvery(everyMinutes: number): string {
  const every = clampEvery(everyMinutes);
  return every === 1 ? 'every minute' : `every ${every} min`;
}
