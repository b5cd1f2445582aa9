// Claiming a slot that has no run yet: its digest is planned, then the slot is claimed with that plan. Planning reads
// the store and the claim writes it, so between the two another process may claim another digest of the same channel
// (two digests due at one instant) with some of the same stories: the store refuses such a plan (PlanOutdatedError),
// and the digest is planned again from the state as it is then, which leaves those stories out. A slot claimed ahead of
// its time (the scheduler plans due digests before their slot) keeps only a plan with something to post: an empty or
// failed plan writes nothing, and the slot is planned again when it comes, with whatever arrived meanwhile.
import type { Logger } from '../log.js';
import { PlanOutdatedError } from '../state/stateStore.js';
import type { StateStore } from '../state/stateStore.js';
import type { Plan, RunRecord } from '../state/types.js';
import type { RunOutcome, RunRequest } from './runs.js';
import { PlanInputsUnreadable } from './planInputs.js';
import { problemText } from './problemText.js';

/**
 * Plans in all, at most, before the slot is left for a little later: each refusal means another run of the channel
 * was claimed meanwhile, so a few only happen when several processes keep claiming digests of one channel at once.
 */
export const MAX_PLANS = 3;

const CLAIMING_ELSEWHERE = 'pending: another Newsdesk process is claiming this digest; it is looked at again shortly, in case that process stops first';
const LEFT_FOR_ITS_TIME = 'skipped: nothing to plan ahead; the digest is planned at its time';
const CONTENDED = 'pending: other digests of this channel kept taking the stories planned for it; it is planned again shortly';

/** The slot claimed (its run), what happened instead, or why the run must stop (see DigestDelivery). */
export type SlotClaim = { kind: 'claimed'; run: RunRecord } | { kind: 'done'; outcome: RunOutcome } | { kind: 'stop'; reason: string; error: unknown };

/** Claiming ahead of the slot: the subscription the plan is made from, as it was (its updatedAt). */
export interface Ahead {
  madeFrom: Date;
}

/** Plans the slot and claims it with the plan, planning again while the store refuses it as outdated. */
export async function claimSlot(store: StateStore, logger: Logger, run: RunRequest, ahead?: Ahead): Promise<SlotClaim> {
  const { channelId, slot } = run;
  const leftForItsTime: SlotClaim = { kind: 'done', outcome: { channelId, slot, runId: null, status: 'skipped', summary: LEFT_FOR_ITS_TIME, messageIds: [] } };
  for (let plans = 1; ; plans++) {
    let planned: Plan;
    try {
      planned = await run.plan();
    } catch (error) {
      if (ahead) return leftForItsTime;
      // The store failed, not the digest: the slot stays open and is tried again (a restart of its server).
      if (error instanceof PlanInputsUnreadable) return { kind: 'stop', reason: `${error.message}, so nothing was posted`, error: error.cause };
      const summary = `failed: the digest could not be built (${error instanceof Error ? error.message : String(error)})`;
      logger.error({ event: 'digest.plan_failed', channelId, slot: slot.toISOString(), err: error }, 'digest plan failed');
      const closed = await store.closeSlot(run, slot, 'failed', summary);
      return { kind: 'done', outcome: { channelId, slot, runId: closed?.id ?? null, status: 'failed', summary, messageIds: [], failure: 'plan_failed' } };
    }
    if (ahead && 'empty' in planned) return leftForItsTime;
    let record: RunRecord | undefined;
    try {
      record = await store.claimRun(run, slot, planned, ahead);
    } catch (error) {
      if (!(error instanceof PlanOutdatedError)) return { kind: 'stop', reason: `the digest could not be saved before posting, so nothing was posted (${problemText(error)})`, error };
      const last = plans === MAX_PLANS;
      logger.info({ event: 'digest.plan_outdated', subscriptionId: run.subscriptionId, channelId, slot: slot.toISOString(), stories: error.urls.length, plans, last },
        last ? 'digest plan outdated again: left for a little later' : 'digest plan outdated: planning again');
      if (last) return { kind: 'done', outcome: { channelId, slot, runId: null, status: 'pending', summary: CONTENDED, messageIds: [] } };
      continue;
    }
    if (record) return { kind: 'claimed', run: record };
    // Only another process can claim between our look-up and our claim (this process plans a channel in its lane).
    // Its claim may still be under way, and roll back if that process dies: then the slot is owed again, soon.
    const claimed = await store.findRun(run.subscriptionId, slot);
    return {
      kind: 'done',
      outcome: claimed
        ? { channelId, slot, runId: claimed.id, status: 'skipped', summary: 'claimed by another process', messageIds: [] }
        : { channelId, slot, runId: null, status: 'pending', summary: CLAIMING_ELSEWHERE, messageIds: [] },
    };
  }
}
