import type Database from 'better-sqlite3';

/**
 * The schema, one step per version. A step is never edited once released: a database in the field may sit at any
 * version, and `migrate` replays only the steps it has not seen. SQLite's `user_version` holds the version reached.
 * Times are stored as epoch milliseconds (INTEGER), settings and plans as JSON text.
 */
const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    // First release: subscriptions and the stories each channel received.
    version: 1,
    sql: `
      CREATE TABLE subscriptions (
        channel_id TEXT PRIMARY KEY,
        guild_id TEXT NOT NULL,
        time TEXT NOT NULL,
        timezone TEXT NOT NULL,
        settings TEXT NOT NULL,
        paused INTEGER NOT NULL DEFAULT 0,
        last_run_at INTEGER,
        last_result TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX subscriptions_guild ON subscriptions (guild_id);
      CREATE TABLE deliveries (
        channel_id TEXT NOT NULL,
        url TEXT NOT NULL,
        message_id TEXT NOT NULL,
        delivered_at INTEGER NOT NULL
      );
      CREATE INDEX deliveries_channel ON deliveries (channel_id, delivered_at);
    `,
  },
  {
    // Exactly-once delivery: a run per (channel, slot) holding its planned messages, and why a subscription paused.
    version: 2,
    sql: `
      ALTER TABLE subscriptions ADD COLUMN mention_role_id TEXT;
      ALTER TABLE subscriptions ADD COLUMN paused_reason TEXT;
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        channel_id TEXT NOT NULL,
        slot INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('sending', 'posted', 'empty', 'failed', 'skipped')),
        outcome TEXT,
        created_at INTEGER NOT NULL,
        finished_at INTEGER,
        UNIQUE (channel_id, slot)
      );
      CREATE INDEX runs_sending ON runs (status) WHERE status = 'sending';
      CREATE TABLE run_messages (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        payload TEXT NOT NULL,
        story_urls TEXT NOT NULL,
        message_id TEXT,
        sent_at INTEGER,
        PRIMARY KEY (run_id, idx)
      );
      ALTER TABLE deliveries ADD COLUMN run_id INTEGER;
    `,
  },
  {
    // A message's story count, so a run's outcome says how many stories it posted (its URLs include related coverage).
    version: 3,
    sql: `ALTER TABLE run_messages ADD COLUMN story_count INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    // When a message was first handed to Discord: a message attempted but never recorded may have been posted (a
    // crash, a full disk, an answer lost), so it is looked for in the channel before it is ever sent again.
    version: 4,
    sql: `ALTER TABLE run_messages ADD COLUMN attempted_at INTEGER;`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings the database up to `target` (the latest by default), each step in its own transaction so that a crash
 * mid-upgrade leaves the database at the previous version, never half-way. Returns the versions applied.
 */
export function migrate(db: Database.Database, target = SCHEMA_VERSION): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`the database is at schema version ${current}, newer than this Newsdesk (${SCHEMA_VERSION}): update Newsdesk`);
  }
  const applied: number[] = [];
  for (const step of MIGRATIONS) {
    if (step.version <= current || step.version > target) continue;
    db.transaction(() => {
      db.exec(step.sql);
      db.pragma(`user_version = ${step.version}`);
    })();
    applied.push(step.version);
  }
  return applied;
}
