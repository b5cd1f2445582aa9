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
  {
    // Several digests per channel: a subscription gets its own id, a name, a kind and the days it runs on, and runs
    // belong to a subscription rather than to a channel (what a channel received stays per channel). Tables whose
    // keys change are rebuilt, children first, because dropping a parent with foreign keys on would cascade.
    // Eligibility records when the bot first saw each story published, so a late file is still digested; `meta`
    // notes whether the first start already dated the library (on that start eligibility is the publication time).
    version: 5,
    sql: `
      CREATE TABLE subscriptions_v5 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'scheduled' CHECK (kind IN ('scheduled', 'live')),
        time TEXT NOT NULL,
        days TEXT NOT NULL DEFAULT '[]',
        timezone TEXT NOT NULL,
        settings TEXT NOT NULL,
        mention_role_id TEXT,
        paused INTEGER NOT NULL DEFAULT 0,
        paused_reason TEXT,
        last_run_at INTEGER,
        last_result TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      INSERT INTO subscriptions_v5 (guild_id, channel_id, name, time, timezone, settings, mention_role_id, paused, paused_reason,
                                    last_run_at, last_result, created_at, updated_at)
        SELECT guild_id, channel_id,
               'Daily' || CASE WHEN n = 1 THEN '' ELSE ' ' || n END,
               time, timezone, settings, mention_role_id, paused, paused_reason, last_run_at, last_result, created_at, updated_at
        FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY guild_id ORDER BY created_at, channel_id) AS n FROM subscriptions)
        ORDER BY created_at, channel_id;
      DROP TABLE subscriptions;
      ALTER TABLE subscriptions_v5 RENAME TO subscriptions;
      CREATE INDEX subscriptions_guild ON subscriptions (guild_id);
      CREATE INDEX subscriptions_channel ON subscriptions (channel_id);
      CREATE UNIQUE INDEX subscriptions_name ON subscriptions (guild_id, name COLLATE NOCASE);

      CREATE TABLE runs_v5 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        subscription_id INTEGER,
        channel_id TEXT NOT NULL,
        slot INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('sending', 'posted', 'empty', 'failed', 'skipped')),
        outcome TEXT,
        created_at INTEGER NOT NULL,
        finished_at INTEGER,
        UNIQUE (subscription_id, slot)
      );
      INSERT INTO runs_v5 (id, subscription_id, channel_id, slot, status, outcome, created_at, finished_at)
        SELECT r.id, (SELECT s.id FROM subscriptions s WHERE s.channel_id = r.channel_id), r.channel_id, r.slot, r.status,
               r.outcome, r.created_at, r.finished_at
        FROM runs r;
      CREATE TABLE run_messages_v5 (
        run_id INTEGER NOT NULL REFERENCES runs_v5 (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        payload TEXT NOT NULL,
        story_urls TEXT NOT NULL,
        message_id TEXT,
        sent_at INTEGER,
        story_count INTEGER NOT NULL DEFAULT 0,
        attempted_at INTEGER,
        PRIMARY KEY (run_id, idx)
      );
      INSERT INTO run_messages_v5 SELECT run_id, idx, payload, story_urls, message_id, sent_at, story_count, attempted_at FROM run_messages;
      DROP TABLE run_messages;
      DROP TABLE runs;
      ALTER TABLE runs_v5 RENAME TO runs;
      ALTER TABLE run_messages_v5 RENAME TO run_messages;
      CREATE INDEX runs_sending ON runs (status) WHERE status = 'sending';
      CREATE INDEX runs_subscription ON runs (subscription_id, created_at);
      CREATE INDEX runs_channel ON runs (channel_id);

      CREATE TABLE eligibility (
        url TEXT PRIMARY KEY,
        eligible_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    // Where a digest is posted: an announcement channel's digest may be published to the servers following it. A
    // message to publish is marked owed in the same transaction that records it as sent, so a crash between the post
    // and its publication can neither forget it nor (publishing being after the record) post it twice.
    version: 6,
    sql: `
      ALTER TABLE subscriptions ADD COLUMN publish INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE run_messages ADD COLUMN publish_state TEXT CHECK (publish_state IN ('owed', 'published', 'refused'));
      CREATE INDEX run_messages_owed ON run_messages (run_id) WHERE publish_state = 'owed';
    `,
  },
  {
    // Past one process: a run is leased to the process sending it (owner, and until when), so that two processes
    // sharing the state never send one run at the same time, and a crashed one's run is taken over once it expires.
    version: 7,
    sql: `
      ALTER TABLE runs ADD COLUMN lease_owner TEXT;
      ALTER TABLE runs ADD COLUMN lease_until INTEGER;
    `,
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
