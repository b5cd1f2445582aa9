// Exactly-once delivery of a digest from the channel's point of view. A run (channel, slot) is claimed together with
// its whole plan before anything is sent; each posted message is recorded with its stories in one transaction; a
// message is always (re)sent with the same nonce and `enforce_nonce`, so a post that reached Discord but was not
// recorded (a crash in between) comes back as the same message instead of a duplicate.
import { setTimeout as sleep } from 'node:timers/promises';
import { NONCE_MAX } from '../discord/limits.js';
import { log as defaultLog } from '../log.js';
import type { Logger } from '../log.js';
import { systemClock } from '../state/clock.js';
import type { Clock } from '../state/clock.js';
import type { Plan, RunRecord, Store } from '../state/store.js';
import { perChannel } from './pool.js';
import { plural } from '../util/text.js';

export type { PlannedMessage } from '../state/store.js';

/**
 * What a Sender answers for every Discord or network outcome. `permanent` means sending again cannot help (the
 * channel is gone, the bot may not post there, Discord rejects the body); `retryAfterMs` is Discord's hint, if any.
 * A Sender that throws is treated like a crash: nothing is recorded and the run stays pending.
 */
export type SendResult = { ok: true; messageId: string } | { ok: false; permanent: boolean; reason: string; retryAfterMs?: number };

/** Posts `body` (a message create body with `nonce` and `enforce_nonce`) to the channel. */
export type Sender = (channelId: string, body: object) => Promise<SendResult>;

export type RunOutcomeStatus = 'posted' | 'empty' | 'failed' | 'pending' | 'skipped';

export interface RunOutcome {
  channelId: string;
  slot: Date;
  runId: number | null;
  /** pending: a transient failure left messages unsent; they go out on the next tick or start. */
  status: RunOutcomeStatus;
  /** What happened, in words; also the subscription's last result. */
  summary: string;
  /** Discord ids of the run's posted messages, in order. */
  messageIds: string[];
}

export interface DeliveryDeps {
  store: Store;
  send: Sender;
  logger?: Logger;
  /** Tries per message for transient failures, and the first backoff delay (doubled each time). */
  retry?: { attempts: number; baseDelayMs: number };
  /** Concurrency of resumePendingRuns across channels. */
  concurrency?: number;
}

export interface ResumeOptions {
  clock?: Clock;
  /** A run still unfinished this long after its slot is abandoned rather than posted late. */
  maxAgeHours?: number;
}

const DEFAULT_RETRY = { attempts: 4, baseDelayMs: 1000 };
// Channels delivered at once. discord.js queues every post behind Discord's global limit (50 requests/s), so
// enough lanes must be waiting to keep that budget spent: a lane spends a few milliseconds planning and then a round
// trip per post, so 16 lanes keep 50 posts/s going for round trips up to ~300 ms. With 4 lanes a digest to 500
// channels took 11.7 s where the limit allows 10 s; with 16, 10.5 s (see BENCHMARKS.md, delivery).
export const DEFAULT_CONCURRENCY = 16;
export const DEFAULT_MAX_AGE_HOURS = 12;
const HOUR_MS = 3_600_000;

/** The nonce of one message of a run: deterministic, so a resend carries the same one, and unique per run. */
function messageNonce(runId: number, slot: Date, index: number): string {
  const nonce = `nd${runId.toString(36)}t${slot.getTime().toString(36)}m${index}`;
  if (nonce.length > NONCE_MAX) throw new Error(`nonce ${nonce} is longer than Discord's ${NONCE_MAX} characters`);
  return nonce;
}

// Runs being sent by this process, per store, so that /digest now racing the scheduler cannot send a message twice.
const sending = new WeakMap<Store, Set<number>>();

class PlanFailed extends Error {}

function outcomeOf(run: Pick<RunRecord, 'id' | 'channelId' | 'slot'>, status: RunOutcomeStatus, summary: string, messageIds: string[] = []): RunOutcome {
  return { channelId: run.channelId, slot: run.slot, runId: run.id, status, summary, messageIds };
}

/**
 * Makes sure the channel's digest for `slot` is posted exactly once: claims the slot and stores the plan, or
 * finishes the unsent messages of a run already claimed; a finished slot is left alone ('skipped').
 */
export async function deliverRun(
  deps: DeliveryDeps,
  run: { channelId: string; slot: Date; plan: () => Plan },
): Promise<RunOutcome> {
  const logger = deps.logger ?? defaultLog;
  let record = deps.store.findRun(run.channelId, run.slot);
  if (!record) {
    try {
      record = deps.store.claimRun(run.channelId, run.slot, () => {
        try {
          return run.plan();
        } catch (error) {
          throw new PlanFailed(error instanceof Error ? error.message : String(error), { cause: error });
        }
      });
    } catch (error) {
      if (!(error instanceof PlanFailed)) throw error;
      const summary = `failed: the digest could not be built (${error.message})`;
      logger.error({ event: 'digest.plan_failed', channelId: run.channelId, slot: run.slot.toISOString(), err: error.cause }, 'digest plan failed');
      const closed = deps.store.closeSlot(run.channelId, run.slot, 'failed', summary);
      return { channelId: run.channelId, slot: run.slot, runId: closed?.id ?? null, status: 'failed', summary, messageIds: [] };
    }
    // Only another process can claim between our look-up and our claim (both are synchronous here): leave it theirs.
    if (!record) return { channelId: run.channelId, slot: run.slot, runId: null, status: 'skipped', summary: 'claimed by another process', messageIds: [] };
  }
  if (record.status === 'empty') {
    logger.info({ event: 'digest.empty', channelId: record.channelId, slot: record.slot.toISOString(), runId: record.id, outcome: record.outcome }, 'nothing to post');
    return outcomeOf(record, 'empty', record.outcome ?? 'empty');
  }
  if (record.status !== 'sending') return outcomeOf(record, 'skipped', `already ran: ${record.outcome ?? record.status}`);
  return sendRemaining(deps, record);
}

