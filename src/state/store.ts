import type Database from 'better-sqlite3';
import { DEFAULT_DIGEST_SETTINGS } from '../digest/settings.js';
import type { Logger } from '../log.js';
import { systemClock } from '../util/clock.js';
import type { Clock } from '../util/clock.js';
import { openDatabase } from './open.js';
import type { DatabaseSetting } from './open.js';

import { dateOrNull, toRun, toSubscription } from './rows.js';
import type { RunMessageRow, RunRow, SubscriptionRow } from './rows.js';
import type { Plan, RunMessage, RunRecord, RunStatus, Subscription, SubscriptionInput } from './types.js';

/** The persistent state: subscriptions, the runs of each slot, and the stories each channel received. */
export class Store {
  // Prepared once per SQL text: compiling a statement costs more than running it, and a tick runs them per channel.
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock,
  ) {}

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
  static open(file: string, options: { logger: Logger; clock?: Clock; setting?: DatabaseSetting }): Store {
    const { db, migrationsApplied } = openDatabase(file, options.setting ?? 'DATABASE_PATH');
    options.logger.info({ event: 'state.open', file, migrationsApplied, schemaVersion: db.pragma('user_version', { simple: true }) }, 'state opened');
    return new Store(db, options.clock ?? systemClock);
  }

  close(): void {
    this.db.close();
  }

  /** The database file, for messages that tell an admin where a problem is. */
  get file(): string {
    return this.db.name;
  }

  /**
   * Creates or replaces a channel's subscription. Setting a channel up again resumes it (an admin running setup
   * means "deliver here") and clears the pause reason. Re-applying identical values to an active subscription
   * changes nothing, so a slot missed while the bot was down is still caught up after the restart.
   */
  upsertSubscription(input: SubscriptionInput): Subscription {
    const settings = JSON.stringify({ ...DEFAULT_DIGEST_SETTINGS, ...input.settings });
    const existing = this.getSubscription(input.channelId);
    if (
      existing &&
      !existing.paused &&
      existing.guildId === input.guildId &&
      existing.time === input.time &&
      existing.timezone === input.timezone &&
      existing.mentionRoleId === input.mentionRoleId &&
      JSON.stringify(existing.settings) === settings
    ) {
      return existing;
    }
    const now = this.clock.now().getTime();
    this.statement(
        `INSERT INTO subscriptions (channel_id, guild_id, time, timezone, settings, mention_role_id, paused, paused_reason, created_at, updated_at)
         VALUES (@channelId, @guildId, @time, @timezone, @settings, @mentionRoleId, 0, NULL, @now, @now)
         ON CONFLICT (channel_id) DO UPDATE SET guild_id = excluded.guild_id, time = excluded.time, timezone = excluded.timezone,
           settings = excluded.settings, mention_role_id = excluded.mention_role_id,
           paused = 0, paused_reason = NULL,
           updated_at = excluded.updated_at`,
      )
      .run({ ...input, settings, now });
    return this.getSubscription(input.channelId)!;
  }

  getSubscription(channelId: string): Subscription | undefined {
    const row = this.statement('SELECT * FROM subscriptions WHERE channel_id = ?').get(channelId) as SubscriptionRow | undefined;
    return row && toSubscription(row);
  }

  listSubscriptions(guildId?: string): Subscription[] {
    const rows = (
      guildId === undefined
        ? this.statement('SELECT * FROM subscriptions ORDER BY created_at, channel_id').all()
        : this.statement('SELECT * FROM subscriptions WHERE guild_id = ? ORDER BY created_at, channel_id').all(guildId)
    ) as SubscriptionRow[];
    return rows.map(toSubscription);
  }

  /** Pauses or resumes; false when the channel has no subscription. Resuming clears the reason. */
  setPaused(channelId: string, paused: boolean, reason: string | null = null): boolean {
    const flag = paused ? 1 : 0;
    const result = this.statement(
        `UPDATE subscriptions SET paused = @flag, paused_reason = @reason,
           updated_at = CASE WHEN paused = @flag THEN updated_at ELSE @now END
         WHERE channel_id = @channelId`,
      )
      .run({ flag, reason: paused ? reason : null, now: this.clock.now().getTime(), channelId });
    return result.changes > 0;
  }

  /**
   * Deletes the subscription. The stories the channel received stay recorded, so setting it up again does not
   * repeat them, and its runs stay too, so a slot that already ran does not run again.
   */
  removeSubscription(channelId: string): boolean {
    return this.statement('DELETE FROM subscriptions WHERE channel_id = ?').run(channelId).changes > 0;
  }

  /** Every story URL the channel received. */
  seenUrls(channelId: string): Set<string> {
    const rows = this.statement('SELECT DISTINCT url FROM deliveries WHERE channel_id = ?').pluck().all(channelId) as string[];
    return new Set(rows);
  }

  /**
   * Every story URL an unfinished run of the channel still has to post: a new plan leaves them out, so two runs of
   * one channel (a retrying slot and /digest now, say) never carry the same story.
   */
  plannedUrls(channelId: string): Set<string> {
    const rows = this.statement(
      `SELECT m.story_urls FROM run_messages m JOIN runs r ON r.id = m.run_id
       WHERE r.channel_id = ? AND r.status = 'sending' AND m.message_id IS NULL`,
    ).pluck().all(channelId) as string[];
    return new Set(rows.flatMap((json) => JSON.parse(json) as string[]));
  }

  /** When the channel last received a digest message, or null if never. */
  lastDigestAt(channelId: string): Date | null {
    const ms = this.statement('SELECT MAX(delivered_at) FROM deliveries WHERE channel_id = ?').pluck().get(channelId) as number | null;
    return dateOrNull(ms);
  }

  findRun(channelId: string, slot: Date): RunRecord | undefined {
    const row = this.statement('SELECT * FROM runs WHERE channel_id = ? AND slot = ?').get(channelId, slot.getTime()) as RunRow | undefined;
    return row && toRun(row);
  }

  getRun(runId: number): RunRecord | undefined {
    const row = this.statement('SELECT * FROM runs WHERE id = ?').get(runId) as RunRow | undefined;
    return row && toRun(row);
  }

  /**
   * Claims the slot for the channel and stores its plan, atomically: either the run exists with every planned
   * message (and nothing is sent before this returns), or nothing was written. `plan` is called only when the
   * slot was free. Undefined when the slot was already claimed, by this process or an earlier one.
   */
  claimRun(channelId: string, slot: Date, plan: () => Plan): RunRecord | undefined {
    return this.db.transaction(() => {
      const runId = this.insertRun(channelId, slot);
      if (runId === undefined) return undefined;
      const planned = plan();
      if ('empty' in planned) {
        this.setRunOutcome(runId, 'empty', `empty: ${planned.empty}`);
      } else {
        const insert = this.statement('INSERT INTO run_messages (run_id, idx, payload, story_urls, story_count) VALUES (?, ?, ?, ?, ?)');
        planned.forEach((message, index) => insert.run(runId, index, JSON.stringify(message.payload), JSON.stringify(message.storyUrls), message.storyCount));
      }
      return this.getRun(runId);
    })();
  }

  /** Records a slot that is closed without any message (missed too long ago, or its digest could not be built). */
  closeSlot(channelId: string, slot: Date, status: 'failed' | 'skipped', outcome: string): RunRecord | undefined {
    return this.db.transaction(() => {
      const runId = this.insertRun(channelId, slot);
      if (runId === undefined) return undefined;
      this.setRunOutcome(runId, status, outcome);
      return this.getRun(runId);
    })();
  }

  // The (channel, slot) uniqueness is what makes a slot run at most once, whichever process gets there first.
  private insertRun(channelId: string, slot: Date): number | undefined {
    const inserted = this.statement(`INSERT INTO runs (channel_id, slot, status, created_at) VALUES (?, ?, 'sending', ?) ON CONFLICT DO NOTHING`)
      .run(channelId, slot.getTime(), this.clock.now().getTime());
    return inserted.changes === 0 ? undefined : Number(inserted.lastInsertRowid);
  }

  /** Runs with planned messages not all posted yet, oldest slot first. */
  pendingRuns(): RunRecord[] {
    return (this.statement(`SELECT * FROM runs WHERE status = 'sending' ORDER BY slot, id`).all() as RunRow[]).map(toRun);
  }

  /** The run's planned messages in order, with the Discord message id of those already posted. */
  runMessages(runId: number): RunMessage[] {
    const rows = this.statement('SELECT idx, payload, story_urls, story_count, message_id, attempted_at FROM run_messages WHERE run_id = ? ORDER BY idx').all(runId) as RunMessageRow[];
    return rows.map((row) => ({
      index: row.idx,
      payload: JSON.parse(row.payload) as object,
      storyUrls: JSON.parse(row.story_urls) as string[],
      storyCount: row.story_count,
      messageId: row.message_id,
      attemptedAt: dateOrNull(row.attempted_at),
    }));
  }

  /**
   * Notes that the message is about to be handed to Discord (the first time only). Written before the post, so a
   * store that cannot be written (a full disk) stops the run before anything reaches the channel.
   */
  markAttempted(runId: number, index: number): void {
    this.statement('UPDATE run_messages SET attempted_at = COALESCE(attempted_at, ?) WHERE run_id = ? AND idx = ?').run(this.clock.now().getTime(), runId, index);
  }

  /** Records one posted message and the stories it carried, in one transaction: both or neither. */
  recordSent(runId: number, index: number, messageId: string): void {
    this.db.transaction(() => {
      const now = this.clock.now().getTime();
      const row = this.statement('SELECT r.channel_id, m.story_urls FROM run_messages m JOIN runs r ON r.id = m.run_id WHERE m.run_id = ? AND m.idx = ?')
        .get(runId, index) as { channel_id: string; story_urls: string } | undefined;
      if (!row) throw new Error(`run ${runId} has no message ${index}`);
      this.statement('UPDATE run_messages SET message_id = ?, sent_at = ? WHERE run_id = ? AND idx = ?').run(messageId, now, runId, index);
      const insert = this.statement('INSERT INTO deliveries (channel_id, url, message_id, delivered_at, run_id) VALUES (?, ?, ?, ?, ?)');
      for (const url of JSON.parse(row.story_urls) as string[]) insert.run(row.channel_id, url, messageId, now, runId);
    })();
  }

  /**
   * Sets the run's status and outcome, and shows the outcome as its subscription's last result. A run left
   * `sending` (a transient failure) stays open for the next attempt.
   */
  setRunOutcome(runId: number, status: RunStatus, outcome: string): void {
    this.db.transaction(() => {
      const now = this.clock.now().getTime();
      const run = this.statement(`UPDATE runs SET status = ?, outcome = ?, finished_at = ? WHERE id = ? RETURNING channel_id`)
        .get(status, outcome, status === 'sending' ? null : now, runId) as { channel_id: string } | undefined;
      if (!run) throw new Error(`no run ${runId}`);
      this.statement('UPDATE subscriptions SET last_run_at = ?, last_result = ? WHERE channel_id = ?').run(now, outcome, run.channel_id);
    })();
  }
}
