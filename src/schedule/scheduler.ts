import cron from 'node-cron';
import type { ScheduledTask } from 'node-cron';
import { Timetable } from './timetable.js';
import type { Logger } from '../log.js';
import { systemClock } from '../util/clock.js';
import type { Clock } from '../util/clock.js';
import type { StateStore } from '../state/stateStore.js';
import type { Subscription } from '../state/types.js';
import type { RunOutcome } from '../delivery/runs.js';
import { triagePendingRuns, type Job } from './triage.js';
import { OwedRetry, RepeatedFailureLog } from './owedRetry.js';
import { perChannel } from './pool.js';
import { planAheadExpression, PLAN_AHEAD_SECONDS, slotExpression } from './cronTimes.js';
import { nextSlot, previousSlot } from './slots.js';

export interface SchedulerDeps {
  store: StateStore;
  clock?: Clock;
  /** Plans and delivers (or resumes) the subscription's digest for one slot; normally wraps deliverRun. */
  runSlot: (subscription: Subscription, slot: Date) => Promise<RunOutcome>;
  /**
   * Plans and claims the subscription's coming slot ahead of it, sending nothing (normally DigestService.prepareSlot);
   * without it every digest is planned at its slot.
   */
  prepareSlot?: (subscription: Subscription, slot: Date) => Promise<boolean>;
  logger: Logger;
  /** A slot missed while the bot was down runs on start if it is at most this old; older ones are skipped. */
  catchUpHours?: number;
  /** How many channels are delivered at the same time. */
  concurrency?: number;
}

const HOUR_MS = 3_600_000;
// Channels delivered at once. discord.js queues every post behind Discord's global limit (50 requests/s), so
// enough lanes must be waiting to keep that budget spent: a lane spends a few milliseconds planning and then a round
// trip per post, so 16 lanes keep 50 posts/s going for round trips up to ~300 ms. With 4 lanes a digest to 500
// channels took 11.7 s where the limit allows 10 s; with 16, 10.5 s (see BENCHMARKS.md, delivery).
export const DEFAULT_CONCURRENCY = 16;
// A slot missed, or a run left unfinished, this long ago is not posted late: a stale digest is worse than none.
const DEFAULT_MAX_AGE_HOURS = 12;
// Besides each subscription's own cron task, a sweep retries runs left pending by transient failures, and runs a
// slot that fell into a spring-forward gap: node-cron never fires a wall time that does not exist, while the slot
// arithmetic moves it to the instant the clocks jump, which is on the hour or half hour.
const SWEEP = '0,30 * * * *';
// Subscriptions another process created or changed (sharing the database) are put on the timetable within this.
const SUBSCRIPTIONS_POLL_MS = 60_000;
// Runs left unfinished by a failure are tried again at the next half lease, then less and less often while they keep
// failing, but never less often than the sweep would.
const OWED_RETRY_MAX_MS = 30 * 60_000;
// A timer planning ahead that fires this late still finds its slots (node-cron may fire a little after its second).
const PLAN_AHEAD_MS = (PLAN_AHEAD_SECONDS + 5) * 1000;

/**
 * Runs every active subscription at its time in its time zone. Which slot is due is always decided by `tick`
 * from the clock and the database, never by the timer that woke it: a timer firing twice (a repeated hour), late,
 * or after a restart cannot post a slot twice, because each run is claimed per (channel, slot) in the database.
 */
export class DigestScheduler {
  private readonly store: StateStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly catchUpMs: number;
  private readonly tickSoon = oncePerTurn(() => void this.timerWork(() => this.tick(), 'scheduler.tick_failed'));
  private readonly timetable = new Timetable(this.tickSoon);
  /** Timers PLAN_AHEAD_SECONDS before each slot, when deps.prepareSlot is given. */
  private readonly aheadTimetable = new Timetable(oncePerTurn(() => void this.timerWork(() => this.planAhead(), 'scheduler.plan_ahead_failed')));
  /** Each subscription as this scheduler last saw it (when it changed, and whether paused), by id: what a poll compares. */
  private readonly known = new Map<number, string>();
  private sweep: ScheduledTask | undefined;
  private readonly intervals: NodeJS.Timeout[] = [];
  /** Whether the start's first tick (resuming and catching up) is over. */
  private caughtUp = false;
  private stopped = false;
  private takingOver = false;
  private readonly owed: OwedRetry;
  /** A timer's work failing (the store away, say). */
  private readonly failures: RepeatedFailureLog;
  /** Digest runs crashing: a run that crashes at every tick is one error in full, until every run goes through. */
  private readonly runFailures: RepeatedFailureLog;

