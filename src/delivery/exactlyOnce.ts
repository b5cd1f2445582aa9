// Exactly-once delivery of a digest from the channel's point of view. A run (digest, slot) is claimed together with
// its whole plan before anything is sent; each message is marked as attempted before it is handed to Discord and
// recorded with its stories in one transaction once posted; it is always (re)sent with the same nonce and
// `enforce_nonce`. A message attempted but not recorded is first looked for in the channel (reconcile.ts), since
// Discord forgets nonces after a few minutes. Runs of one channel never send at the same time, in this process (a
// lane per channel) or across processes (a run is sent only by the process leasing it, runLease.ts), nor carry one
// story (claimSlot.ts plans again when another process claimed some of its stories first). In a forum, a run's
// first message opens a post and the others go into it (forumPosts.ts); an announcement channel's digest may be
// published to its followers once recorded (publishing.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.js';
import { LeaseLostError } from '../state/stateStore.js';
import type { StateStore } from '../state/stateStore.js';
import type { RunMessage, RunRecord, Subscription } from '../state/types.js';
import type { SubscriptionService } from '../subscriptions/service.js';
import { systemClock } from '../util/clock.js';
import type { Clock } from '../util/clock.js';
import { plural } from '../util/text.js';
import { forumPostTitle, type ForumPosts, type Place } from './forumPosts.js';
import { Publishing, type Publisher } from './publishing.js';
import { findPosted, type History, type HistoryResult } from './reconcile.js';
import { claimSlot, type Ahead } from './claimSlot.js';
import { problemText } from './problemText.js';
import { withRetries } from './retry.js';
import { RunLease } from './runLease.js';
import { ChannelLanes } from './channelLanes.js';
import { messageNonce } from './nonce.js';
import type { RunObserver, RunOutcome, RunOutcomeStatus, RunRequest, Sender, SendResult } from './runs.js';

export interface DeliveryDeps {
  store: StateStore;
  /** Where a channel that refuses digests for good is paused (with the reason), and taken off the timetable. */
  subscriptions: Pick<SubscriptionService, 'pause'>;
  send: Sender;
  /** The channel's recent messages by the bot: where a message attempted but never recorded is looked for. */
  history: History;
  logger: Logger;
  /** When a run's lease is due for renewal; the store's clock. */
  clock?: Clock;
  /** Tries per message for transient failures, and the first backoff delay (doubled each time). */
  retry?: { attempts: number; baseDelayMs: number };
  /** Opens forum posts; without it every channel is taken to hold messages. */
  forums?: ForumPosts;
  /** Publishes announcement messages; without it no digest is published. */
  publish?: Publisher;
  /** Told of every run, whatever started it (for /metrics). */
  observer?: RunObserver;
}

const DEFAULT_RETRY = { attempts: 4, baseDelayMs: 1000 };

const STOPPING = 'pending: Newsdesk is stopping; what is left is posted when it starts again';
const TAKEN_OVER = 'pending: another Newsdesk process took this digest over (this one did not renew its lease in time) and posts what is left';

function outcomeOf(run: Pick<RunRecord, 'id' | 'channelId' | 'slot'>, status: RunOutcomeStatus, summary: string, messageIds: string[] = []): RunOutcome {
  return { channelId: run.channelId, slot: run.slot, runId: run.id, status, summary, messageIds };
}

/**
 * Posts digests exactly once per (digest, slot) and each story at most once per channel, however often a run is
 * asked for, from the scheduler and /digest now alike. Holds what this process knows beyond the database: runs
 * stopped because their outcome could not be recorded, and the sends under way (for a shutdown that waits for them).
 */
export class DigestDelivery {
  private readonly logger: Logger;
  private readonly lanes = new ChannelLanes();
  /** Messages posted but not recorded (the store refused the write): recorded, never resent, once it accepts. */
  private readonly unrecorded = new Map<string, string>();
  /** Why a digest (by subscription id) is stopped, for /digest status: the database may be what cannot say it. */
  private readonly problems = new Map<number, string>();
  private readonly publishing: Publishing | undefined;
  private closing = false;

  constructor(private readonly deps: DeliveryDeps) {
    this.logger = deps.logger;
    const { store, publish, logger } = deps;
    this.publishing = publish && new Publishing({ store, publish, logger, retry: this.retry, stopping: () => this.closing });
  }

  private get retry() {
    return this.deps.retry ?? DEFAULT_RETRY;
  }

  /**
   * Makes sure the channel's digest for `slot` is posted exactly once: claims the slot and stores the plan, or
   * finishes the unsent messages of a run already claimed; a finished slot is left alone ('skipped').
   */
  deliver(run: RunRequest): Promise<RunOutcome> {
    return this.lanes.run(run.channelId, async () => {
      const outcome = await this.claimAndSend(run);
      this.deps.observer?.finished(outcome);
      return outcome;
    });
  }

