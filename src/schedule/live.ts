// The live digests' runner: once a minute, each active live digest whose previous batch is old enough posts the best
// stories that became eligible since, as one message, through the same exactly-once delivery as scheduled digests
// (a run per (digest, batch slot), claimed with its plan before anything is sent).
import cron from 'node-cron';
import type { ScheduledTask } from 'node-cron';
import type { RunOutcome } from '../delivery/exactlyOnce.js';
import type { DigestService } from '../delivery/service.js';
import type { Logger } from '../log.js';
import type { StateStore } from '../state/stateStore.js';
import type { Subscription } from '../state/types.js';
import type { Clock } from '../util/clock.js';
import { batchDue, batchSlot } from './liveBatch.js';
import { RepeatedFailureLog } from './owedRetry.js';
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

export class LiveRunner {
  private task: ScheduledTask | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly failures: RepeatedFailureLog;

  constructor(private readonly deps: LiveRunnerDeps) {
    this.failures = new RepeatedFailureLog(deps.logger, 'live.recovered');
  }

  /**
   * Ticks once (a batch due while the bot was down goes out on start, and the library is dated), then every minute.
   * Resolves after that first tick: from then on a new file is news.
   */
  async start(): Promise<void> {
    this.task = cron.schedule(EVERY_MINUTE, () => void this.tickLogged(), { name: 'live-digests' });
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

  private async runTick(): Promise<void> {
    const { digests, clock } = this.deps;
    await digests.noteEligibility();
    const now = clock.now();
    const batches = await this.dueBatches(now);
    await perChannel(batches, this.deps.concurrency ?? DEFAULT_CONCURRENCY, (batch) => this.runBatch(batch, now));
  }

  private async dueBatches(now: Date): Promise<Batch[]> {
    const { store } = this.deps;
    const slot = batchSlot(now);
    const live = (await store.listSubscriptions()).filter((s) => s.kind === 'live' && !s.paused);
    const unfinished = new Map<number, Date>();
    for (const run of await store.pendingRuns()) {
      if (run.subscriptionId !== null && !unfinished.has(run.subscriptionId)) unfinished.set(run.subscriptionId, run.slot);
    }
    // Every digest looked up at once rather than one round trip after another (as the scheduler's due slots are).
    const batches = await Promise.all(live.map(async (subscription): Promise<Batch | undefined> => {
      const { id, channelId } = subscription;
      const pending = unfinished.get(id);
      // While a batch is unfinished no new one starts: two would reach the channel within the interval.
      if (pending) return { channelId, subscription, slot: pending, resumed: true };
      const [run, last] = await Promise.all([store.findRun(id, slot), store.lastPlannedAt(id, slot)]);
      return !run && batchDue(slot, last, subscription.settings.everyMinutes) ? { channelId, subscription, slot, resumed: false } : undefined;
    }));
    return batches.filter((batch) => batch !== undefined);
  }

  private async runBatch(batch: Batch, now: Date): Promise<void> {
    const { subscription, slot } = batch;
    const context = { subscriptionId: subscription.id, channelId: batch.channelId, slot: slot.toISOString() };
    if (this.stopped) return;
    try {
      // Nothing new is the common case, every minute: no run is claimed for it, so the runs table grows with what is
      // posted, not with the clock. Nothing is sent either, so exactly-once has nothing to guard.
      if (!batch.resumed && !(await this.deps.digests.draft(subscription, now, slot)).ok) return;
      const outcome: RunOutcome = await this.deps.digests.runSlot(subscription, slot);
      this.deps.logger.info({ event: 'live.batch', ...context, runId: outcome.runId, status: outcome.status, summary: outcome.summary }, 'live batch finished');
    } catch (error) {
      // The run (if claimed) stays pending in the database; the next tick finishes it.
      this.deps.logger.error({ event: 'live.batch_crashed', ...context, err: error }, 'live batch failed unexpectedly');
    }
  }

  // A timer has no caller to hand a failure to (a database error, say): it is logged, once while it repeats every
  // minute, and the next minute tries again.
  private async tickLogged(): Promise<void> {
    try {
      await this.tick();
      this.failures.succeeded();
    } catch (error) {
      this.failures.failed({ event: 'live.tick_failed' }, error, 'live tick failed', 'debug');
    }
  }
}