  constructor(private readonly deps: SchedulerDeps) {
    this.store = deps.store;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger;
    this.catchUpMs = (deps.catchUpHours ?? DEFAULT_MAX_AGE_HOURS) * HOUR_MS;
    this.owed = new OwedRetry(this.store.lease.leaseMs / 2, OWED_RETRY_MAX_MS);
    this.failures = new RepeatedFailureLog(this.logger, 'scheduler.recovered');
    this.runFailures = new RepeatedFailureLog(this.logger, 'digest.runs_recovered');
  }

  /**
   * Resumes unfinished runs, catches up slots missed while the bot was down, then schedules every subscription.
   * It takes over runs whose process stopped renewing their lease (every half lease) from the start, and from then on
   * follows subscriptions changed by other processes sharing the database (every minute). The store was just opened,
   * but may go away during that first tick: the scheduler starts all the same, and its timers try again.
   */
  async start(): Promise<void> {
    // Not after the catch-up: with many digests due, that is a whole delivery, and a process that died meanwhile
    // would leave its runs waiting for it (14-25 s after a kill where lease and sweep make 12, in the multi-process test).
    this.every(this.store.lease.leaseMs / 2, () => this.takeOver(), 'scheduler.takeover_failed');
    await this.timerWork(() => this.tick(), 'scheduler.tick_failed');
    this.caughtUp = true;
    // Stopped during the catch-up (a SIGTERM at start): no timer is to be left behind.
    if (this.stopped) return;
    // Every subscription is new to an empty timetable.
    await this.timerWork(() => this.followChanges(), 'scheduler.poll_failed');
    this.sweep = cron.schedule(SWEEP, this.tickSoon, { name: 'digest-sweep' });
    this.every(SUBSCRIPTIONS_POLL_MS, () => this.followChanges(), 'scheduler.poll_failed');
    this.logger.info({ event: 'scheduler.started', subscriptions: this.timetable.size }, 'digest scheduler started');
    // A slot coming within PLAN_AHEAD_SECONDS of the start passed its timer before it was set.
    void this.timerWork(() => this.planAhead(), 'scheduler.plan_ahead_failed');
  }

  private every(ms: number, work: () => Promise<void>, event: string): void {
    const timer = setInterval(() => void this.timerWork(work, event), ms);
    this.intervals.push(timer.unref());
  }

  /** Re-reads the subscription and (re)schedules it, or unschedules it when paused or removed. */
  async refresh(subscriptionId: number): Promise<void> {
    this.schedule(subscriptionId, await this.store.getSubscription(subscriptionId));
  }

  /** Puts the subscription as read on the timetable (or off it: paused, removed, live). */
  private schedule(subscriptionId: number, subscription: Subscription | undefined): void {
    if (subscription) this.known.set(subscriptionId, seenAs(subscription));
    else this.known.delete(subscriptionId);
    if (!subscription || subscription.paused || subscription.kind !== 'scheduled') {
      this.aheadTimetable.remove(subscriptionId);
      if (this.timetable.remove(subscriptionId)) this.logger.debug({ event: 'scheduler.unscheduled', subscriptionId }, 'digest taken off the timetable');
      return;
    }
    this.timetable.place(subscriptionId, slotExpression(subscription), subscription.timezone);
    if (this.deps.prepareSlot) this.aheadTimetable.place(subscriptionId, planAheadExpression(subscription), subscription.timezone);
    const { channelId, time, timezone, days } = subscription;
    this.logger.debug({ event: 'scheduler.scheduled', subscriptionId, channelId, time, timezone, days }, 'digest scheduled');
  }

  /** Runs every slot due per the clock: unfinished runs first, then each active subscription's latest slot. */
  async tick(): Promise<void> {
    // A tick starting while another still runs may pick the same runs: delivery takes a channel's runs one at a
    // time and finds a run already posted, so the second pick only looks and finds nothing to send.
    let jobs: Job[];
    try {
      jobs = await this.dueJobs(this.clock.now());
    } catch (error) {
      this.owed.owe();
      throw error;
    }
    await this.runJobs(jobs);
  }

  stop(): void {
    this.stopped = true;
    this.timetable.clear();
    this.aheadTimetable.clear();
    this.sweep?.destroy();
    this.sweep = undefined;
    for (const timer of this.intervals.splice(0)) clearInterval(timer);
    this.logger.info({ event: 'scheduler.stopped' }, 'digest scheduler stopped');
  }

