// The connections to PostgreSQL: a pool that survives its server going away (a lost connection fails the operation
// that was using it, never the process, and the next operation connects afresh), and transactions over it.
import pg from 'pg';
import type { Logger } from '../../log.js';

/** How long an operation may wait for the server before it fails (and the caller retries later). */
export interface PostgresTimeouts {
  /** Opening a connection. */
  connectMs: number;
  /** One statement's answer: a server that stopped answering without closing the connection fails it. */
  queryMs: number;
}

export const DEFAULT_TIMEOUTS: PostgresTimeouts = { connectMs: 5_000, queryMs: 15_000 };

// Times and ids are BIGINT: read as numbers (epoch milliseconds and row ids stay far below 2^53), as SQLite gives them.
const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function createPool(url: string, timeouts: PostgresTimeouts, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    types,
    max: 8,
    // Kept open across the half minute between planning digests ahead and their slot (pg closes idle connections after
    // 10 s), so the slot's first posts do not wait for the pool's connections to be opened again.
    idleTimeoutMillis: 90_000,
    connectionTimeoutMillis: timeouts.connectMs,
    query_timeout: timeouts.queryMs,
    keepAlive: true,
    application_name: 'newsdesk',
  });
  // An idle connection whose server went away (a restart, a network cut) is reported here; unheard, it would be an
  // uncaught 'error' and end the process. The pool drops it; the next operation opens a new one.
  pool.on('error', (error) => logger.warn({ event: 'state.connection_lost', err: error.message }, 'a PostgreSQL connection was lost'));
  // A connection in use fails the statement it is running; this keeps one that fails between two statements from
  // being an uncaught 'error' too. The statement that follows fails, and the connection is discarded then.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** A pool, or one of its connections (in a transaction). */
export type Db = pg.Pool | pg.PoolClient;

/** The rows `sql` answers. */
export async function queryRows<T extends pg.QueryResultRow>(db: Db, sql: string, values: unknown[] = []): Promise<T[]> {
  return (await db.query<T>(sql, values)).rows;
}

/**
 * Runs `work` in a transaction on one connection: committed if it returns, rolled back if it throws. A connection
 * that cannot roll back, or whose statement timed out (it is still busy with it), is discarded rather than returned
 * to the pool; closing it rolls back on the server.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let discard: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    const timedOut = error instanceof Error && error.message === 'Query read timeout';
    discard = timedOut ? error : await client.query('ROLLBACK').then(() => undefined, (rollbackError: Error) => rollbackError);
    throw error;
  } finally {
    client.release(discard);
  }
}
