import type Database from 'better-sqlite3';
import type { Logger } from '../log.js';
import { systemClock } from '../util/clock.js';
import type { Clock } from '../util/clock.js';
import { defaultLease } from './lease.js';
import { openDatabase } from './open.js';
import type { DatabaseSetting } from './open.js';
import { dateOrNull, toRun } from './rows.js';
import type { RunMessageRow, RunRow } from './rows.js';
import { SqliteSubscriptions } from './sqliteSubscriptions.js';
import { LeaseLostError, PlanOutdatedError } from './stateStore.js';
import { toRunMessage } from './storeValues.js';
import type { ClaimOptions, LeaseOptions, SaveOptions, StateStore } from './stateStore.js';
import type { OwedPublication, Plan, PlannedMessage, RunMessage, RunRecord, RunSlot, RunStatus, RunTarget, Subscription, SubscriptionInput } from './types.js';

// Eligibility rows read per query: a few milliseconds of this thread.
const ELIGIBILITY_PAGE = 5_000;

export interface SqliteStoreOptions {
  logger: Logger;
  clock?: Clock;
  setting?: DatabaseSetting;
  /** This process's lease identity; by default host, pid and a random part, for DEFAULT_LEASE_MS. */
  lease?: Partial<LeaseOptions>;
  /**
   * The opener holds the database's process lock (processLock.ts), so no other process can be sending: leases left
   * by earlier processes (crashed ones) are released at once instead of expiring, and a restart finishes their runs.
   */
  soleProcess?: boolean;
}

/**
 * The state in one SQLite file (see StateStore): subscriptions, the runs of each slot, the stories each channel
 * received, and eligibility. better-sqlite3 is synchronous; the methods are async for the contract's sake only.
 */
export class SqliteStore implements StateStore {
  // Prepared once per SQL text: compiling a statement costs more than running it, and a tick runs them per channel.
  private readonly statements = new Map<string, Database.Statement>();

  private readonly subscriptions: SqliteSubscriptions;