  /**
   * Finishes the unfinished runs whose lease expired (their process died, or stopped): a run is posted within its
   * lease and half of it after its process died. Delivery takes the lease first, so of several processes one sends
   * it. A run released with its outcome (a transient failure) waits for the half-hourly sweep, as in one process.
   * When a failure left runs unfinished (the store went away), a whole tick is tried instead, which finishes those too.
   */
  async takeOver(): Promise<void> {
    if (this.takingOver) return;
    this.takingOver = true;
    try {
      const now = this.clock.now();
      // The tick a failure left owed waits for the start's own tick, which reads every due slot anyway.
      if (this.caughtUp && this.owed.take(now.getTime())) {
        await this.owedTick();
        return;
      }
      const orphans = (await this.store.pendingRuns()).filter((run) => run.leaseUntil !== null && run.leaseUntil < now && run.slot <= now);
      if (orphans.length === 0) return;
      const jobs = await triagePendingRuns(this.store, orphans, byId(await this.store.listSubscriptions()), now, this.catchUpMs, this.logger);
      if (jobs.length === 0) return;
      this.logger.info({ event: 'scheduler.takeover', runs: jobs.map(({ channelId, slot }) => ({ channelId, slot: slot.toISOString() })) }, 'finishing runs no process leases');
      await this.runJobs(jobs);
    } finally {
      this.takingOver = false;
    }
  }

  /** Re-lists the subscriptions and follows those added, changed or removed since (by another process too). */
  async followChanges(): Promise<void> {
    const subscriptions = await this.store.listSubscriptions();
    const listed = new Set<number>();
    for (const subscription of subscriptions) {
      listed.add(subscription.id);
      if (this.known.get(subscription.id) !== seenAs(subscription)) this.schedule(subscription.id, subscription);
    }
    for (const id of [...this.known.keys()]) if (!listed.has(id)) this.schedule(id, undefined);
  }

  private async runJobs(jobs: Job[]): Promise<void> {
    const through = await perChannel(jobs, this.deps.concurrency ?? DEFAULT_CONCURRENCY, (job) => this.runJob(job));
    if (through.every(Boolean)) this.runFailures.succeeded();
  }

  private async dueJobs(now: Date): Promise<Job[]> {
    const subscriptions = await this.store.listSubscriptions();
    const jobs = await triagePendingRuns(this.store, await this.store.pendingRuns(), byId(subscriptions), now, this.catchUpMs, this.logger);
    const due = subscriptions.filter(isScheduled).map((subscription) => ({ subscription, slot: previousSlot(now, subscription) }))
      // A slot from before the last setup, resume or change is not owed: setting up at 09:00 for 08:00 posts tomorrow.
      .filter(({ subscription, slot }) => slot >= subscription.updatedAt);
    const owed: Job[] = [];
    for (const { subscription, slot } of await this.unclaimed(due)) {
      const { id, channelId } = subscription;
      if (now.getTime() - slot.getTime() > this.catchUpMs) {
        const summary = `skipped: the ${subscription.time} digest was missed while the bot was offline for more than ${this.catchUpMs / HOUR_MS} hours`;
        await this.store.closeSlot({ subscriptionId: id, channelId }, slot, 'skipped', summary);
        this.logger.info({ event: 'digest.missed_skipped', subscriptionId: id, channelId, slot: slot.toISOString() }, 'missed digest too old to catch up');
        continue;
      }
      owed.push({ channelId, subscription, slot });
    }
    // Each process takes the due slots in an order of its own: schedulers sharing a database and walking one order
    // planned the same digests side by side, one of them for nothing.
    return [...jobs, ...shuffled(owed)];
  }

  /** The slots of `slots` that have no run yet. */
  private async unclaimed<T extends { subscription: Subscription; slot: Date }>(slots: T[]): Promise<T[]> {
    // One look-up for all: 500 due digests on PostgreSQL waited 0.7-0.8 s for a round trip each.
    const runs = await this.store.findRuns(slots.map(({ subscription, slot }) => ({ subscriptionId: subscription.id, slot })));
    const ran = new Set(runs.map((run) => slotKey(run.subscriptionId, run.slot)));
    return slots.filter(({ subscription, slot }) => !ran.has(slotKey(subscription.id, slot)));
  }

