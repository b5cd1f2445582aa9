// The live digests' runner: once a minute, each active live digest whose previous batch is old enough posts the best
// stories that became eligible since, as one message, through the same exactly-once delivery as scheduled digests
// (a run per (digest, batch slot), claimed with its plan before anything is sent).
import cron from 'node-cron';
import type { ScheduledTask } from 'node-cron';
import type { RunOutcome } from '../delivery/runs.js';
import type { DigestService } from '../delivery/service.js';
import type { Logger } from '../log.js';
import type { StateStore } from '../state/stateStore.js';
import type { RunRecord, Subscription } from '../state/types.js';
import type { Clock } from '../util/clock.js';
import { abandonRun } from './abandonRun.js';
import { batchDue, batchSlot, pendingBatchFate } from './liveBatch.js';
import { OwedRetry, RepeatedFailureLog } from './owedRetry.js';
import { perChannel } from './pool.js';
import { DEFAULT_CONCURRENCY } from './scheduler.js';

export interface LiveRunnerDeps {
  store: StateStore;
  clock: Clock;
  logger: Logger;
  digests: Pick<DigestService, 'noteEligibility' | 'draft' | 'runSlot'>;
  /** How many channels are served at the same time. */
  concurrency?: number;
}

interface Batch {
  channelId: string;
  subscription: Subscription;
  slot: Date;
  /** A run left unfinished (a transient failure, a restart): finished before any new batch of its digest. */
  resumed: boolean;
}

// Every minute, at its start: a story is posted within the minute after the bot sees it, when its batch is due.
const EVERY_MINUTE = '* * * * *';
const MINUTE_MS = 60_000;

/**
 * Runs the live digests, and alone decides what their unfinished batches are worth (pendingBatchFate): the scheduler
 * leaves a live digest's runs to it. A batch left unfinished by a failure is tried again soon, as the scheduler's
 * runs are, and a failure that repeats is logged in full once.
 */
export class LiveRunner {
  private task: ScheduledTask | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly failures: RepeatedFailureLog;
  private readonly owed: OwedRetry;

  constructor(private readonly deps: LiveRunnerDeps) {
    this.failures = new RepeatedFailureLog(deps.logger, 'live.recovered');
    // At the next half lease rather than the next minute, then less often while it keeps failing: never less often
    // than every minute, when the tick tries every unfinished batch anyway.
    this.owed = new OwedRetry(deps.store.lease.leaseMs / 2, MINUTE_MS);
  }

  /**
   * Ticks once (a batch due while the bot was down goes out on start, and the library is dated), then every minute.
   * Resolves after that first tick: from then on a new file is news.
   */
  async start(): Promise<void> {
    this.task = cron.schedule(EVERY_MINUTE, () => void this.tickLogged(), { name: 'live-digests' });
    this.retryTimer = setInterval(() => void this.retryOwed(), this.deps.store.lease.leaseMs / 2).unref();
    await this.tickLogged();
    // Only a count for the log: a store that went away (the tick logged it) must not stop the process starting.
    const digests = await this.deps.store.listSubscriptions().then((all) => all.filter((s) => s.kind === 'live').length, () => null);
    this.deps.logger.info({ event: 'live.started', digests }, 'live digests started');
  }

  /** No tick or batch starts after this; the delivery's drain waits for the posts already under way. */
  stop(): void {
    this.stopped = true;
    this.task?.destroy();
    this.task = undefined;
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
  }