  private constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock,
    readonly lease: LeaseOptions,
  ) {
    this.subscriptions = new SqliteSubscriptions(db, (sql) => this.statement(sql), clock);
  }

  private statement(sql: string): Database.Statement {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  /**
   * Opens (creating folders and file as needed) and upgrades the database at `file`. A file it cannot use throws a
   * StateFileError naming the file, `setting` (where its path came from) and the fix.
   */
  static open(file: string, options: SqliteStoreOptions): SqliteStore {
    const { db, migrationsApplied } = openDatabase(file, options.setting ?? 'DATABASE_PATH');
    if (options.soleProcess) db.prepare('UPDATE runs SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL').run();
    options.logger.info({ event: 'state.open', file, migrationsApplied, schemaVersion: db.pragma('user_version', { simple: true }) }, 'state opened');
    return new SqliteStore(db, options.clock ?? systemClock, { ...defaultLease(), ...options.lease });
  }

  /** Expires this process's leases, so that another process takes a run the shutdown interrupted over at once; closes. */
  async close(): Promise<void> {
    if (!this.db.open) return;
    try {
      this.statement(`UPDATE runs SET lease_until = 0 WHERE lease_owner = ? AND status = 'sending'`).run(this.lease.owner);
    } catch {
      // A database that cannot be written (a full disk): the leases expire by themselves.
    }
    this.db.close();
  }

  /** The database file, for messages that tell an admin where a problem is. */
  get location(): string {
    return this.db.name;
  }

  // The subscriptions' queries are SqliteSubscriptions'.
  async saveSubscription(input: SubscriptionInput, id?: number, options?: SaveOptions): Promise<Subscription> {
    return this.subscriptions.save(input, id, options);
  }

  async getSubscription(id: number): Promise<Subscription | undefined> {
    return this.subscriptions.get(id);
  }

  async findSubscriptionByName(guildId: string, name: string): Promise<Subscription | undefined> {
    return this.subscriptions.findByName(guildId, name);
  }

  async listSubscriptions(where?: { guildId?: string; channelId?: string }): Promise<Subscription[]> {
    return this.subscriptions.list(where);
  }

  async setPaused(id: number, paused: boolean, reason?: string | null): Promise<boolean> {
    return this.subscriptions.setPaused(id, paused, reason);
  }

  async removeSubscription(id: number): Promise<boolean> {
    return this.subscriptions.remove(id);
  }

  /**
   * When each story (by URL) became eligible, as recorded; empty until the library was first dated. Read in pages
   * with a turn of the event loop between them: 50,000 rows in one query held it 20-25 ms as the bot connected.
   */
  async eligibility(): Promise<Map<string, number>> {
    const page = this.statement('SELECT url, eligible_at FROM eligibility WHERE url > ? ORDER BY url LIMIT ?').raw();
    const dates = new Map<string, number>();
    for (let after = ''; ; await new Promise((resolve) => setImmediate(resolve))) {
      const rows = page.all(after, ELIGIBILITY_PAGE) as [string, number][];
      for (const [url, at] of rows) dates.set(url, at);
      if (rows.length < ELIGIBILITY_PAGE) return dates;
      after = rows.at(-1)![0];
    }
  }

  /** Whether the library was ever dated: on the very first start, eligibility is each story's publication time. */
  async eligibilityStarted(): Promise<boolean> {
    return this.statement(`SELECT 1 FROM meta WHERE key = 'eligibility_started'`).pluck().get() !== undefined;
  }

  /**
   * Records stories newly seen published and forgets those no longer published (deleted, or flagged unpublished),
   * in one transaction, so that a story seen again later is eligible again from then. The earliest sighting wins:
   * another process sharing the state may have dated a story first.
   */
  async updateEligibility(added: ReadonlyMap<string, number>, removed: readonly string[], { started = true } = {}): Promise<void> {
    this.db.transaction(() => {
      const insert = this.statement('INSERT INTO eligibility (url, eligible_at) VALUES (?, ?) ON CONFLICT (url) DO NOTHING');
      for (const [url, at] of added) insert.run(url, at);
      const remove = this.statement('DELETE FROM eligibility WHERE url = ?');
      for (const url of removed) remove.run(url);
      if (started) this.statement(`INSERT INTO meta (key, value) VALUES ('eligibility_started', ?) ON CONFLICT DO NOTHING`).run(String(this.clock.now().getTime()));
    })();
  }

  /** Every story URL the channel received. */
  async seenUrls(channelId: string): Promise<Set<string>> {
    const rows = this.statement('SELECT DISTINCT url FROM deliveries WHERE channel_id = ?').pluck().all(channelId) as string[];
    return new Set(rows);
  }

  /**
   * Every story URL an unfinished run of the channel still has to post: a new plan leaves them out, so two runs of
   * one channel (a retrying slot and /digest now, say) never carry the same story.
   */
  async plannedUrls(channelId: string): Promise<Set<string>> {
    const rows = this.statement(
      `SELECT m.story_urls FROM run_messages m JOIN runs r ON r.id = m.run_id
       WHERE r.channel_id = ? AND r.status = 'sending' AND m.message_id IS NULL`,
    ).pluck().all(channelId) as string[];
    return new Set(rows.flatMap((json) => JSON.parse(json) as string[]));
  }

  /**
   * When the subscription's latest run before `slot` that considered stories was planned (posted, posting, or found
   * nothing new), or null if none: the run of `slot` takes the stories eligible from then on. Failed and skipped runs
   * posted nothing, so their stories are still owed.
   */
  async lastPlannedAt(subscriptionId: number, slot: Date): Promise<Date | null> {
    const ms = this.statement(`SELECT MAX(created_at) FROM runs WHERE subscription_id = ? AND slot < ? AND status IN ('sending', 'posted', 'empty')`)
      .pluck().get(subscriptionId, slot.getTime()) as number | null;
    return dateOrNull(ms);
  }

  async findRun(subscriptionId: number, slot: Date): Promise<RunRecord | undefined> {
    const row = this.statement('SELECT * FROM runs WHERE subscription_id = ? AND slot = ?').get(subscriptionId, slot.getTime()) as RunRow | undefined;
    return row && toRun(row);
  }

  async findRuns(slots: readonly RunSlot[]): Promise<RunRecord[]> {
    // One process's own file: each look-up is a call, not a round trip, so one statement per slot costs nothing more.
    const find = this.statement('SELECT * FROM runs WHERE subscription_id = ? AND slot = ?');
    return slots.flatMap(({ subscriptionId, slot }) => {
      const row = find.get(subscriptionId, slot.getTime()) as RunRow | undefined;
      return row ? [toRun(row)] : [];
    });
  }

  async getRun(runId: number): Promise<RunRecord | undefined> {
    return this.run(runId);
  }

  private run(runId: number): RunRecord | undefined {
    const row = this.statement('SELECT * FROM runs WHERE id = ?').get(runId) as RunRow | undefined;
    return row && toRun(row);
  }

  /**
   * Claims the slot for the channel and stores its plan, atomically, leased to this process: either the run exists
   * with every planned message (and nothing is sent before this returns), or nothing was written. `plan` is stored
   * only when the slot was free. Undefined when the slot was already claimed, by this process or another. Immediate:
   * a claim of another connection to the file waits, so each checks its plan against the one committed before it.
   */
  async claimRun(target: RunTarget, slot: Date, plan: Plan, { madeFrom }: ClaimOptions = {}): Promise<RunRecord | undefined> {
    return this.db.transaction(() => {
      const runId = this.insertRun(target, slot, true, madeFrom);
      if (runId === undefined) return undefined;
      if ('empty' in plan) {
        this.finish(runId, 'empty', `empty: ${plan.empty}`);
      } else {
        this.refuseOutdated(target.channelId, plan);
        const insert = this.statement('INSERT INTO run_messages (run_id, idx, payload, story_urls, story_count) VALUES (?, ?, ?, ?, ?)');
        plan.forEach((message, index) => insert.run(runId, index, JSON.stringify(message.payload), JSON.stringify(message.storyUrls), message.storyCount));
      }
      return this.run(runId);
    }).immediate();
  }

  /** Throws PlanOutdatedError when the plan holds a story the channel was sent, or another unfinished run of it planned. */
  private refuseOutdated(channelId: string, plan: PlannedMessage[]): void {
    const urls = this.statement(
      `SELECT url FROM deliveries WHERE channel_id = @channelId AND url IN (SELECT value FROM json_each(@urls))
       UNION
       SELECT planned.value FROM runs r JOIN run_messages m ON m.run_id = r.id, json_each(m.story_urls) AS planned
       WHERE r.channel_id = @channelId AND r.status = 'sending' AND m.message_id IS NULL AND planned.value IN (SELECT value FROM json_each(@urls))`,
    ).pluck().all({ channelId, urls: JSON.stringify(plan.flatMap((m) => m.storyUrls)) }) as string[];
    if (urls.length > 0) throw new PlanOutdatedError(urls);
  }

  /** Records a slot that is closed without any message (missed too long ago, or its digest could not be built). */
  async closeSlot(target: RunTarget, slot: Date, status: 'failed' | 'skipped', outcome: string): Promise<RunRecord | undefined> {
    return this.db.transaction(() => {
      // Closed at once: nothing to lease.
      const runId = this.insertRun(target, slot, false);
      if (runId === undefined) return undefined;
      this.finish(runId, status, outcome);
      return this.run(runId);
    })();
  }

  // The (subscription, slot) uniqueness is what makes a slot run at most once, whichever process gets there first.
  private insertRun(target: RunTarget, slot: Date, leased: boolean, madeFrom?: Date): number | undefined {
    const now = this.clock.now().getTime();
    const inserted = this.statement(
      `INSERT INTO runs (subscription_id, channel_id, slot, status, created_at, lease_owner, lease_until)
       SELECT @subscriptionId, @channelId, @slot, 'sending', @now, @owner, @until
       WHERE @madeFrom IS NULL OR EXISTS (SELECT 1 FROM subscriptions WHERE id = @subscriptionId AND updated_at = @madeFrom)
       ON CONFLICT DO NOTHING`,
    ).run({
      subscriptionId: target.subscriptionId, channelId: target.channelId, slot: slot.getTime(), now,
      owner: leased ? this.lease.owner : null, until: leased ? Math.max(now, slot.getTime()) + this.lease.leaseMs : null, madeFrom: madeFrom?.getTime() ?? null,
    });
    return inserted.changes === 0 ? undefined : Number(inserted.lastInsertRowid);
  }

  /** Runs with planned messages not all posted yet (those planned ahead of their slot too), oldest slot first, whoever leases them. */
  async pendingRuns(): Promise<RunRecord[]> {
    return (this.statement(`SELECT * FROM runs WHERE status = 'sending' ORDER BY slot, id`).all() as RunRow[]).map(toRun);
  }

  /** Leases the pending run to this process if it is free, expired or already ours; undefined if another holds it. */
  async takeRun(runId: number): Promise<RunRecord | undefined> {
    const now = this.clock.now().getTime();
    const row = this.statement(
      `UPDATE runs SET lease_owner = @owner, lease_until = @until
       WHERE id = @runId AND status = 'sending' AND (lease_owner IS NULL OR lease_until < @now OR lease_owner = @owner) RETURNING *`,
    ).get({ owner: this.lease.owner, until: now + this.lease.leaseMs, now, runId }) as RunRow | undefined;
    return row && toRun(row);
  }

  /** Extends this process's lease on the run; false when another process took it over. */
  async renewLease(runId: number): Promise<boolean> {
    const until = this.clock.now().getTime() + this.lease.leaseMs;
    return this.statement(`UPDATE runs SET lease_until = ? WHERE id = ? AND status = 'sending' AND lease_owner = ?`).run(until, runId, this.lease.owner).changes > 0;
  }

  /** Throws LeaseLostError unless this process leases the run (a lease expired but not taken over is still ours). */
  private assertLeased(runId: number): void {
    const owner = this.statement('SELECT lease_owner FROM runs WHERE id = ?').pluck().get(runId) as string | null | undefined;
    if (owner === undefined) throw new Error(`no run ${runId}`);
    if (owner !== this.lease.owner) throw new LeaseLostError(runId);
  }

  /** The run's planned messages in order, with the Discord message id of those already posted. */
  async runMessages(runId: number): Promise<RunMessage[]> {
    const rows = this.statement('SELECT idx, payload, story_urls, story_count, message_id, attempted_at FROM run_messages WHERE run_id = ? ORDER BY idx').all(runId) as RunMessageRow[];
    return rows.map(toRunMessage);
  }

  /**
   * Notes that the message is about to be handed to Discord (the first time only). Written before the post, so a
   * store that cannot be written (a full disk) stops the run before anything reaches the channel.
   */
  async markAttempted(runId: number, index: number): Promise<void> {
    this.db.transaction(() => {
      this.assertLeased(runId);
      this.statement('UPDATE run_messages SET attempted_at = COALESCE(attempted_at, ?) WHERE run_id = ? AND idx = ?').run(this.clock.now().getTime(), runId, index);
    })();
  }

  /**
   * Records one posted message and the stories it carried, in one transaction: both or neither. `publish` marks it
   * owed to the channel's followers in that same transaction, so no crash can forget it.
   */
  async recordSent(runId: number, index: number, messageId: string, publish = false): Promise<void> {
    this.db.transaction(() => {
      this.assertLeased(runId);
      const now = this.clock.now().getTime();
      const row = this.statement('SELECT r.channel_id, m.story_urls FROM run_messages m JOIN runs r ON r.id = m.run_id WHERE m.run_id = ? AND m.idx = ?')
        .get(runId, index) as { channel_id: string; story_urls: string } | undefined;
      if (!row) throw new Error(`run ${runId} has no message ${index}`);
      this.statement('UPDATE run_messages SET message_id = ?, sent_at = ?, publish_state = ? WHERE run_id = ? AND idx = ?').run(messageId, now, publish ? 'owed' : null, runId, index);
      const insert = this.statement('INSERT INTO deliveries (channel_id, url, message_id, delivered_at, run_id) VALUES (?, ?, ?, ?, ?)');
      for (const url of JSON.parse(row.story_urls) as string[]) insert.run(row.channel_id, url, messageId, now, runId);
    })();
  }

  /**
   * The channel's messages owed to its followers, sent at most `maxAgeMs` ago, oldest first: only those of a digest
   * that still publishes (an admin who turned publishing off, or removed the digest, meant it for what is left too).
   */
  async owedPublications(channelId: string, maxAgeMs: number): Promise<OwedPublication[]> {
    return this.statement(
      `SELECT m.run_id AS runId, m.idx AS "index", m.message_id AS messageId
       FROM run_messages m JOIN runs r ON r.id = m.run_id JOIN subscriptions s ON s.id = r.subscription_id
       WHERE m.publish_state = 'owed' AND r.channel_id = ? AND m.sent_at >= ? AND s.publish = 1
       ORDER BY m.run_id, m.idx`,
    ).all(channelId, this.clock.now().getTime() - maxAgeMs) as OwedPublication[];
  }

  /** A message owed to the followers was published, or Discord refused it for good. */
  async settlePublication(runId: number, index: number, state: 'published' | 'refused'): Promise<void> {
    this.statement(`UPDATE run_messages SET publish_state = ? WHERE run_id = ? AND idx = ? AND publish_state = 'owed'`).run(state, runId, index);
  }

  /**
   * Sets the run's status and outcome, shows the outcome as its subscription's last result, and releases the lease:
   * a run left `sending` (a transient failure) is open for the next attempt, by any process. Throws LeaseLostError
   * when another process holds an unexpired lease on it.
   */
  async setRunOutcome(runId: number, status: RunStatus, outcome: string): Promise<void> {
    this.db.transaction(() => {
      const lease = this.statement('SELECT lease_owner AS owner, lease_until AS until FROM runs WHERE id = ?').get(runId) as { owner: string | null; until: number | null } | undefined;
      if (lease?.owner && lease.owner !== this.lease.owner && (lease.until ?? 0) >= this.clock.now().getTime()) throw new LeaseLostError(runId);
      this.finish(runId, status, outcome);
    })();
  }

  private finish(runId: number, status: RunStatus, outcome: string): void {
    const now = this.clock.now().getTime();
    const run = this.statement(`UPDATE runs SET status = ?, outcome = ?, finished_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? RETURNING subscription_id`)
      .get(status, outcome, status === 'sending' ? null : now, runId) as { subscription_id: number | null } | undefined;
    if (!run) throw new Error(`no run ${runId}`);
    this.statement('UPDATE subscriptions SET last_run_at = ?, last_result = ? WHERE id = ?').run(now, outcome, run.subscription_id);
  }
}
