import type pg from 'pg';
import type { Logger } from '../../log.js';
import { databaseUrlForDisplay } from '../../ops/databaseUrl.js';
import { systemClock } from '../../util/clock.js';
import type { Clock } from '../../util/clock.js';
import { defaultLease } from '../lease.js';
import { dateOrNull, toRun } from '../rows.js';
import type { RunMessageRow, RunRow } from '../rows.js';
import { LeaseLostError, PlanOutdatedError } from '../stateStore.js';
import type { ClaimOptions, LeaseOptions, SaveOptions, StateStore } from '../stateStore.js';
import { toRunMessage } from '../storeValues.js';
import type { OwedPublication, Plan, PlannedMessage, RunMessage, RunRecord, RunSlot, RunStatus, RunTarget, Subscription, SubscriptionInput } from '../types.js';
import { describeConnectFailure, urlRefusal } from './connectError.js';
import { migratePostgres, POSTGRES_SCHEMA_VERSION } from './migrations.js';
import { CHANNEL_CLAIMS_LOCK } from './locks.js';
import { createPool, DEFAULT_TIMEOUTS, inTransaction, queryRows } from './pool.js';
import type { Db, PostgresTimeouts } from './pool.js';
import { PostgresSubscriptions } from './subscriptions.js';

export interface PostgresStoreOptions {
  logger: Logger;
  clock?: Clock;
  /** This process's lease identity; by default host, pid and a random part, for DEFAULT_LEASE_MS. */
  lease?: Partial<LeaseOptions>;
  timeouts?: Partial<PostgresTimeouts>;
}

/**
 * The state in a PostgreSQL database shared by any number of processes (see StateStore). What one process's
 * transaction does, another's sees whole or not at all; a slot is claimed under a row lock on its subscription taken
 * with SKIP LOCKED, so processes never queue behind each other for a slot (only two claims of one channel do, for the
 * moment one takes to check and store its plan), and the (subscription, slot) uniqueness keeps a slot to one run
 * whatever happens. Times come from the injected clock, as in SqliteStore, never from the server's.
 */