/** Sends the run's unsent messages in order, recording each; pauses the subscription on a permanent failure. */
async function sendRemaining(deps: DeliveryDeps, run: RunRecord): Promise<RunOutcome> {
  const { store } = deps;
  const logger = deps.logger ?? defaultLog;
  const inFlight = sending.get(store) ?? new Set<number>();
  sending.set(store, inFlight);
  if (inFlight.has(run.id)) return outcomeOf(run, 'skipped', 'already being sent');
  inFlight.add(run.id);
  try {
    const context = { channelId: run.channelId, slot: run.slot.toISOString(), runId: run.id };
    const messages = store.runMessages(run.id);
    const messageIds = messages.flatMap((m) => (m.messageId ? [m.messageId] : []));
    for (const message of messages) {
      if (message.messageId) continue;
      const body = { ...message.payload, nonce: messageNonce(run.id, run.slot, message.index), enforce_nonce: true };
      const result = await sendWithRetry(deps, logger, run.channelId, body);
      if (result.ok) {
        store.recordSent(run.id, message.index, result.messageId);
        messageIds.push(result.messageId);
        logger.debug({ event: 'digest.message_sent', ...context, index: message.index, messageId: result.messageId, stories: message.storyCount }, 'digest message sent');
        continue;
      }
      if (result.permanent) {
        const summary = `failed: ${result.reason}`;
        store.setRunOutcome(run.id, 'failed', summary);
        store.setPaused(run.channelId, true, result.reason);
        logger.warn({ event: 'digest.channel_paused', ...context, index: message.index, reason: result.reason }, 'subscription paused: the channel cannot receive digests');
        return outcomeOf(run, 'failed', summary, messageIds);
      }
      const summary = `pending: ${result.reason}; the rest will be sent on the next attempt`;
      store.setRunOutcome(run.id, 'sending', summary);
      logger.warn({ event: 'digest.send_deferred', ...context, index: message.index, reason: result.reason }, 'digest left pending after retries');
      return outcomeOf(run, 'pending', summary, messageIds);
    }
    const stories = messages.reduce((sum, m) => sum + m.storyCount, 0);
    const summary = `posted ${plural(messages.length, 'message', 'messages')} with ${plural(stories, 'story', 'stories')}`;
    store.setRunOutcome(run.id, 'posted', summary);
    logger.info({ event: 'digest.posted', ...context, messages: messages.length, stories }, 'digest posted');
    return outcomeOf(run, 'posted', summary, messageIds);
  } finally {
    inFlight.delete(run.id);
  }
}

async function sendWithRetry(deps: DeliveryDeps, logger: Logger, channelId: string, body: object): Promise<SendResult> {
  const retry = deps.retry ?? DEFAULT_RETRY;
  for (let attempt = 1; ; attempt++) {
    const result = await deps.send(channelId, body);
    if (result.ok || result.permanent || attempt >= retry.attempts) return result;
    const delayMs = result.retryAfterMs ?? retry.baseDelayMs * 2 ** (attempt - 1);
    logger.info({ event: 'digest.send_retry', channelId, attempt, delayMs, reason: result.reason }, 'retrying a digest message');
    await sleep(delayMs);
  }
}

/**
 * The unfinished runs worth finishing now. A run whose subscription was removed or paused, or whose slot is older
 * than `maxAgeMs`, is closed as failed instead: a stale digest is worse than none.
 */
export function triagePendingRuns(store: Store, now: Date, maxAgeMs: number, logger: Logger): RunRecord[] {
  return store.pendingRuns().filter((run) => {
    const subscription = store.getSubscription(run.channelId);
    const why = !subscription
      ? 'the subscription was removed'
      : subscription.paused
        ? 'the subscription was paused'
        : now.getTime() - run.slot.getTime() > maxAgeMs
          ? `it was not complete within ${maxAgeMs / HOUR_MS} hours of its time`
          : null;
    if (why === null) return true;
    store.setRunOutcome(run.id, 'failed', `failed: abandoned because ${why}`);
    logger.warn({ event: 'digest.run_abandoned', channelId: run.channelId, slot: run.slot.toISOString(), runId: run.id, reason: why }, 'unfinished digest abandoned');
    return false;
  });
}

/** On start: finishes the runs whose messages were planned but not all sent, channels independently. */
export async function resumePendingRuns(deps: DeliveryDeps, options: ResumeOptions = {}): Promise<RunOutcome[]> {
  const logger = deps.logger ?? defaultLog;
  const now = (options.clock ?? systemClock).now();
  const runs = triagePendingRuns(deps.store, now, (options.maxAgeHours ?? DEFAULT_MAX_AGE_HOURS) * HOUR_MS, logger);
  return perChannel(runs, deps.concurrency ?? DEFAULT_CONCURRENCY, async (run) => {
    try {
      return await sendRemaining(deps, run);
    } catch (error) {
      logger.error({ event: 'digest.resume_failed', channelId: run.channelId, runId: run.id, err: error }, 'resuming a digest failed');
      return outcomeOf(run, 'pending', `pending: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}