  /**
   * Claims the slot ahead of its time with its plan, so that when it comes only sending is left; sends nothing. True
   * when this call claimed it. A slot already claimed, a plan with nothing to post, or a store that fails leave the
   * slot to be planned at its time, as if this had not been called.
   */
  prepare(run: RunRequest, ahead: Ahead): Promise<boolean> {
    return this.lanes.run(run.channelId, async () => {
      const { store } = this.deps;
      if (this.closing || (await store.findRun(run.subscriptionId, run.slot))) return false;
      const claim = await claimSlot(store, this.logger, run, ahead);
      if (claim.kind !== 'claimed') {
        if (claim.kind === 'stop') this.logger.warn({ event: 'digest.plan_ahead_failed', channelId: run.channelId, slot: run.slot.toISOString(), reason: claim.reason, err: claim.error }, 'digest not planned ahead: it is planned at its time');
        return false;
      }
      this.deps.observer?.claimed(claim.run);
      // Where the run goes is looked up now, while the token's requests are not wanted for posts: a process without a
      // gateway asks Discord, and at the slot those look-ups took a window's requests from the first posts.
      await this.deps.forums?.isForum(run.channelId).catch(() => undefined);
      this.logger.debug({ event: 'digest.planned_ahead', channelId: run.channelId, slot: run.slot.toISOString(), runId: claim.run.id }, 'digest planned ahead of its time');
      return true;
    });
  }

  /** Why the digest is stopped, when this process stopped it and the database could not record why. */
  problem(subscriptionId: number): string | undefined {
    return this.problems.get(subscriptionId);
  }

  /**
   * For shutdown: starts no new message, and waits (at most `timeoutMs`) for the ones handed to Discord to be
   * answered and recorded. True when nothing is left in flight.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.closing = true;
    const settled = this.lanes.idle().then(() => true);
    const timer = sleep(timeoutMs, false, { ref: false });
    return Promise.race([settled, timer]);
  }

  private async claimAndSend(run: RunRequest): Promise<RunOutcome> {
    const { store } = this.deps;
    if (this.closing) return { channelId: run.channelId, slot: run.slot, runId: null, status: 'pending', summary: STOPPING, messageIds: [] };
    // A store that cannot be read fails the run here, in one line, before publishing would report it as well.
    let record = await store.findRun(run.subscriptionId, run.slot);
    // What an earlier run left unpublished (a crash, Discord's hourly limit) goes first, in the order it was posted.
    // Only publishing digests leave any, and each of their runs publishes what the channel owes: the run of a digest
    // that does not publish skips the look-up. (A digest turned to publish since the caller read it publishes what is
    // owed after its first message instead, still oldest first.)
    if (run.publish) await this.publishing?.publishOwed(run.channelId);
    if (!record) {
      const claim = await claimSlot(store, this.logger, run);
      if (claim.kind === 'stop') return this.stop({ id: null, ...run }, claim.reason, claim.error);
      if (claim.kind === 'done') return claim.outcome;
      record = claim.run;
      this.deps.observer?.claimed(record);
    } else if (record.status === 'sending') {
      // Resuming: only with the lease, so two processes never send one run (a crashed owner's lease expires).
      const taken = await store.takeRun(record.id);
      if (!taken) return outcomeOf(record, 'skipped', 'another Newsdesk process is sending it');
      record = taken;
    }
    if (record.status === 'empty') {
      this.logger.info({ event: 'digest.empty', channelId: record.channelId, slot: record.slot.toISOString(), runId: record.id, outcome: record.outcome }, 'nothing to post');
      return outcomeOf(record, 'empty', record.outcome ?? 'empty');
    }
    if (record.status !== 'sending') return outcomeOf(record, 'skipped', `already ran: ${record.outcome ?? record.status}`);
    return this.sendRemaining(record);
  }

  /** Sends the run's unsent messages in order, recording each, for as long as this process leases the run. */
  private async sendRemaining(run: RunRecord): Promise<RunOutcome> {
    const messageIds: string[] = [];
    try {
      return await this.sendMessages(run, messageIds);
    } catch (error) {
      if (error instanceof LeaseLostError) return this.leaseLost(run, messageIds);
      throw error;
    }
  }

