import type pg from 'pg';
import type { Logger } from '../../log.js';
import { databaseUrlForDisplay } from '../../ops/databaseUrl.js';
import { systemClock } from '../../util/clock.js';
import type { Clock } from '../../util/clock.js';
import { defaultLease } from '../lease.js';
import { dateOrNull, toRun, toSubscription } from '../rows.js';
import type { RunMessageRow, RunRow, SubscriptionRow } from '../rows.js';
import { LeaseLostError, NameTakenError, PlanOutdatedError, ServerFullError } from '../stateStore.js';
import type { LeaseOptions, SaveOptions, StateStore } from '../stateStore.js';
import { sameSubscription, storedSettings, toRunMessage } from '../storeValues.js';
import type { OwedPublication, Plan, PlannedMessage, RunMessage, RunRecord, RunSlot, RunStatus, RunTarget, Subscription, SubscriptionInput } from '../types.js';
import { describeConnectFailure, urlRefusal } from './connectError.js';
import { migratePostgres, POSTGRES_SCHEMA_VERSION } from './migrations.js';
import { createPool, DEFAULT_TIMEOUTS, inTransaction } from './pool.js';
import type { PostgresTimeouts } from './pool.js';

export interface PostgresStoreOptions {
  logger: Logger;
  clock?: Clock;
  /** This process's lease identity; by default host, pid and a random part, for DEFAULT_LEASE_MS. */
  lease?: Partial<LeaseOptions>;
  timeouts?: Partial<PostgresTimeouts>;
}

type Db = pg.Pool | pg.PoolClient;

// The first key of the transaction lock that makes a server's new digests count and save one at a time (the second
// is the server's); two int4 keys, a key space apart from the migrations' single bigint key.
const SERVER_DIGESTS_LOCK = 734_911_302;
// The same for a channel's claims (the second key is the channel's): checked and stored one at a time.
const CHANNEL_CLAIMS_LOCK = 734_911_303;

/** PostgreSQL's answer to an insert that would give a server two digests of one name. */
const isNameConflict = (error: unknown) =>
  (error as { code?: unknown }).code === '23505' && (error as { constraint?: unknown }).constraint === 'subscriptions_name';

/**
 * The state in a PostgreSQL database shared by any number of processes (see StateStore). What one process's
 * transaction does, another's sees whole or not at all; a slot is claimed under a row lock on its subscription taken
 * with SKIP LOCKED, so processes never queue behind each other for a slot (only two claims of one channel do, for the
 * moment one takes to check and store its plan), and the (subscription, slot) uniqueness keeps a slot to one run
 * whatever happens. Times come from the injected clock, as in SqliteStore, never from the server's.
 */
