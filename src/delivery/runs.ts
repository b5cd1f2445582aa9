// What a digest run is asked and what it answers: the language between delivery (exactlyOnce.ts), what starts runs
// (the scheduler, live digests, /digest now) and what posts them (the bot's Discord sender).
import type { Plan, RunRecord, RunTarget, Subscription } from '../state/types.js';
import type { Failure } from './retry.js';

/**
 * What a Sender answers for every Discord or network outcome. `permanent` means sending again cannot help (the
 * channel is gone, the bot may not post there, Discord rejects the body); `retryAfterMs` is Discord's hint, if any.
 * A Sender that throws is treated like a crash: nothing is recorded and the run stays pending.
 */
export type SendResult = { ok: true; messageId: string } | Failure;

/** Posts `body` (a message create body with `nonce` and `enforce_nonce`) to the channel. */
export type Sender = (channelId: string, body: object) => Promise<SendResult>;

/**
 * pending: a transient failure left messages unsent; they go out on the next tick or start. stopped: the run cannot
 * go on safely (its record cannot be written, or whether a message was posted cannot be checked); the scheduler tries
 * it again soon, then less and less often, and it sends nothing until it can.
 */
export type RunOutcomeStatus = 'posted' | 'empty' | 'failed' | 'pending' | 'stopped' | 'skipped';

export interface RunOutcome {
  channelId: string;
  slot: Date;
  runId: number | null;
  status: RunOutcomeStatus;
  /** What happened, in words; also the subscription's last result. */
  summary: string;
  /** Discord ids of the run's posted messages, in order. */
  messageIds: string[];
  /** Why a failed run failed: its digest could not be built, or its channel refused it for good. */
  failure?: 'plan_failed' | 'channel_refused';
}

export interface RunObserver {
  /** This process claimed the run: once per run, however often it is tried and by whichever process. */
  claimed(run: RunRecord): void;
  /** A try of a run ended so. */
  finished(outcome: RunOutcome): void;
}

export interface RunRequest extends RunTarget, Pick<Subscription, 'publish'> {
  slot: Date;
  /**
   * Called only when the slot has no run yet, in the channel's lane (no other run of the channel plans meanwhile in
   * this process); called again, a few times at most, when another process claimed some of its stories first.
   */
  plan: () => Promise<Plan> | Plan;
}
