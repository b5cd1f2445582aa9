import type Database from 'better-sqlite3';
import { DEFAULT_DIGEST_SETTINGS } from '../digest/settings.js';
import type { Logger } from '../log.js';
import { systemClock } from '../util/clock.js';
import type { Clock } from '../util/clock.js';
import { openDatabase } from './open.js';
import type { DatabaseSetting } from './open.js';

import { dateOrNull, toRun, toSubscription } from './rows.js';
import type { RunMessageRow, RunRow, SubscriptionRow } from './rows.js';
import type { OwedPublication, Plan, RunMessage, RunRecord, RunStatus, RunTarget, Subscription, SubscriptionInput } from './types.js';

/** Another digest of the server already has the name asked for. */
export class NameTakenError extends Error {
  constructor(readonly holder: Subscription) {
    super(`a digest named "${holder.name}" already exists in this server`);
  }
}

function sameSubscription(existing: Subscription, input: SubscriptionInput, settings: string, publish: boolean): boolean {
  return (
    existing.publish === publish &&
    existing.name === input.name &&
    existing.guildId === input.guildId &&
    existing.channelId === input.channelId &&
    existing.kind === input.kind &&
    existing.time === input.time &&
    existing.days.join() === input.days.join() &&
    existing.timezone === input.timezone &&
    existing.mentionRoleId === input.mentionRoleId &&
    JSON.stringify(existing.settings) === settings
  );
}

