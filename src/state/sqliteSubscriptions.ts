// The subscriptions of a SQLite state file (see StateStore): saving one (its name unique in its server, the server's
// count kept within its most), looking them up, pausing and removing them. SqliteStore hands its calls here.
import type Database from 'better-sqlite3';
import type { Clock } from '../util/clock.js';
import { toSubscription } from './rows.js';
import type { SubscriptionRow } from './rows.js';
import { NameTakenError, ServerFullError } from './stateStore.js';
import type { SaveOptions } from './stateStore.js';
import { sameSubscription, storedSettings } from './storeValues.js';
import type { Subscription, SubscriptionInput } from './types.js';

export class SqliteSubscriptions {
  constructor(
    private readonly db: Database.Database,
    /** The store's prepared statements, one per SQL text. */
    private readonly statement: (sql: string) => Database.Statement,
    private readonly clock: Clock,
  ) {}

  /**
   * Creates a subscription, or replaces the one with `id`. Replacing resumes it (an admin setting a digest up means
   * "deliver here") and clears the pause reason, unless `keepPause` (an edit of some settings changes only those).
   * Re-applying identical values to an active subscription changes nothing, so a slot missed while the bot was down
   * is still caught up after the restart. Throws a NameTakenError
   * when another digest of the server already has the name, a ServerFullError when a new one would take the server
   * past `maxPerServer`. One immediate transaction: another connection to the file (another process) saving at the
   * same moment waits for it, so both cannot count the server's digests before either adds one.
   */
  save(input: SubscriptionInput, id?: number, options: SaveOptions = {}): Subscription {
    return this.db.transaction(() => this.write(input, id, options)).immediate();
  }

  private write(input: SubscriptionInput, id: number | undefined, { keepPause = false, maxPerServer }: SaveOptions): Subscription {
    const settings = storedSettings(input);
    const days = JSON.stringify(input.days);
    const existing = id === undefined ? undefined : this.get(id);
    if (id !== undefined && !existing) throw new Error(`no subscription ${id}`);
    const publish = input.publish ?? existing?.publish ?? false;
    const taken = this.findByName(input.guildId, input.name);
    if (taken && taken.id !== id) throw new NameTakenError(taken);
    if (existing && (keepPause || !existing.paused) && sameSubscription(existing, input, settings, publish)) return existing;
    if (!existing && maxPerServer !== undefined) {
      const count = this.statement('SELECT COUNT(*) FROM subscriptions WHERE guild_id = ?').pluck().get(input.guildId) as number;
      if (count >= maxPerServer) throw new ServerFullError(count);
    }
    const now = this.clock.now().getTime();
    const { name, guildId, channelId, kind, time, timezone, mentionRoleId } = input;
    const values = { name, guildId, channelId, kind, time, days, timezone, settings, mentionRoleId, publish: publish ? 1 : 0, now };
    if (existing) {
      this.statement(
        `UPDATE subscriptions SET name = @name, guild_id = @guildId, channel_id = @channelId, kind = @kind, time = @time, days = @days,
           timezone = @timezone, settings = @settings, mention_role_id = @mentionRoleId, publish = @publish,
           paused = CASE WHEN @keep THEN paused ELSE 0 END, paused_reason = CASE WHEN @keep THEN paused_reason ELSE NULL END, updated_at = @now
         WHERE id = @id`,
      ).run({ ...values, id, keep: keepPause ? 1 : 0 });
      this.withdrawPlannedAhead(existing.id);
      return this.get(existing.id)!;
    }
    const inserted = this.statement(
      `INSERT INTO subscriptions (name, guild_id, channel_id, kind, time, days, timezone, settings, mention_role_id, publish, created_at, updated_at)
       VALUES (@name, @guildId, @channelId, @kind, @time, @days, @timezone, @settings, @mentionRoleId, @publish, @now, @now)`,
    ).run(values);
    return this.get(Number(inserted.lastInsertRowid))!;
  }

  get(id: number): Subscription | undefined {
    const row = this.statement('SELECT * FROM subscriptions WHERE id = ?').get(id) as SubscriptionRow | undefined;
    return row && toSubscription(row);
  }

  /** The server's digest with this name, case ignored. */
  findByName(guildId: string, name: string): Subscription | undefined {
    const row = this.statement('SELECT * FROM subscriptions WHERE guild_id = ? AND name = ? COLLATE NOCASE').get(guildId, name) as SubscriptionRow | undefined;
    return row && toSubscription(row);
  }

  /** Every subscription, or a server's, or a channel's, oldest first. */
  list(where: { guildId?: string; channelId?: string } = {}): Subscription[] {
    const rows = this.statement(
      `SELECT * FROM subscriptions WHERE (@guildId IS NULL OR guild_id = @guildId) AND (@channelId IS NULL OR channel_id = @channelId)
       ORDER BY created_at, id`,
    ).all({ guildId: where.guildId ?? null, channelId: where.channelId ?? null }) as SubscriptionRow[];
    return rows.map(toSubscription);
  }

  /** Pauses or resumes; false when there is no such subscription. Resuming clears the reason. */
  setPaused(id: number, paused: boolean, reason: string | null = null): boolean {
    const flag = paused ? 1 : 0;
    return this.db.transaction(() => {
      const result = this.statement(
          `UPDATE subscriptions SET paused = @flag, paused_reason = @reason,
             updated_at = CASE WHEN paused = @flag THEN updated_at ELSE @now END
           WHERE id = @id`,
        )
        .run({ flag, reason: paused ? reason : null, now: this.clock.now().getTime(), id });
      if (paused) this.withdrawPlannedAhead(id);
      return result.changes > 0;
    })();
  }

  /**
   * Deletes the subscription. The stories its channel received stay recorded, so a new digest there does not
   * repeat them, and its runs stay too, so what they posted stays explained; those planned ahead are withdrawn.
   */
  remove(id: number): boolean {
    return this.db.transaction(() => {
      this.withdrawPlannedAhead(id);
      return this.statement('DELETE FROM subscriptions WHERE id = ?').run(id).changes > 0;
    })();
  }

  /** Deletes the digest's runs planned ahead of their slot of which nothing was sent (see StateStore.saveSubscription). */
  private withdrawPlannedAhead(id: number): void {
    this.statement(
      `DELETE FROM runs WHERE subscription_id = ? AND slot > ? AND status = 'sending'
         AND NOT EXISTS (SELECT 1 FROM run_messages m WHERE m.run_id = runs.id AND (m.attempted_at IS NOT NULL OR m.message_id IS NOT NULL))`,
    ).run(id, this.clock.now().getTime());
  }
}