  /** Pauses the subscription on a permanent failure. `messageIds` gets the ids of the run's posted messages. */
  private async sendMessages(run: RunRecord, messageIds: string[]): Promise<RunOutcome> {
    const { store } = this.deps;
    const context = { channelId: run.channelId, slot: run.slot.toISOString(), runId: run.id };
    const messages = await store.runMessages(run.id);
    messageIds.push(...messages.flatMap((m) => (m.messageId ? [m.messageId] : [])));
    const digest = run.subscriptionId === null ? undefined : await store.getSubscription(run.subscriptionId);
    const lease = new RunLease(store, run, this.deps.clock ?? systemClock);
    const publishing = digest?.publish ? this.publishing : undefined;
    let unpublished: string | null = null;
    let forum: boolean;
    try {
      forum = (await this.deps.forums?.isForum(run.channelId)) ?? false;
    } catch (error) {
      return this.stop(run, `the channel could not be looked up (${problemText(error)}); nothing more is posted to it until it can be`, error, messageIds);
    }
    for (const message of messages) {
      if (message.messageId) continue;
      if (this.closing) return outcomeOf(run, 'pending', STOPPING, messageIds);
      if (!(await lease.keep())) return this.leaseLost(run, messageIds);
      // Messages go in order, so in a forum the first one's id (its post's) is known before any other is sent.
      const place = this.placeOf(run, forum, digest, message.index, messageIds[0]);
      const key = `${run.id}:${message.index}`;
      let messageId = this.unrecorded.get(key);
      if (!messageId && message.attemptedAt) {
        const earlier = await this.findEarlierPost(run, message, place);
        if (!earlier.ok) return this.stop(run, earlier.reason, undefined, messageIds);
        messageId = earlier.messageId ?? undefined;
      }
      if (!messageId) {
        try {
          await store.markAttempted(run.id, message.index);
        } catch (error) {
          if (error instanceof LeaseLostError) throw error;
          return this.stop(run, `the digest could not be saved before posting, so nothing more was posted (${problemText(error)})`, error, messageIds);
        }
        const result = 'forumId' in place
          ? await this.startPost(place, message.payload)
          : await this.sendWithRetry(place.channelId, { ...message.payload, nonce: messageNonce(run.id, run.slot, message.index), enforce_nonce: true });
        if (!result.ok) return this.sendFailed(run, message, result, messageIds);
        messageId = result.messageId;
      }
      try {
        await store.recordSent(run.id, message.index, messageId, publishing !== undefined);
      } catch (error) {
        // Not kept as unrecorded: the run's new owner looks for it in the channel (it was marked attempted) first.
        if (error instanceof LeaseLostError) throw error;
        this.unrecorded.set(key, messageId);
        return this.stop(run, `message ${message.index + 1} was posted but could not be recorded (${problemText(error)}); nothing more is posted to this channel until it is`, error, [...messageIds, messageId]);
      }
      this.unrecorded.delete(key);
      messageIds.push(messageId);
      this.logger.debug({ event: 'digest.message_sent', ...context, index: message.index, messageId, stories: message.storyCount }, 'digest message sent');
      if (publishing) unpublished = await publishing.publishOwed(run.channelId);
    }
    this.forgetProblem(run);
    const stories = messages.reduce((sum, m) => sum + m.storyCount, 0);
    const summary = `posted ${plural(messages.length, 'message', 'messages')} with ${plural(stories, 'story', 'stories')}${unpublished ? `; ${unpublished}` : ''}`;
    await store.setRunOutcome(run.id, 'posted', summary);
    this.logger.info({ event: 'digest.posted', ...context, messages: messages.length, stories }, 'digest posted');
    return outcomeOf(run, 'posted', summary, messageIds);
  }

  /** Where the run's message `index` goes: the channel, or in a forum the run's post, which its first message opens. */
  private placeOf(run: RunRecord, forum: boolean, digest: Subscription | undefined, index: number, postId: string | undefined): Place {
    if (!forum) return { channelId: run.channelId };
    if (index === 0) return { forumId: run.channelId, title: forumPostTitle(digest, run.createdAt) };
    if (postId === undefined) throw new Error(`run ${run.id} has no forum post for its message ${index + 1}`);
    return { channelId: postId };
  }

  /** The bot's recent messages where `place` is: the channel's or thread's, or the forum's open posts. */
  private readPlace(place: Place): Promise<HistoryResult> {
    return 'forumId' in place ? this.forums.list(place.forumId) : this.deps.history(place.channelId);
  }

  // Only a place placeOf found to be a forum asks for this.
  private get forums(): ForumPosts {
    if (!this.deps.forums) throw new Error('a forum post, but no forums to open it in');
    return this.deps.forums;
  }

  /** Whether a message attempted earlier reached the channel: its id if so, null if not, or why that is unknown. */
  private async findEarlierPost(run: RunRecord, message: RunMessage, place: Place): Promise<{ ok: true; messageId: string | null } | { ok: false; reason: string }> {
    const history = await this.readPlace(place);
    if (!history.ok) {
      return { ok: false, reason: `message ${message.index + 1} may have been posted before an interruption, and the channel could not be read to check (${history.reason}); it is not sent again until it can be checked` };
    }
    const messageId = findPosted(message.payload, history.messages) ?? null;
    this.logger.info({ event: 'digest.reconciled', channelId: run.channelId, runId: run.id, index: message.index, found: messageId !== null, messageId }, messageId ? 'interrupted message found in the channel' : 'interrupted message not in the channel: sending it');
    return { ok: true, messageId };
  }

