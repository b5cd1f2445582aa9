// Which unfinished runs a scheduler finishes now: the ones due, not another live process's, and still wanted. The rest
// are left (not due yet, or another process's) or closed with the reason (a stale digest is worse than none).
import type { Logger } from '../log.js';
import type { StateStore } from '../state/stateStore.js';
import type { RunRecord, Subscription } from '../state/types.js';
import { abandonRun } from './abandonRun.js';

/** A slot of a subscription to run (or finish). */
export interface Job {
  channelId: string;
  subscription: Subscription;
  slot: Date;
}

const HOUR_MS = 3_600_000;

/**
 * The unfinished runs worth finishing now, with their subscriptions (all of them, by id: one look-up for every run).
 * A run whose subscription was removed or paused, or whose slot is older than `maxAgeMs`, is closed as failed instead:
 * a stale digest is worse than none. A run planned ahead of its slot waits for it.
 */
export async function triagePendingRuns(store: StateStore, runs: RunRecord[], subscriptions: ReadonlyMap<number, Subscription>, now: Date, maxAgeMs: number, logger: Logger): Promise<Job[]> {
  const worth: Job[] = [];
  for (const run of runs) {
    if (run.slot > now) continue;
    // Another live process is sending it: its business, abandoned or not.
    if (run.leaseOwner !== null && run.leaseOwner !== store.lease.owner && run.leaseUntil !== null && run.leaseUntil >= now) continue;
    const subscription = run.subscriptionId === null ? undefined : subscriptions.get(run.subscriptionId);
    // A live digest's runs are the live runner's, by its own rules (pendingBatchFate).
    if (subscription?.kind === 'live') continue;
    const why = !subscription
      ? 'the subscription was removed'
      : subscription.paused
        ? 'the subscription was paused'
        : now.getTime() - run.slot.getTime() > maxAgeMs
          ? `it was not complete within ${maxAgeMs / HOUR_MS} hours of its time`
          : null;
    if (why === null) {
      worth.push({ channelId: run.channelId, subscription: subscription!, slot: run.slot });
    } else if (await abandonRun(store, run, why)) {
      logger.warn({ event: 'digest.run_abandoned', channelId: run.channelId, slot: run.slot.toISOString(), runId: run.id, reason: why }, 'unfinished digest abandoned');
    }
  }
  return worth;
}
