// The subscriptions of a PostgreSQL state database (see StateStore): saving one (its name unique in its server, the
// server's count kept within its most, whichever processes save at once), looking them up, pausing and removing them.
// PostgresStore hands its calls here.
import type pg from 'pg';
import type { Clock } from '../../util/clock.js';
import { toSubscription } from '../rows.js';
import type { SubscriptionRow } from '../rows.js';
import { NameTakenError, ServerFullError } from '../stateStore.js';
import type { SaveOptions } from '../stateStore.js';
import { sameSubscription, storedSettings } from '../storeValues.js';
import type { Subscription, SubscriptionInput } from '../types.js';
import { SERVER_DIGESTS_LOCK } from './locks.js';
import { inTransaction, queryRows } from './pool.js';
import type { Db } from './pool.js';

/** PostgreSQL's answer to an insert that would give a server two digests of one name. */
const isNameConflict = (error: unknown) =>
  (error as { code?: unknown }).code === '23505' && (error as { constraint?: unknown }).constraint === 'subscriptions_name';

export class PostgresSubscriptions {
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
  ) {}

  async save(input: SubscriptionInput, id?: number, options: SaveOptions = {}): Promise<Subscription> {
    try {
      return await inTransaction(this.pool, (client) => this.write(client, input, id, options));
    } catch (error) {
      // Another process saved the name between the check and the write: the same refusal as a name found taken.
      const holder = isNameConflict(error) ? await this.findByName(input.guildId, input.name) : undefined;
      throw holder ? new NameTakenError(holder) : error;
    }
  }

  private async write(client: pg.PoolClient, input: SubscriptionInput, id: number | undefined, { keepPause = false, maxPerServer }: SaveOptions): Promise<Subscription> {
    const settings = storedSettings(input);
    const days = JSON.stringify(input.days);
    const [row] = id === undefined ? [] : await queryRows<SubscriptionRow>(client, 'SELECT * FROM subscriptions WHERE id = $1 FOR UPDATE', [id]);
    const existing = row && toSubscription(row);
    if (id !== undefined && !existing) throw new Error(`no subscription ${id}`);
    const publish = input.publish ?? existing?.publish ?? false;
    const taken = await this.subscriptionByName(client, input.guildId, input.name);
    if (taken && taken.id !== id) throw new NameTakenError(taken);
    if (existing && (keepPause || !existing.paused) && sameSubscription(existing, input, settings, publish)) return existing;
    if (!existing && maxPerServer !== undefined) await this.checkRoom(client, input.guildId, maxPerServer);
    const { name, guildId, channelId, kind, time, timezone, mentionRoleId } = input;
    const values = [name, guildId, channelId, kind, time, days, timezone, settings, mentionRoleId, publish ? 1 : 0, this.clock.now().getTime()];
    const [saved] = existing
      ? await queryRows<SubscriptionRow>(client,
          `UPDATE subscriptions SET name = $1, guild_id = $2, channel_id = $3, kind = $4, time = $5, days = $6, timezone = $7, settings = $8,
             mention_role_id = $9, publish = $10, updated_at = $11,
             paused = CASE WHEN $13 THEN paused ELSE 0 END, paused_reason = CASE WHEN $13 THEN paused_reason ELSE NULL END
           WHERE id = $12 RETURNING *`, [...values, existing.id, keepPause])
      : await queryRows<SubscriptionRow>(client,
          `INSERT INTO subscriptions (name, guild_id, channel_id, kind, time, days, timezone, settings, mention_role_id, publish, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING *`, values);
    if (existing) await this.withdrawPlannedAhead(client, existing.id);
    return toSubscription(saved!);
  }

  /**
   * Throws ServerFullError when the server holds `max` digests already. Row locks cannot stop a concurrent insert
   * (there is no row yet to lock), so the server's saves queue on a lock held until this transaction ends: the next
   * one counts after this one's digest is committed.
   */
  private async checkRoom(client: pg.PoolClient, guildId: string, max: number): Promise<void> {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SERVER_DIGESTS_LOCK, guildId]);
    const [row] = await queryRows<{ count: number }>(client, 'SELECT COUNT(*) AS count FROM subscriptions WHERE guild_id = $1', [guildId]);
    if (row!.count >= max) throw new ServerFullError(row!.count);
  }

  async get(id: number): Promise<Subscription | undefined> {
    const [row] = await queryRows<SubscriptionRow>(this.pool, 'SELECT * FROM subscriptions WHERE id = $1', [id]);
    return row && toSubscription(row);
  }

  async findByName(guildId: string, name: string): Promise<Subscription | undefined> {
    return this.subscriptionByName(this.pool, guildId, name);
  }

  private async subscriptionByName(db: Db, guildId: string, name: string): Promise<Subscription | undefined> {
    const [row] = await queryRows<SubscriptionRow>(db, 'SELECT * FROM subscriptions WHERE guild_id = $1 AND lower(name) = lower($2)', [guildId, name]);
    return row && toSubscription(row);
  }

  async list(where: { guildId?: string; channelId?: string } = {}): Promise<Subscription[]> {
    const rows = await queryRows<SubscriptionRow>(this.pool,
      `SELECT * FROM subscriptions WHERE ($1::text IS NULL OR guild_id = $1) AND ($2::text IS NULL OR channel_id = $2) ORDER BY created_at, id`,
      [where.guildId ?? null, where.channelId ?? null]);
    return rows.map(toSubscription);
  }

  async setPaused(id: number, paused: boolean, reason: string | null = null): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const result = await client.query(
        `UPDATE subscriptions SET paused = $1, paused_reason = $2, updated_at = CASE WHEN paused = $1 THEN updated_at ELSE $3 END WHERE id = $4`,
        [paused ? 1 : 0, paused ? reason : null, this.clock.now().getTime(), id]);
      if (paused) await this.withdrawPlannedAhead(client, id);
      return (result.rowCount ?? 0) > 0;
    });
  }

  async remove(id: number): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const removed = ((await client.query('DELETE FROM subscriptions WHERE id = $1', [id])).rowCount ?? 0) > 0;
      await this.withdrawPlannedAhead(client, id);
      return removed;
    });
  }

  /**
   * Deletes the digest's runs planned ahead of their slot of which nothing was sent (see StateStore.saveSubscription).
   * After the subscription's row lock (its update, or the claim's FOR UPDATE): a claim under way commits first.
   */
  private async withdrawPlannedAhead(client: pg.PoolClient, id: number): Promise<void> {
    await client.query(
      `DELETE FROM runs r WHERE r.subscription_id = $1 AND r.slot > $2 AND r.status = 'sending'
         AND NOT EXISTS (SELECT 1 FROM run_messages m WHERE m.run_id = r.id AND (m.attempted_at IS NOT NULL OR m.message_id IS NOT NULL))`,
      [id, this.clock.now().getTime()]);
  }
}