  private async sendFailed(run: RunRecord, message: RunMessage, result: Extract<SendResult, { ok: false }>, messageIds: string[]): Promise<RunOutcome> {
    const { store } = this.deps;
    const context = { channelId: run.channelId, slot: run.slot.toISOString(), runId: run.id, index: message.index, reason: result.reason };
    if (result.permanent) {
      const summary = `failed: ${result.reason}`;
      this.forgetProblem(run);
      await store.setRunOutcome(run.id, 'failed', summary);
      if (run.subscriptionId !== null) await this.deps.subscriptions.pause(run.subscriptionId, result.reason);
      this.logger.warn({ event: 'digest.channel_paused', ...context, subscriptionId: run.subscriptionId }, 'digest paused: its channel cannot receive it');
      return { ...outcomeOf(run, 'failed', summary, messageIds), failure: 'channel_refused' };
    }
    const summary = `pending: ${result.reason}; the rest will be sent on the next attempt`;
    this.forgetProblem(run);
    await store.setRunOutcome(run.id, 'sending', summary);
    this.logger.warn({ event: 'digest.send_deferred', ...context }, 'digest left pending after retries');
    return outcomeOf(run, 'pending', summary, messageIds);
  }

  /**
   * Stops the run where it is: nothing more is sent for it until a later attempt (each sweep, or a restart) finds
   * the store writable and the channel readable. The reason is kept in memory too, since the store may refuse it.
   */
  private async stop(run: Pick<RunRecord, 'subscriptionId' | 'channelId' | 'slot'> & { id: number | null }, reason: string, error?: unknown, messageIds: string[] = []): Promise<RunOutcome> {
    const summary = `stopped: ${reason}`;
    if (run.subscriptionId !== null) this.problems.set(run.subscriptionId, summary);
    this.logger.error(
      { event: 'digest.stopped', subscriptionId: run.subscriptionId, channelId: run.channelId, slot: run.slot.toISOString(), runId: run.id, database: this.deps.store.location, reason, err: error },
      'digest stopped: it cannot go on safely',
    );
    if (run.id !== null) {
      try {
        await this.deps.store.setRunOutcome(run.id, 'sending', summary);
      } catch {
        // The store is what failed (or another process took the run over): the reason lives in `problems` until the
        // store accepts writes again.
      }
    }
    return { channelId: run.channelId, slot: run.slot, runId: run.id, status: 'stopped', summary, messageIds };
  }

  /** Another process took the run over: this one leaves it be, and writes nothing more for it. */
  private leaseLost(run: RunRecord, messageIds: string[]): RunOutcome {
    this.forgetProblem(run);
    this.logger.warn({ event: 'digest.lease_lost', channelId: run.channelId, slot: run.slot.toISOString(), runId: run.id, owner: this.deps.store.lease.owner }, 'digest taken over by another process');
    return outcomeOf(run, 'pending', TAKEN_OVER, messageIds);
  }

  private forgetProblem(run: RunRecord): void {
    if (run.subscriptionId !== null) this.problems.delete(run.subscriptionId);
  }

  private sendWithRetry(channelId: string, body: object): Promise<SendResult> {
    return withRetries(() => this.deps.send(channelId, body), this.retry, this.retryHooks(channelId));
  }

  /**
   * Opens the run's forum post. Discord has no nonce for a post, so before trying again after a failure the forum is
   * read: a post whose answer was lost on its way back is there, and is taken instead of opening a second one.
   */
  private startPost(place: Extract<Place, { forumId: string }>, payload: object): Promise<SendResult> {
    const { forumId, title } = place;
    return withRetries(() => this.forums.start(forumId, title, payload), this.retry, {
      ...this.retryHooks(forumId),
      recheck: async () => {
        const posts = await this.readPlace(place);
        if (!posts.ok) return { ok: false, permanent: false, reason: `the forum could not be read to check whether the post was opened (${posts.reason})` };
        const postId = findPosted(payload, posts.messages);
        return postId === undefined ? undefined : { ok: true, messageId: postId };
      },
    });
  }

  private retryHooks(channelId: string) {
    return {
      stopping: () => this.closing,
      onRetry: (attempt: number, delayMs: number, reason: string) => this.logger.info({ event: 'digest.send_retry', channelId, attempt, delayMs, reason }, 'retrying a digest message'),
    };
  }
}
