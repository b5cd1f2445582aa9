// The two StateStore implementations as tests open them: SQLite (a temp file) and PostgreSQL (a fresh database on
// NEWSDESK_TEST_DATABASE_URL's server, the test skipped with the reason when there is none). Several stores with
// different lease owners on one database stand for several processes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import type { TestContext } from 'node:test';
import { createLogger } from '../../src/log.js';
import { PostgresStore } from '../../src/state/postgres/postgresStore.js';
import { SqliteStore } from '../../src/state/sqliteStore.js';
import type { StateStore } from '../../src/state/stateStore.js';
import type { Clock } from '../../src/util/clock.js';
import { postgresDatabase } from './postgres.js';

const logger = createLogger('silent');
export const LEASE_MS = 30_000;

/** Stores on one new database, one per owner, sharing `clock`, closed when the test ends; undefined when it was skipped. */
export type OpenStores = (t: TestContext, clock: Clock, owners: string[]) => Promise<StateStore[] | undefined>;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-stores-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** A list of stores closed when the test ends, before the database is dropped (hooks run in the order they were added). */
function closedAfter(t: TestContext): StateStore[] {
  const stores: StateStore[] = [];
  t.after(async () => {
    for (const store of stores) await store.close();
  });
  return stores;
}

export const storeBackends: { name: string; open: OpenStores }[] = [
  {
    name: 'SQLite',
    open: async (t, clock, owners) => {
      const file = path.join(dir, `db-${++files}.sqlite`);
      const stores = closedAfter(t);
      for (const owner of owners) stores.push(SqliteStore.open(file, { logger, clock, lease: { owner, leaseMs: LEASE_MS } }));
      return stores;
    },
  },
  {
    name: 'PostgreSQL',
    open: async (t, clock, owners) => {
      const stores = closedAfter(t);
      const url = await postgresDatabase(t);
      if (!url) return undefined;
      for (const owner of owners) stores.push(await PostgresStore.connect(url, { logger, clock, lease: { owner, leaseMs: LEASE_MS } }));
      return stores;
    },
  },
];