  /**
   * Plans ahead, and claims with their plans, the slots coming within PLAN_AHEAD_SECONDS (see DigestService.prepareSlot),
   * so that at the slot the first messages go out at once instead of after every channel's plan and claim. What is not
   * planned ahead (a plan with nothing to post yet, a store that failed) is planned at its slot, as without this.
   */
  async planAhead(): Promise<void> {
    const { prepareSlot } = this.deps;
    if (!prepareSlot || this.stopped) return;
    const now = this.clock.now();
    const soon = (await this.store.listSubscriptions()).filter(isScheduled)
      .map((subscription) => ({ subscription, slot: nextSlot(now, subscription) }))
      .filter(({ slot }) => slot.getTime() - now.getTime() <= PLAN_AHEAD_MS);
    if (soon.length === 0) return;
    const jobs = (await this.unclaimed(soon)).map(({ subscription, slot }) => ({ channelId: subscription.channelId, subscription, slot }));
    const planned = await perChannel(shuffled(jobs), this.deps.concurrency ?? DEFAULT_CONCURRENCY, async ({ subscription, slot }) => {
      try {
        return await prepareSlot(subscription, slot);
      } catch (error) {
        this.logger.warn({ event: 'digest.plan_ahead_failed', subscriptionId: subscription.id, channelId: subscription.channelId, slot: slot.toISOString(), err: error }, 'digest not planned ahead: it is planned at its time');
        return false;
      }
    });
    this.logger.info({ event: 'scheduler.planned_ahead', digests: jobs.length, planned: planned.filter(Boolean).length }, 'digests planned ahead of their time');
  }

  /** The tick owed since runs were left unfinished by a failure; it backs off while they keep failing. */
  private async owedTick(): Promise<void> {
    let started = false;
    try {
      const jobs = await this.dueJobs(this.clock.now());
      started = true;
      this.logger.info({ event: 'scheduler.retry', runs: jobs.length }, 'trying again the digests a failure left unfinished');
      await this.runJobs(jobs);
    } finally {
      this.owed.settle(this.clock.now().getTime(), started);
    }
  }

  // A timer has no caller to hand a failure to (a database error, say): it is logged, once while it repeats, and the
  // next tick tries again.
  private async timerWork(work: () => Promise<void>, event: string): Promise<void> {
    try {
      await work();
      this.failures.succeeded();
    } catch (error) {
      this.failures.failed({ event }, error, 'scheduler timer failed', 'debug');
    }
  }

  /** Runs the job's slot; whether it went through (any outcome) rather than crashing. */
  private async runJob(job: Job): Promise<boolean> {
    const context = { subscriptionId: job.subscription.id, channelId: job.channelId, slot: job.slot.toISOString() };
    try {
      const outcome = await this.deps.runSlot(job.subscription, job.slot);
      // A stopped run (its record could not be written, say), or one left pending (a transient failure, another
      // process's claim that may yet roll back), is tried again soon rather than at the next sweep.
      if (outcome.status === 'stopped' || outcome.status === 'pending') this.owed.owe();
      this.logger.info({ event: 'digest.run', ...context, runId: outcome.runId, status: outcome.status, summary: outcome.summary }, 'digest run finished');
      return true;
    } catch (error) {
      // The run stays pending in the database (or its slot unclaimed); an owed tick soon, or the next start, finishes it.
      this.owed.owe();
      this.runFailures.failed({ event: 'digest.run_crashed', ...context }, error, 'digest run failed unexpectedly', 'warn');
      return false;
    }
  }
}

/**
 * `work` at the next turn of the event loop, once however often this is called before then. Digests sharing a time
 * fire their timers together: one tick serves them all instead of one tick each (each reads every subscription). A
 * firing after that tick has read the due slots queues the next one.
 */
function oncePerTurn(work: () => void): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    setImmediate(() => {
      queued = false;
      work();
    });
  };
}

const isScheduled = (subscription: Subscription) => !subscription.paused && subscription.kind === 'scheduled';

const byId = (subscriptions: Subscription[]) => new Map(subscriptions.map((subscription) => [subscription.id, subscription]));

/** The items in a random order (Fisher-Yates). */
function shuffled<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const slotKey = (subscriptionId: number | null, slot: Date) => `${subscriptionId}:${slot.getTime()}`;

// A pause and a resume within one millisecond leave updatedAt as it was: the flag tells them apart.
const seenAs = (subscription: Subscription) => `${subscription.updatedAt.getTime()}:${subscription.paused}`;