/** The persistent state: subscriptions, the runs of each slot, the stories each channel received, and eligibility. */
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
   * Creates a subscription, or replaces the one with `id`. Replacing resumes it (an admin setting a digest up means
   * "deliver here") and clears the pause reason, unless `keepPause` (an edit of some settings changes only those). Re-applying identical values to an active subscription changes
   * nothing, so a slot missed while the bot was down is still caught up after the restart. Throws a NameTakenError
   * when another digest of the server already has the name.
   */
  saveSubscription(input: SubscriptionInput, id?: number, keepPause = false): Subscription {
    const settings = JSON.stringify({ ...DEFAULT_DIGEST_SETTINGS, ...input.settings });
    const days = JSON.stringify(input.days);
    const existing = id === undefined ? undefined : this.getSubscription(id);
    if (id !== undefined && !existing) throw new Error(`no subscription ${id}`);
    const publish = input.publish ?? existing?.publish ?? false;
    const taken = this.findSubscriptionByName(input.guildId, input.name);
    if (taken && taken.id !== id) throw new NameTakenError(taken);
    if (existing && (keepPause || !existing.paused) && sameSubscription(existing, input, settings, publish)) return existing;
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
      return this.getSubscription(existing.id)!;
    }
    const inserted = this.statement(
      `INSERT INTO subscriptions (name, guild_id, channel_id, kind, time, days, timezone, settings, mention_role_id, publish, created_at, updated_at)
       VALUES (@name, @guildId, @channelId, @kind, @time, @days, @timezone, @settings, @mentionRoleId, @publish, @now, @now)`,
    ).run(values);
    return this.getSubscription(Number(inserted.lastInsertRowid))!;
  }

  getSubscription(id: number): Subscription | undefined {
    const row = this.statement('SELECT * FROM subscriptions WHERE id = ?').get(id) as SubscriptionRow | undefined;
    return row && toSubscription(row);
  }

  /** The server's digest with this name, case ignored. */
  findSubscriptionByName(guildId: string, name: string): Subscription | undefined {
    const row = this.statement('SELECT * FROM subscriptions WHERE guild_id = ? AND name = ? COLLATE NOCASE').get(guildId, name) as SubscriptionRow | undefined;
    return row && toSubscription(row);
  }

  /** Every subscription, or a server's, or a channel's, oldest first. */
  listSubscriptions(where: { guildId?: string; channelId?: string } = {}): Subscription[] {
    const rows = this.statement(
      `SELECT * FROM subscriptions WHERE (@guildId IS NULL OR guild_id = @guildId) AND (@channelId IS NULL OR channel_id = @channelId)
       ORDER BY created_at, id`,
    ).all({ guildId: where.guildId ?? null, channelId: where.channelId ?? null }) as SubscriptionRow[];
    return rows.map(toSubscription);
  }

  /** Pauses or resumes; false when there is no such subscription. Resuming clears the reason. */
  setPaused(id: number, paused: boolean, reason: string | null = null): boolean {
    const flag = paused ? 1 : 0;
    const result = this.statement(
        `UPDATE subscriptions SET paused = @flag, paused_reason = @reason,
           updated_at = CASE WHEN paused = @flag THEN updated_at ELSE @now END
         WHERE id = @id`,
      )
      .run({ flag, reason: paused ? reason : null, now: this.clock.now().getTime(), id });
    return result.changes > 0;
  }

  /**
   * Deletes the subscription. The stories its channel received stay recorded, so a new digest there does not
   * repeat them, and its runs stay too, so what they posted stays explained.
   */
  removeSubscription(id: number): boolean {
    return this.statement('DELETE FROM subscriptions WHERE id = ?').run(id).changes > 0;
  }

  /** When each story (by URL) became eligible, as recorded; empty until the library was first dated. */
  eligibility(): Map<string, number> {
    const rows = this.statement('SELECT url, eligible_at FROM eligibility').raw().all() as [string, number][];
    return new Map(rows);
  }

  /** Whether the library was ever dated: on the very first start, eligibility is each story's publication time. */
  eligibilityStarted(): boolean {
    return this.statement(`SELECT 1 FROM meta WHERE key = 'eligibility_started'`).pluck().get() !== undefined;
  }

  /**
   * Records stories newly seen published and forgets those no longer published (deleted, or flagged unpublished),
   * in one transaction, so that a story seen again later is eligible again from then.
   */
  updateEligibility(added: ReadonlyMap<string, number>, removed: readonly string[]): void {
    this.db.transaction(() => {
      const insert = this.statement('INSERT INTO eligibility (url, eligible_at) VALUES (?, ?) ON CONFLICT (url) DO UPDATE SET eligible_at = excluded.eligible_at');
      for (const [url, at] of added) insert.run(url, at);
      const remove = this.statement('DELETE FROM eligibility WHERE url = ?');
      for (const url of removed) remove.run(url);
      this.statement(`INSERT INTO meta (key, value) VALUES ('eligibility_started', ?) ON CONFLICT DO NOTHING`).run(String(this.clock.now().getTime()));
    })();
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

  /**
   * When the subscription's latest run before `slot` that considered stories was planned (posted, posting, or found
   * nothing new), or null if none: the run of `slot` takes the stories eligible from then on. Failed and skipped runs
   * posted nothing, so their stories are still owed.
   */
  lastPlannedAt(subscriptionId: number, slot: Date): Date | null {
    const ms = this.statement(`SELECT MAX(created_at) FROM runs WHERE subscription_id = ? AND slot < ? AND status IN ('sending', 'posted', 'empty')`)
      .pluck().get(subscriptionId, slot.getTime()) as number | null;
    return dateOrNull(ms);
  }

  findRun(subscriptionId: number, slot: Date): RunRecord | undefined {
    const row = this.statement('SELECT * FROM runs WHERE subscription_id = ? AND slot = ?').get(subscriptionId, slot.getTime()) as RunRow | undefined;
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
  claimRun(target: RunTarget, slot: Date, plan: () => Plan): RunRecord | undefined {
    return this.db.transaction(() => {
      const runId = this.insertRun(target, slot);
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
  closeSlot(target: RunTarget, slot: Date, status: 'failed' | 'skipped', outcome: string): RunRecord | undefined {
    return this.db.transaction(() => {
      const runId = this.insertRun(target, slot);
      if (runId === undefined) return undefined;
      this.setRunOutcome(runId, status, outcome);
      return this.getRun(runId);
    })();
  }

  // The (subscription, slot) uniqueness is what makes a slot run at most once, whichever process gets there first.
  private insertRun(target: RunTarget, slot: Date): number | undefined {
    const inserted = this.statement(`INSERT INTO runs (subscription_id, channel_id, slot, status, created_at) VALUES (?, ?, ?, 'sending', ?) ON CONFLICT DO NOTHING`)
      .run(target.subscriptionId, target.channelId, slot.getTime(), this.clock.now().getTime());
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

  /**
   * Records one posted message and the stories it carried, in one transaction: both or neither. `publish` marks it
   * owed to the channel's followers in that same transaction, so no crash can forget it.
   */
  recordSent(runId: number, index: number, messageId: string, publish = false): void {
    this.db.transaction(() => {
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
  owedPublications(channelId: string, maxAgeMs: number): OwedPublication[] {
    return this.statement(
      `SELECT m.run_id AS runId, m.idx AS "index", m.message_id AS messageId
       FROM run_messages m JOIN runs r ON r.id = m.run_id JOIN subscriptions s ON s.id = r.subscription_id
       WHERE m.publish_state = 'owed' AND r.channel_id = ? AND m.sent_at >= ? AND s.publish = 1
       ORDER BY m.run_id, m.idx`,
    ).all(channelId, this.clock.now().getTime() - maxAgeMs) as OwedPublication[];
  }

  /** A message owed to the followers was published, or Discord refused it for good. */
  settlePublication(runId: number, index: number, state: 'published' | 'refused'): void {
    this.statement(`UPDATE run_messages SET publish_state = ? WHERE run_id = ? AND idx = ? AND publish_state = 'owed'`).run(state, runId, index);
  }

  /**
   * Sets the run's status and outcome, and shows the outcome as its subscription's last result. A run left
   * `sending` (a transient failure) stays open for the next attempt.
   */
  setRunOutcome(runId: number, status: RunStatus, outcome: string): void {
    this.db.transaction(() => {
      const now = this.clock.now().getTime();
      const run = this.statement(`UPDATE runs SET status = ?, outcome = ?, finished_at = ? WHERE id = ? RETURNING subscription_id`)
        .get(status, outcome, status === 'sending' ? null : now, runId) as { subscription_id: number | null } | undefined;
      if (!run) throw new Error(`no run ${runId}`);
      this.statement('UPDATE subscriptions SET last_run_at = ?, last_result = ? WHERE id = ?').run(now, outcome, run.subscription_id);
    })();
  }
}
