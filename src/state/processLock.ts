// One Newsdesk per database: a second process would answer every command twice and claim the same digest runs.
// The lock is an OS file lock (SQLite's, on `<database>.lock`) held until the process ends, so the kernel releases it
// whenever the holder dies, SIGKILL included: there is never a stale lock to clean up by hand. Its holder's details
// go in a side file, since the locked file cannot be read by the process that is refused.
import fs from 'node:fs';
import os from 'node:os';
import Database from 'better-sqlite3';
import { databaseLabel, describeFailure, ensureFolder, StateFileError } from './open.js';
import type { Logger } from '../log.js';
import type { DatabaseSetting } from './open.js';

interface Holder {
  pid: number;
  host: string;
  startedAt: string;
}

// Held here, not by the caller: a lock whose connection is garbage-collected would be closed, and released, early.
const held: Database.Database[] = [];

function describeHolder(holderFile: string): string {
  try {
    const holder = JSON.parse(fs.readFileSync(holderFile, 'utf8')) as Holder;
    return `another Newsdesk (pid ${holder.pid} on host ${holder.host}, started ${holder.startedAt})`;
  } catch {
    // The holder writes its details just after taking the lock: this start may have fallen in between.
    return `another Newsdesk (its details in ${holderFile} could not be read)`;
  }
}

/** Locks `lockFile` exclusively on a connection that stays open; false if another process holds it. */
function lockExclusively(lockFile: string): Database.Database | false {
  // No wait: the holder keeps the lock for its whole life, so waiting would only delay the refusal.
  const db = new Database(lockFile, { timeout: 0 });
  try {
    // An in-memory journal means taking the lock writes nothing, so it works on a full disk too.
    db.pragma('journal_mode = MEMORY');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    return db;
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return false;
    throw error;
  }
}

/**
 * Takes the lock for the database at `databaseFile` for the rest of this process's life, or throws a StateFileError
 * naming the process that holds it. A later multi-process mode would replace this refusal.
 */
export function holdProcessLock(databaseFile: string, setting: DatabaseSetting, logger: Logger): void {
  const lockFile = `${databaseFile}.lock`;
  const holderFile = `${lockFile}.json`;
  ensureFolder(databaseFile, setting);
  let db: Database.Database | false;
  try {
    db = lockExclusively(lockFile);
  } catch (error) {
    throw describeFailure(error, databaseFile, setting, lockFile);
  }
  if (!db) {
    throw new StateFileError(`Newsdesk cannot start: ${describeHolder(holderFile)} is using ${databaseLabel(databaseFile, setting)}.\n`
      + `Stop that one first, or give this one its own ${setting}: two Newsdesks on one database would both answer every command and post every digest.`);
  }
  held.push(db);
  const holder: Holder = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  // Written whole then renamed, so a refused process never reads half of it.
  const partial = `${holderFile}.${process.pid}`;
  try {
    fs.writeFileSync(partial, `${JSON.stringify(holder)}\n`);
    fs.renameSync(partial, holderFile);
  } catch (error) {
    // The lock holds without the details (a full disk must not stop a bot whose database needs no write to start);
    // a previous holder's details are removed so that a refused process never names the wrong one.
    fs.rmSync(partial, { force: true });
    fs.rmSync(holderFile, { force: true });
    logger.warn({ event: 'state.lock_details_failed', file: holderFile, err: error }, 'could not write who holds the database lock; a second Newsdesk will be refused without naming this one');
  }
}