export class PostgresStore implements StateStore {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    readonly lease: LeaseOptions,
    readonly location: string,
  ) {}

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

  private async rows<T extends pg.QueryResultRow>(db: Db, sql: string, values: unknown[] = []): Promise<T[]> {
    return (await db.query<T>(sql, values)).rows;
  }

  async saveSubscription(input: SubscriptionInput, id?: number, options: SaveOptions = {}): Promise<Subscription> {
    try {
      return await inTransaction(this.pool, (client) => this.writeSubscription(client, input, id, options));
    } catch (error) {
      // Another process saved the name between the check and the write: the same refusal as a name found taken.
      const holder = isNameConflict(error) ? await this.findSubscriptionByName(input.guildId, input.name) : undefined;
      throw holder ? new NameTakenError(holder) : error;
    }
  }

  private async writeSubscription(client: pg.PoolClient, input: SubscriptionInput, id: number | undefined, { keepPause = false, maxPerServer }: SaveOptions): Promise<Subscription> {
    const settings = storedSettings(input);
    const days = JSON.stringify(input.days);
    const [row] = id === undefined ? [] : await this.rows<SubscriptionRow>(client, 'SELECT * FROM subscriptions WHERE id = $1 FOR UPDATE', [id]);
    const existing = row && toSubscription(row);
    if (id !== undefined && !existing) throw new Error(`no subscription ${id}`);
    const publish = input.publish ?? existing?.publish ?? false;
    const taken = await this.subscriptionByName(client, input.guildId, input.name);
    if (taken && taken.id !== id) throw new NameTakenError(taken);
    if (existing && (keepPause || !existing.paused) && sameSubscription(existing, input, settings, publish)) return existing;
    if (!existing && maxPerServer !== undefined) await this.checkRoom(client, input.guildId, maxPerServer);
    const { name, guildId, channelId, kind, time, timezone, mentionRoleId } = input;
    const values = [name, guildId, channelId, kind, time, days, timezone, settings, mentionRoleId, publish ? 1 : 0, this.now()];
    const [saved] = existing
      ? await this.rows<SubscriptionRow>(client,
          `UPDATE subscriptions SET name = $1, guild_id = $2, channel_id = $3, kind = $4, time = $5, days = $6, timezone = $7, settings = $8,
             mention_role_id = $9, publish = $10, updated_at = $11,
             paused = CASE WHEN $13 THEN paused ELSE 0 END, paused_reason = CASE WHEN $13 THEN paused_reason ELSE NULL END
           WHERE id = $12 RETURNING *`, [...values, existing.id, keepPause])
      : await this.rows<SubscriptionRow>(client,
          `INSERT INTO subscriptions (name, guild_id, channel_id, kind, time, days, timezone, settings, mention_role_id, publish, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING *`, values);
    return toSubscription(saved!);
  }

  /**
   * Throws ServerFullError when the server holds `max` digests already. Row locks cannot stop a concurrent insert
   * (there is no row yet to lock), so the server's saves queue on a lock held until this transaction ends: the next
   * one counts after this one's digest is committed.
   */
  private async checkRoom(client: pg.PoolClient, guildId: string, max: number): Promise<void> {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SERVER_DIGESTS_LOCK, guildId]);
    const [row] = await this.rows<{ count: number }>(client, 'SELECT COUNT(*) AS count FROM subscriptions WHERE guild_id = $1', [guildId]);
    if (row!.count >= max) throw new ServerFullError(row!.count);
  }

  async getSubscription(id: number): Promise<Subscription | undefined> {
    const [row] = await this.rows<SubscriptionRow>(this.pool, 'SELECT * FROM subscriptions WHERE id = $1', [id]);
    return row && toSubscription(row);
  }

  async findSubscriptionByName(guildId: string, name: string): Promise<Subscription | undefined> {
    return this.subscriptionByName(this.pool, guildId, name);
  }

  private async subscriptionByName(db: Db, guildId: string, name: string): Promise<Subscription | undefined> {
    const [row] = await this.rows<SubscriptionRow>(db, 'SELECT * FROM subscriptions WHERE guild_id = $1 AND lower(name) = lower($2)', [guildId, name]);
    return row && toSubscription(row);
  }

  async listSubscriptions(where: { guildId?: string; channelId?: string } = {}): Promise<Subscription[]> {
    const rows = await this.rows<SubscriptionRow>(this.pool,
      `SELECT * FROM subscriptions WHERE ($1::text IS NULL OR guild_id = $1) AND ($2::text IS NULL OR channel_id = $2) ORDER BY created_at, id`,
      [where.guildId ?? null, where.channelId ?? null]);
    return rows.map(toSubscription);
  }

  async setPaused(id: number, paused: boolean, reason: string | null = null): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE subscriptions SET paused = $1, paused_reason = $2, updated_at = CASE WHEN paused = $1 THEN updated_at ELSE $3 END WHERE id = $4`,
      [paused ? 1 : 0, paused ? reason : null, this.now(), id]);
    return (result.rowCount ?? 0) > 0;
  }

  async removeSubscription(id: number): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM subscriptions WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async eligibility(): Promise<Map<string, number>> {
    const result = await this.pool.query<[string, number]>({ text: 'SELECT url, eligible_at FROM eligibility', rowMode: 'array' });
    return new Map(result.rows);
  }

  async eligibilityStarted(): Promise<boolean> {
    return ((await this.pool.query(`SELECT 1 FROM meta WHERE key = 'eligibility_started'`)).rowCount ?? 0) > 0;
  }

  async updateEligibility(added: ReadonlyMap<string, number>, removed: readonly string[]): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      // Processes that see a story at different moments each add it: the first one recorded stands, since runs
      // planned since may have reasoned from it (a story dated earlier afterwards would fall before their window).
      await client.query(
        'INSERT INTO eligibility (url, eligible_at) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT (url) DO NOTHING',
        [[...added.keys()], [...added.values()]]);
      await client.query('DELETE FROM eligibility WHERE url = ANY($1::text[])', [removed]);
      await client.query(`INSERT INTO meta (key, value) VALUES ('eligibility_started', $1) ON CONFLICT DO NOTHING`, [String(this.now())]);
    });
  }

  async seenUrls(channelId: string): Promise<Set<string>> {
    const rows = await this.rows<{ url: string }>(this.pool, 'SELECT DISTINCT url FROM deliveries WHERE channel_id = $1', [channelId]);
    return new Set(rows.map((row) => row.url));
  }

  async plannedUrls(channelId: string): Promise<Set<string>> {
    const rows = await this.rows<{ story_urls: string }>(this.pool,
      `SELECT m.story_urls FROM run_messages m JOIN runs r ON r.id = m.run_id WHERE r.channel_id = $1 AND r.status = 'sending' AND m.message_id IS NULL`,
      [channelId]);
    return new Set(rows.flatMap((row) => JSON.parse(row.story_urls) as string[]));
  }

  async lastPlannedAt(subscriptionId: number, slot: Date): Promise<Date | null> {
    const [row] = await this.rows<{ at: number | null }>(this.pool,
      `SELECT MAX(created_at) AS at FROM runs WHERE subscription_id = $1 AND slot < $2 AND status IN ('sending', 'posted', 'empty')`,
      [subscriptionId, slot.getTime()]);
    return dateOrNull(row?.at ?? null);
  }

  async findRun(subscriptionId: number, slot: Date): Promise<RunRecord | undefined> {
    const [row] = await this.rows<RunRow>(this.pool, 'SELECT * FROM runs WHERE subscription_id = $1 AND slot = $2', [subscriptionId, slot.getTime()]);
    return row && toRun(row);
  }

  async findRuns(slots: readonly RunSlot[]): Promise<RunRecord[]> {
    if (slots.length === 0) return [];
    const rows = await this.rows<RunRow>(this.pool,
      `SELECT r.* FROM runs r JOIN unnest($1::bigint[], $2::bigint[]) AS wanted (subscription_id, slot)
         ON r.subscription_id = wanted.subscription_id AND r.slot = wanted.slot`,
      [slots.map((s) => s.subscriptionId), slots.map((s) => s.slot.getTime())]);
    return rows.map(toRun);
  }

  async getRun(runId: number): Promise<RunRecord | undefined> {
    return this.runById(this.pool, runId);
  }

  private async runById(db: Db, runId: number): Promise<RunRecord | undefined> {
    const [row] = await this.rows<RunRow>(db, 'SELECT * FROM runs WHERE id = $1', [runId]);
    return row && toRun(row);
  }

  async claimRun(target: RunTarget, slot: Date, plan: Plan): Promise<RunRecord | undefined> {
    return inTransaction(this.pool, async (client) => {
      const runId = await this.insertRun(client, target, slot);
      if (runId === undefined) return undefined;
      if ('empty' in plan) {
        await this.finishRun(client, runId, 'empty', `empty: ${plan.empty}`);
      } else {
        await this.refuseOutdated(client, target.channelId, plan);
        await client.query(
          `INSERT INTO run_messages (run_id, idx, payload, story_urls, story_count)
           SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::int[])`,
          [runId, plan.map((_, index) => index), plan.map((m) => JSON.stringify(m.payload)), plan.map((m) => JSON.stringify(m.storyUrls)),
            plan.map((m) => m.storyCount)]);
      }
      return this.runById(client, runId);
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
    const rows = await this.rows<{ url: string }>(client,
      `SELECT url FROM deliveries WHERE channel_id = $1 AND url = ANY($2::text[])
       UNION
       SELECT planned.url FROM runs r JOIN run_messages m ON m.run_id = r.id CROSS JOIN jsonb_array_elements_text(m.story_urls::jsonb) AS planned (url)
       WHERE r.channel_id = $1 AND r.status = 'sending' AND m.message_id IS NULL AND planned.url = ANY($2::text[])`,
      [channelId, plan.flatMap((m) => m.storyUrls)]);
    if (rows.length > 0) throw new PlanOutdatedError(rows.map((row) => row.url));
  }

  async closeSlot(target: RunTarget, slot: Date, status: 'failed' | 'skipped', outcome: string): Promise<RunRecord | undefined> {
    return inTransaction(this.pool, async (client) => {
      const runId = await this.insertRun(client, target, slot);
      if (runId === undefined) return undefined;
      await this.finishRun(client, runId, status, outcome);
      return this.runById(client, runId);
    });
  }

  /**
   * Inserts the slot's run, leased to this process, unless it exists. The subscription's row is locked first with
   * SKIP LOCKED: a process claiming one of its slots at this moment makes this one give up at once rather than wait
   * and plan the same digest for nothing. The (subscription, slot) uniqueness stops a process arriving after its commit.
   */
  private async insertRun(client: pg.PoolClient, target: RunTarget, slot: Date): Promise<number | undefined> {
    const locked = await client.query('SELECT 1 FROM subscriptions WHERE id = $1 FOR UPDATE SKIP LOCKED', [target.subscriptionId]);
    if (!locked.rowCount) return undefined;
    const now = this.now();
    const [inserted] = await this.rows<{ id: number }>(client,
      `INSERT INTO runs (subscription_id, channel_id, slot, status, created_at, lease_owner, lease_until) VALUES ($1, $2, $3, 'sending', $4, $5, $6)
       ON CONFLICT DO NOTHING RETURNING id`,
      [target.subscriptionId, target.channelId, slot.getTime(), now, this.lease.owner, now + this.lease.leaseMs]);
    return inserted?.id;
  }

  async pendingRuns(): Promise<RunRecord[]> {
    return (await this.rows<RunRow>(this.pool, `SELECT * FROM runs WHERE status = 'sending' ORDER BY slot, id`)).map(toRun);
  }

  async takeRun(runId: number): Promise<RunRecord | undefined> {
    const now = this.now();
    const [row] = await this.rows<RunRow>(this.pool,
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
    const rows = await this.rows<RunMessageRow>(this.pool,
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
      const [row] = await this.rows<{ channel_id: string; story_urls: string }>(client,
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
    const [run] = await this.rows<{ lease_owner: string | null }>(db, 'SELECT lease_owner FROM runs WHERE id = $1', [runId]);
    if (run && run.lease_owner !== this.lease.owner) throw new LeaseLostError(runId);
  }

  async owedPublications(channelId: string, maxAgeMs: number): Promise<OwedPublication[]> {
    return this.rows<OwedPublication>(this.pool,
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
    const [run] = await this.rows<{ subscription_id: number | null }>(client,
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
