// The PostgreSQL schema, one step per version, and the upgrade that several processes may start at the same moment.
// It holds what SQLite's migrations reach at version 7, in PostgreSQL's words, and rows of the same shape (times as
// epoch milliseconds, JSON as text, flags as 0/1), so that src/state/rows.ts reads both.
import type pg from 'pg';

/** A step is never edited once released: a database in the field may sit at any version. */
const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE subscriptions (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        guild_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'scheduled' CHECK (kind IN ('scheduled', 'live')),
        time TEXT NOT NULL,
        days TEXT NOT NULL DEFAULT '[]',
        timezone TEXT NOT NULL,
        settings TEXT NOT NULL,
        mention_role_id TEXT,
        publish SMALLINT NOT NULL DEFAULT 0 CHECK (publish IN (0, 1)),
        paused SMALLINT NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
        paused_reason TEXT,
        last_run_at BIGINT,
        last_result TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX subscriptions_guild ON subscriptions (guild_id);
      CREATE INDEX subscriptions_channel ON subscriptions (channel_id);
      -- SQLite's NOCASE: a server's digest names are unique with case ignored.
      CREATE UNIQUE INDEX subscriptions_name ON subscriptions (guild_id, lower(name));

      CREATE TABLE runs (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        subscription_id BIGINT,
        channel_id TEXT NOT NULL,
        slot BIGINT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('sending', 'posted', 'empty', 'failed', 'skipped')),
        outcome TEXT,
        created_at BIGINT NOT NULL,
        finished_at BIGINT,
        lease_owner TEXT,
        lease_until BIGINT,
        UNIQUE (subscription_id, slot)
      );
      CREATE INDEX runs_sending ON runs (slot, id) WHERE status = 'sending';
      CREATE INDEX runs_subscription ON runs (subscription_id, created_at);
      CREATE INDEX runs_channel ON runs (channel_id);

      CREATE TABLE run_messages (
        run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        payload TEXT NOT NULL,
        story_urls TEXT NOT NULL,
        story_count INTEGER NOT NULL DEFAULT 0,
        message_id TEXT,
        sent_at BIGINT,
        attempted_at BIGINT,
        publish_state TEXT CHECK (publish_state IN ('owed', 'published', 'refused')),
        PRIMARY KEY (run_id, idx)
      );
      CREATE INDEX run_messages_owed ON run_messages (run_id) WHERE publish_state = 'owed';

      CREATE TABLE deliveries (
        channel_id TEXT NOT NULL,
        url TEXT NOT NULL,
        message_id TEXT NOT NULL,
        delivered_at BIGINT NOT NULL,
        run_id BIGINT
      );
      CREATE INDEX deliveries_channel ON deliveries (channel_id, delivered_at);

      CREATE TABLE eligibility (
        url TEXT PRIMARY KEY,
        eligible_at BIGINT NOT NULL
      );
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
];

export const POSTGRES_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

// Any constant will do, as long as it is always the same: every process upgrading a database waits on this lock.
const MIGRATION_LOCK = 7_349_113_027;

/** Why a database cannot be used as it is: what is wrong with it, and the fix. */
export class SchemaRefusal extends Error {
  constructor(readonly problem: string, readonly fix: string) {
    super(problem);
  }
}

/**
 * Brings the database up to the latest version, each step in its own transaction under a transaction-scoped advisory
 * lock, so that processes starting together apply each step once (the others wait, then find it done) and a crash
 * mid-step leaves the previous version. Returns the versions this call applied. A database newer than this code, or
 * one holding another program's tables, is refused before anything is written.
 */
export async function migratePostgres(client: pg.ClientBase): Promise<number[]> {
  const applied: number[] = [];
  for (;;) {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const current = await schemaVersion(client);
      if (current > POSTGRES_SCHEMA_VERSION) {
        throw new SchemaRefusal(
          `was written by a newer Newsdesk: its schema version ${current} is newer than this Newsdesk (which reads up to ${POSTGRES_SCHEMA_VERSION})`,
          'Update Newsdesk, or point DATABASE_URL at another database. Newsdesk did not change it.',
        );
      }
      const next = MIGRATIONS.find((step) => step.version > current);
      if (!next) {
        await client.query('COMMIT');
        return applied;
      }
      await client.query(next.sql);
      await client.query('UPDATE newsdesk_schema SET version = $1', [next.version]);
      await client.query('COMMIT');
      applied.push(next.version);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}

/** The version reached, creating the table that holds it on a database Newsdesk never used (0 then). */
async function schemaVersion(client: pg.ClientBase): Promise<number> {
  const present = await client.query(`SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'newsdesk_schema'`);
  if (present.rowCount) {
    const known = await client.query<{ version: number }>('SELECT version FROM newsdesk_schema');
    return known.rows[0]?.version ?? 0;
  }
  // A version table missing but our tables there: another program's (or a half-removed) database, not to be touched.
  const foreign = await client.query(`SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename IN ('subscriptions', 'runs')`);
  if (foreign.rowCount) {
    throw new SchemaRefusal('holds tables named like Newsdesk\'s (subscriptions, runs) that Newsdesk did not make',
      'Point DATABASE_URL at a database of its own for Newsdesk. Newsdesk did not change this one.');
  }
  await client.query('CREATE TABLE newsdesk_schema (version INTEGER NOT NULL)');
  await client.query('INSERT INTO newsdesk_schema (version) VALUES (0)');
  return 0;
}
