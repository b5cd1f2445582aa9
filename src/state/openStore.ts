// The one place that decides where the state lives: PostgreSQL when DATABASE_URL is set (shared by every process
// pointed at it), else the SQLite file at DATABASE_PATH (one machine, the default).
import type { Logger } from '../log.js';
import type { Clock } from '../util/clock.js';
import type { DatabaseSetting } from './open.js';
import { PostgresStore } from './postgres/postgresStore.js';
import { SqliteStore } from './sqliteStore.js';
import type { LeaseOptions, StateStore } from './stateStore.js';

export interface OpenStoreOptions {
  /** DATABASE_URL. Anything set here means PostgreSQL: a value that is not a PostgreSQL URL is refused by name. */
  databaseUrl?: string | undefined;
  databasePath: string;
  databaseSetting: DatabaseSetting;
  logger: Logger;
  clock?: Clock;
  lease?: Partial<LeaseOptions>;
  /** SQLite only: this process holds the file's lock, so the runs a crashed predecessor leased are its own at once. */
  soleProcess?: boolean;
}

/**
 * Opens the state. A DATABASE_URL that is not a PostgreSQL URL is refused rather than quietly replaced by the
 * SQLite file: the operator who set it meant the state to be shared, and a process on a file of its own would send
 * digests the others also send.
 */
export async function openStore(options: OpenStoreOptions): Promise<StateStore> {
  const { databaseUrl, logger, clock, lease } = options;
  if (databaseUrl) return PostgresStore.connect(databaseUrl, { logger, clock, lease });
  return SqliteStore.open(options.databasePath, { logger, clock, lease, setting: options.databaseSetting, soleProcess: options.soleProcess });
}
