// A fresh, empty PostgreSQL database per test, on the server named by NEWSDESK_TEST_DATABASE_URL (an admin URL;
// .ci/run starts a throwaway server and sets it). Without it the test is skipped, saying so: never a silent pass.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const ADMIN_URL_SETTING = 'NEWSDESK_TEST_DATABASE_URL';

/** What a test needs of node:test's context here. */
interface TestContextLike {
  name: string;
  skip(message?: string): void;
  after(fn: () => Promise<void>): void;
}

let skipNoted = false;

/** The URL of `url`'s server with another database at its end. */
export function withDatabase(url: string, database: string): string {
  const other = new URL(url);
  other.pathname = `/${database}`;
  return other.toString();
}

/**
 * A new empty database (nd_test_<random>), dropped when the test ends, or undefined with the test marked skipped
 * when no server was given. A server that was given but cannot be used fails the test: someone meant it to run.
 */
export async function postgresDatabase(t: TestContextLike): Promise<string | undefined> {
  const admin = process.env[ADMIN_URL_SETTING];
  if (!admin) {
    const reason = `PostgreSQL not available: ${ADMIN_URL_SETTING} is not set (.ci/run starts a server and sets it)`;
    if (!skipNoted) console.log(`# ${reason}; the PostgreSQL tests are skipped`);
    skipNoted = true;
    t.skip(reason);
    return undefined;
  }
  const database = `nd_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(admin, `CREATE DATABASE ${database}`);
  t.after(() => adminQuery(admin, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  return withDatabase(admin, database);
}

/** Runs one statement (CREATE or DROP DATABASE) on the server of `admin`, in a connection of its own. */
export async function adminQuery(admin: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