export class PostgresStore implements StateStore {
  private readonly subscriptions: PostgresSubscriptions;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    readonly lease: LeaseOptions,
    readonly location: string,
  ) {
    this.subscriptions = new PostgresSubscriptions(pool, clock);
  }

  /**
   * Connects to the database at `url` and brings its schema up to date. Every way that can fail (not a PostgreSQL
   * URL, no server there, a refused login, no such database, a newer schema) throws a StateConnectError naming
   * DATABASE_URL without its password, the problem and the fix.
   */
  static async connect(url: string, options: PostgresStoreOptions): Promise<PostgresStore> {
    const refused = urlRefusal(url);
    if (refused) throw refused;
    let pool: pg.Pool | undefined;
    let migrationsApplied: number[];
    try {
      pool = createPool(url, { ...DEFAULT_TIMEOUTS, ...options.timeouts }, options.logger);
      const client = await pool.connect();
      try {
        migrationsApplied = await migratePostgres(client);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool?.end().catch(() => undefined);
      throw describeConnectFailure(error, url);
    }
    const location = databaseUrlForDisplay(url);
    options.logger.info({ event: 'state.open', location, migrationsApplied, schemaVersion: POSTGRES_SCHEMA_VERSION }, 'state opened');
    return new PostgresStore(pool, options.clock ?? systemClock, { ...defaultLease(), ...options.lease }, location);
  }

  /** Releases this process's leases (a run interrupted by the shutdown is free for any process at once), and closes. */
  async close(): Promise<void> {
    try {
      await this.pool.query(`UPDATE runs SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1 AND status = 'sending'`, [this.lease.owner]);
    } finally {
      await this.pool.end();
    }
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  // The subscriptions' queries are PostgresSubscriptions'.
  saveSubscription(input: SubscriptionInput, id?: number, options?: SaveOptions): Promise<Subscription> {
    return this.subscriptions.save(input, id, options);
  }

  getSubscription(id: number): Promise<Subscription | undefined> {
    return this.subscriptions.get(id);
  }

  findSubscriptionByName(guildId: string, name: string): Promise<Subscription | undefined> {
    return this.subscriptions.findByName(guildId, name);
  }

  listSubscriptions(where?: { guildId?: string; channelId?: string }): Promise<Subscription[]> {
    return this.subscriptions.list(where);
  }

  setPaused(id: number, paused: boolean, reason?: string | null): Promise<boolean> {
    return this.subscriptions.setPaused(id, paused, reason);
  }

  removeSubscription(id: number): Promise<boolean> {
    return this.subscriptions.remove(id);
  }

  async eligibility(): Promise<Map<string, number>> {
    const result = await this.pool.query<[string, number]>({ text: 'SELECT url, eligible_at FROM eligibility', rowMode: 'array' });
    return new Map(result.rows);
  }

  async eligibilityStarted(): Promise<boolean> {
    return ((await this.pool.query(`SELECT 1 FROM meta WHERE key = 'eligibility_started'`)).rowCount ?? 0) > 0;
  }

  async updateEligibility(added: ReadonlyMap<string, number>, removed: readonly string[], { started = true } = {}): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      // Processes that see a story at different moments each add it: the first one recorded stands, since runs
      // planned since may have reasoned from it (a story dated earlier afterwards would fall before their window).
      await client.query(
        'INSERT INTO eligibility (url, eligible_at) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT (url) DO NOTHING',
        [[...added.keys()], [...added.values()]]);
      await client.query('DELETE FROM eligibility WHERE url = ANY($1::text[])', [removed]);
      if (started) await client.query(`INSERT INTO meta (key, value) VALUES ('eligibility_started', $1) ON CONFLICT DO NOTHING`, [String(this.now())]);
    });
  }

  async seenUrls(channelId: string): Promise<Set<string>> {
    const rows = await queryRows<{ url: string }>(this.pool, 'SELECT DISTINCT url FROM deliveries WHERE channel_id = $1', [channelId]);
    return new Set(rows.map((row) => row.url));
  }

  async plannedUrls(channelId: string): Promise<Set<string>> {
    const rows = await queryRows<{ story_urls: string }>(this.pool,
      `SELECT m.story_urls FROM run_messages m JOIN runs r ON r.id = m.run_id WHERE r.channel_id = $1 AND r.status = 'sending' AND m.message_id IS NULL`,
      [channelId]);
    return new Set(rows.flatMap((row) => JSON.parse(row.story_urls) as string[]));
  }

  async lastPlannedAt(subscriptionId: number, slot: Date): Promise<Date | null> {
    const [row] = await queryRows<{ at: number | null }>(this.pool,
      `SELECT MAX(created_at) AS at FROM runs WHERE subscription_id = $1 AND slot < $2 AND status IN ('sending', 'posted', 'empty')`,
      [subscriptionId, slot.getTime()]);
    return dateOrNull(row?.at ?? null);
  }

  async findRun(subscriptionId: number, slot: Date): Promise<RunRecord | undefined> {
    const [row] = await queryRows<RunRow>(this.pool, 'SELECT * FROM runs WHERE subscription_id = $1 AND slot = $2', [subscriptionId, slot.getTime()]);
    return row && toRun(row);
  }

  async findRuns(slots: readonly RunSlot[]): Promise<RunRecord[]> {
    if (slots.length === 0) return [];
    const rows = await queryRows<RunRow>(this.pool,
      `SELECT r.* FROM runs r JOIN unnest($1::bigint[], $2::bigint[]) AS wanted (subscription_id, slot)
         ON r.subscription_id = wanted.subscription_id AND r.slot = wanted.slot`,
      [slots.map((s) => s.subscriptionId), slots.map((s) => s.slot.getTime())]);
    return rows.map(toRun);
  }

  async getRun(runId: number): Promise<RunRecord | undefined> {
    return this.runById(this.pool, runId);
  }

  private async runById(db: Db, runId: number): Promise<RunRecord | undefined> {
    const [row] = await queryRows<RunRow>(db, 'SELECT * FROM runs WHERE id = $1', [runId]);
    return row && toRun(row);
  }

  async claimRun(target: RunTarget, slot: Date, plan: Plan, { madeFrom }: ClaimOptions = {}): Promise<RunRecord | undefined> {
    return inTransaction(this.pool, async (client) => {
      const inserted = await this.insertRun(client, target, slot, madeFrom);
      if (!inserted) return undefined;
      if ('empty' in plan) {
        await this.finishRun(client, inserted.id, 'empty', `empty: ${plan.empty}`);
        return this.runById(client, inserted.id);
      }
      await this.refuseOutdated(client, target.channelId, plan);
      await client.query(
        `INSERT INTO run_messages (run_id, idx, payload, story_urls, story_count)
         SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::int[])`,
        [inserted.id, plan.map((_, index) => index), plan.map((m) => JSON.stringify(m.payload)), plan.map((m) => JSON.stringify(m.storyUrls)),
          plan.map((m) => m.storyCount)]);
      return toRun(inserted);
    });
  }

  /**
   * Throws PlanOutdatedError when the plan holds a story the channel was sent, or another unfinished run of the
   * channel planned. Two digests of one channel may be planned at the same moment by two processes, each before the
   * other's claim: the channel's claims queue on a lock held until this transaction ends, so the next one checks
   * against this one's plan once it is committed. One statement, so a message recorded meanwhile (its stories moving
   * from planned to sent) is seen on one side or the other.
   */
  private async refuseOutdated(client: pg.PoolClient, channelId: string, plan: PlannedMessage[]): Promise<void> {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [CHANNEL_CLAIMS_LOCK, channelId]);
    const rows = await queryRows<{ url: string }>(client,
      `SELECT url FROM deliveries WHERE channel_id = $1 AND url = ANY($2::text[])
       UNION
       SELECT planned.url FROM runs r JOIN run_messages m ON m.run_id = r.id CROSS JOIN jsonb_array_elements_text(m.story_urls::jsonb) AS planned (url)
       WHERE r.channel_id = $1 AND r.status = 'sending' AND m.message_id IS NULL AND planned.url = ANY($2::text[])`,
      [channelId, plan.flatMap((m) => m.storyUrls)]);
    if (rows.length > 0) throw new PlanOutdatedError(rows.map((row) => row.url));
  }

  async closeSlot(target: RunTarget, slot: Date, status: 'failed' | 'skipped', outcome: string): Promise<RunRecord | undefined> {
    return inTransaction(this.pool, async (client) => {
      const inserted = await this.insertRun(client, target, slot);
      if (!inserted) return undefined;
      await this.finishRun(client, inserted.id, status, outcome);
      return this.runById(client, inserted.id);
    });
  }

  /**
   * Inserts the slot's run, leased to this process, unless it exists. The subscription's row is locked first with
   * SKIP LOCKED: a process claiming one of its slots at this moment makes this one give up at once rather than wait
   * and plan the same digest for nothing. The (subscription, slot) uniqueness stops a process arriving after its commit.
   * A change of the subscription waits for this lock too, so it either comes first (and `madeFrom` no longer matches)
   * or finds this run and withdraws it.
   */
  private async insertRun(client: pg.PoolClient, target: RunTarget, slot: Date, madeFrom?: Date): Promise<RunRow | undefined> {
    const now = this.now();
    // One statement (a round trip less per claim): no row when the subscription is locked, gone, changed, or its slot taken.
    const [inserted] = await queryRows<RunRow>(client,
      `INSERT INTO runs (subscription_id, channel_id, slot, status, created_at, lease_owner, lease_until)
       SELECT id, $2, $3, 'sending', $4, $5, $6 FROM subscriptions WHERE id = $1 AND ($7::bigint IS NULL OR updated_at = $7) FOR UPDATE SKIP LOCKED
       ON CONFLICT DO NOTHING RETURNING *`,
      [target.subscriptionId, target.channelId, slot.getTime(), now, this.lease.owner, Math.max(now, slot.getTime()) + this.lease.leaseMs, madeFrom?.getTime() ?? null]);
    return inserted;
  }

  async pendingRuns(): Promise<RunRecord[]> {
    return (await queryRows<RunRow>(this.pool, `SELECT * FROM runs WHERE status = 'sending' ORDER BY slot, id`)).map(toRun);
  }

  async takeRun(runId: number): Promise<RunRecord | undefined> {
    const now = this.now();
    const [row] = await queryRows<RunRow>(this.pool,
      `UPDATE runs SET lease_owner = $2, lease_until = $3
       WHERE id = (SELECT id FROM runs WHERE id = $1 AND status = 'sending' AND (lease_owner IS NULL OR lease_until < $4 OR lease_owner = $2)
                   FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [runId, this.lease.owner, now + this.lease.leaseMs, now]);
    return row && toRun(row);
  }

  async renewLease(runId: number): Promise<boolean> {
    const result = await this.pool.query('UPDATE runs SET lease_until = $3 WHERE id = $1 AND lease_owner = $2',
      [runId, this.lease.owner, this.now() + this.lease.leaseMs]);
    return (result.rowCount ?? 0) > 0;
  }

  async runMessages(runId: number): Promise<RunMessage[]> {
    const rows = await queryRows<RunMessageRow>(this.pool,
      'SELECT idx, payload, story_urls, story_count, message_id, attempted_at FROM run_messages WHERE run_id = $1 ORDER BY idx', [runId]);
    return rows.map(toRunMessage);
  }

  async markAttempted(runId: number, index: number): Promise<void> {
    // The run's row is share-locked with the write, so a takeover cannot slip in between the owner check and it.
    const result = await this.pool.query(
      `WITH leased AS (SELECT id FROM runs WHERE id = $1 AND lease_owner = $3 FOR SHARE)
       UPDATE run_messages SET attempted_at = COALESCE(attempted_at, $4) WHERE run_id IN (SELECT id FROM leased) AND idx = $2`,
      [runId, index, this.lease.owner, this.now()]);
    if (!result.rowCount) await this.checkLease(this.pool, runId);
  }

  async recordSent(runId: number, index: number, messageId: string, publish = false): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const now = this.now();
      const [row] = await queryRows<{ channel_id: string; story_urls: string }>(client,
        `SELECT r.channel_id, m.story_urls FROM runs r JOIN run_messages m ON m.run_id = r.id
         WHERE r.id = $1 AND m.idx = $2 AND r.lease_owner = $3 FOR SHARE OF r`,
        [runId, index, this.lease.owner]);
      if (!row) {
        await this.checkLease(client, runId);
        throw new Error(`run ${runId} has no message ${index}`);
      }
      await client.query('UPDATE run_messages SET message_id = $3, sent_at = $4, publish_state = $5 WHERE run_id = $1 AND idx = $2',
        [runId, index, messageId, now, publish ? 'owed' : null]);
      await client.query(
        `INSERT INTO deliveries (channel_id, url, message_id, delivered_at, run_id) SELECT $1, url, $2, $3, $4 FROM unnest($5::text[]) AS url`,
        [row.channel_id, messageId, now, runId, JSON.parse(row.story_urls) as string[]]);
    });
  }

  /** Throws LeaseLostError when the run exists and this process does not lease it. */
  private async checkLease(db: Db, runId: number): Promise<void> {
    const [run] = await queryRows<{ lease_owner: string | null }>(db, 'SELECT lease_owner FROM runs WHERE id = $1', [runId]);
    if (run && run.lease_owner !== this.lease.owner) throw new LeaseLostError(runId);
  }

  async owedPublications(channelId: string, maxAgeMs: number): Promise<OwedPublication[]> {
    return queryRows<OwedPublication>(this.pool,
      `SELECT m.run_id AS "runId", m.idx AS "index", m.message_id AS "messageId"
       FROM run_messages m JOIN runs r ON r.id = m.run_id JOIN subscriptions s ON s.id = r.subscription_id
       WHERE m.publish_state = 'owed' AND r.channel_id = $1 AND m.sent_at >= $2 AND s.publish = 1
       ORDER BY m.run_id, m.idx`,
      [channelId, this.now() - maxAgeMs]);
  }

  async settlePublication(runId: number, index: number, state: 'published' | 'refused'): Promise<void> {
    await this.pool.query(`UPDATE run_messages SET publish_state = $3 WHERE run_id = $1 AND idx = $2 AND publish_state = 'owed'`, [runId, index, state]);
  }

  async setRunOutcome(runId: number, status: RunStatus, outcome: string): Promise<void> {
    await inTransaction(this.pool, (client) => this.finishRun(client, runId, status, outcome));
  }

  /** Sets the run's status and outcome and releases its lease, unless another process holds an unexpired one. */
  private async finishRun(client: pg.PoolClient, runId: number, status: RunStatus, outcome: string): Promise<void> {
    const now = this.now();
    const [run] = await queryRows<{ subscription_id: number | null }>(client,
      `UPDATE runs SET status = $2, outcome = $3, finished_at = $4, lease_owner = NULL, lease_until = NULL
       WHERE id = $1 AND (lease_owner IS NULL OR lease_owner = $5 OR lease_until < $6) RETURNING subscription_id`,
      [runId, status, outcome, status === 'sending' ? null : now, this.lease.owner, now]);
    if (!run) {
      await this.checkLease(client, runId);
      throw new Error(`no run ${runId}`);
    }
    await client.query('UPDATE subscriptions SET last_run_at = $1, last_result = $2 WHERE id = $3', [now, outcome, run.subscription_id]);
  }
}