  /**
   * Dates the stories that appeared since the last tick, then runs every live batch due at the clock's minute. A
   * tick asked for while one runs joins it: ticks never overlap, and a slow one (a burst on many channels) makes the
   * next minute's wait rather than pile up.
   */
  tick(): Promise<void> {
    this.running ??= this.runTick().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * The tick owed since a failure left a batch unfinished (or kept a tick from reading what was due), sooner than the
   * next minute's: a store or Discord away for a few seconds delays a live post by seconds. Every half lease.
   */
  async retryOwed(): Promise<void> {
    const { clock, logger } = this.deps;
    if (this.stopped || !this.owed.take(clock.now().getTime())) return;
    // Only a debug line: while the store is away this comes every half lease, and the tick's failure says the rest.
    logger.debug({ event: 'live.retry' }, 'trying again the live batches a failure left unfinished');
    const started = await this.tickLogged();
    this.owed.settle(clock.now().getTime(), started);
  }

  private async runTick(): Promise<void> {
    const { digests, clock } = this.deps;
    await digests.noteEligibility();
    const now = clock.now();
    const batches = await this.dueBatches(now);
    const through = await perChannel(batches, this.deps.concurrency ?? DEFAULT_CONCURRENCY, (batch) => this.runBatch(batch, now));
    // Only a tick whose every batch went through ends a failure: a batch failing every minute is one in full.
    if (through.every(Boolean)) this.failures.succeeded();
  }

  private async dueBatches(now: Date): Promise<Batch[]> {
    const { store } = this.deps;
    const slot = batchSlot(now);
    const live = (await store.listSubscriptions()).filter((s) => s.kind === 'live');
    const unfinished = new Map<number, RunRecord>();
    for (const run of await store.pendingRuns()) {
      if (run.subscriptionId !== null && !unfinished.has(run.subscriptionId)) unfinished.set(run.subscriptionId, run);
    }
    // Every digest looked up at once rather than one round trip after another (as the scheduler's due slots are).
    const batches = await Promise.all(live.map(async (subscription): Promise<Batch | undefined> => {
      const { id, channelId } = subscription;
      const pending = unfinished.get(id);
      if (pending) return this.unfinishedBatch(pending, subscription, now);
      if (subscription.paused) return undefined;
      const [run, last] = await Promise.all([store.findRun(id, slot), store.lastPlannedAt(id, slot)]);
      return !run && batchDue(slot, last, subscription.settings.everyMinutes) ? { channelId, subscription, slot, resumed: false } : undefined;
    }));
    return batches.filter((batch) => batch !== undefined);
  }

  /** The digest's unfinished batch to finish now, or none: another process is sending it, or it was abandoned. */
  private async unfinishedBatch(run: RunRecord, subscription: Subscription, now: Date): Promise<Batch | undefined> {
    const { store, logger } = this.deps;
    const fate = pendingBatchFate(run, subscription, now, store.lease.owner);
    if (fate.kind === 'resume') return { channelId: subscription.channelId, subscription, slot: run.slot, resumed: true };
    if (fate.kind === 'abandon' && (await abandonRun(store, run, fate.why))) {
      const context = { subscriptionId: subscription.id, channelId: subscription.channelId, slot: run.slot.toISOString(), runId: run.id };
      logger.warn({ event: 'live.batch_abandoned', ...context, reason: fate.why }, 'unfinished live batch abandoned');
    }
    return undefined;
  }

  /** Whether the batch went through: false when it failed or was left unfinished, and a retry is owed. */
  private async runBatch(batch: Batch, now: Date): Promise<boolean> {
    const { subscription, slot } = batch;
    const context = { subscriptionId: subscription.id, channelId: batch.channelId, slot: slot.toISOString() };
    if (this.stopped) return true;
    try {
      // Nothing new is the common case, every minute: no run is claimed for it, so the runs table grows with what is
      // posted, not with the clock. Nothing is sent either, so exactly-once has nothing to guard.
      if (!batch.resumed && !(await this.deps.digests.draft(subscription, now, slot)).ok) return true;
      const outcome: RunOutcome = await this.deps.digests.runSlot(subscription, slot);
      this.deps.logger.info({ event: 'live.batch', ...context, runId: outcome.runId, status: outcome.status, summary: outcome.summary }, 'live batch finished');
      // Stopped (its record could not be written), or pending (a transient failure, another process's claim that may
      // yet roll back): tried again soon rather than at the next minute.
      if (outcome.status !== 'stopped' && outcome.status !== 'pending') return true;
    } catch (error) {
      // The run (if claimed) stays pending in the database; the owed retry or the next tick finishes it.
      this.failures.failed({ event: 'live.batch_crashed', ...context }, error, 'live batch failed unexpectedly', 'warn');
    }
    this.owed.owe();
    return false;
  }

  // A timer has no caller to hand a failure to (a database error, say): it is logged, once while it repeats every
  // minute, and is owed a retry. False when the tick could not even read what was due.
  private async tickLogged(): Promise<boolean> {
    try {
      await this.tick();
      return true;
    } catch (error) {
      this.owed.owe();
      this.failures.failed({ event: 'live.tick_failed' }, error, 'live tick failed', 'debug');
      return false;
    }
  }
}
