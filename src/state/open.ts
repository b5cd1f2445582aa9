// Opening the state database so that every way it can fail at start-up is one message naming the file, the setting
// that chose it and the fix (main.ts prints it and exits 2), and so that a failed start never changes what the user
// had: a foreign, damaged, empty or newer file is refused before anything is written to it.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { makeFolder } from '../util/makeFolder.js';
import { migrate, SCHEMA_VERSION } from './migrations.js';

/** The setting a database path came from: named in every message, since it is what the operator changes. */
export type DatabaseSetting = 'DATABASE_PATH' | 'DATA_DIR';

/** A state file Newsdesk must not or cannot use; its message is complete and meant for the operator as is. */
export class StateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateFileError';
  }
}

const SQLITE_SIDE_FILES = ['-wal', '-shm', '-journal'];

/** "the database … (DATABASE_PATH)": where the file is and which setting put it there. */
export function databaseLabel(file: string, setting: DatabaseSetting): string {
  return `the database ${file} (${setting === 'DATABASE_PATH' ? 'set by DATABASE_PATH' : 'in DATA_DIR'})`;
}

/** How to point Newsdesk elsewhere, worded for the setting in use. */
function elsewhere(setting: DatabaseSetting): string {
  return setting === 'DATABASE_PATH' ? 'set DATABASE_PATH to another file' : 'set DATA_DIR to another folder (or DATABASE_PATH to a file)';
}

/** A refusal: the problem with the file, then the fix. */
export function refusal(file: string, setting: DatabaseSetting, problem: string, fix: string): StateFileError {
  return new StateFileError(`Newsdesk cannot start: ${databaseLabel(file, setting)} ${problem}.\n${fix}`);
}

/**
 * Names a file-system or SQLite failure met while opening `file` (or `touched`, a file beside it such as its lock).
 * SQLite reports most of these with a bare code, so the code decides the wording.
 */
export function describeFailure(error: unknown, file: string, setting: DatabaseSetting, touched = file): StateFileError {
  if (error instanceof StateFileError) return error;
  const code = String((error as { code?: unknown }).code ?? '');
  const message = error instanceof Error ? error.message : String(error);
  const detail = touched === file ? message : `${message}, on ${touched}`;
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') {
    return refusal(file, setting, `cannot be written: its disk is full (${detail})`, `Free some space on that disk, or ${elsewhere(setting)}, then start again.`);
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return refusal(file, setting, `is not a Newsdesk database: it is not SQLite, or it is damaged (${detail})`,
      `Newsdesk did not change it. Move it away (a new database is then created) or restore a backup, or ${elsewhere(setting)}.`);
  }
  if (code === 'EEXIST' || code === 'ENOTDIR') {
    return refusal(file, setting, `cannot be created: a part of its folder ${path.dirname(file)} is a file, not a folder`,
      `Move that file away, or ${elsewhere(setting)}.`);
  }
  if (/^(E(ACCES|PERM|ROFS|NOENT)|SQLITE_(CANTOPEN|READONLY|PERM|AUTH))/.test(code)) {
    return refusal(file, setting, `cannot be created or opened there (${detail})`,
      `Let Newsdesk write to the folder ${path.dirname(file)}, or ${elsewhere(setting)}.`);
  }
  return refusal(file, setting, `could not be opened (${detail})`, `Check the file and its folder, or ${elsewhere(setting)}.`);
}

/** Creates the file's folder if needed, naming the file and setting if it cannot. */
export function ensureFolder(file: string, setting: DatabaseSetting): void {
  try {
    makeFolder(path.dirname(file));
  } catch (error) {
    throw describeFailure(error, file, setting);
  }
}

/** Refuses what is there before SQLite sees it: a folder, or an empty file SQLite would quietly make a new database of. */
function checkExisting(file: string, setting: DatabaseSetting): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw describeFailure(error, file, setting);
  }
  if (stat.isDirectory()) {
    throw refusal(file, setting, 'is a folder, not a file', `Point ${setting} at a file instead (such as ${path.join(file, 'newsdesk.sqlite')}), or move the folder away.`);
  }
  if (stat.size === 0) {
    // Something truncated it, or a start was cut short before the first write: either way it holds nothing to keep.
    throw refusal(file, setting, 'is empty (0 bytes): it holds no subscriptions or history', 'Delete it to start afresh with a new database, or restore a backup. Newsdesk did not change it.');
  }
}

/** Refuses an SQLite file that is not Newsdesk's, or is Newsdesk's from a newer version; reads only. */
function checkSchema(db: Database.Database, file: string, setting: DatabaseSetting): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw refusal(file, setting, `was written by a newer Newsdesk: its schema version ${version} is newer than this Newsdesk (which reads up to ${SCHEMA_VERSION})`,
      `Update Newsdesk, or restore a backup from before the upgrade, or ${elsewhere(setting)}. Newsdesk did not change it.`);
  }
  // Every Newsdesk migration sets user_version with its tables, so tables at version 0 belong to something else.
  const tables = db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").pluck().get() as number;
  if (version === 0 && tables > 0) {
    throw refusal(file, setting, 'is an SQLite database of another program, not Newsdesk\'s', `Newsdesk did not change it. Move it away (a new database is then created), or ${elsewhere(setting)}.`);
  }
}

/**
 * Opens (creating if there is none) the state database at `file`, checked and migrated. Files this call created are
 * removed again if it fails, so a half-made database (a full disk, say) cannot be mistaken for an empty one next time;
 * anything that was already there is left exactly as it was.
 */
export function openDatabase(given: string, setting: DatabaseSetting): { db: Database.Database; migrationsApplied: number[] } {
  const inMemory = given === ':memory:';
  const file = inMemory ? given : path.resolve(given);
  if (!inMemory) {
    checkExisting(file, setting);
    ensureFolder(file, setting);
  }
  // Only a brand-new database is removed: an existing one's -wal may hold committed data a failed close left there.
  const ours = inMemory || fs.existsSync(file) ? [] : [file, ...SQLITE_SIDE_FILES.map((suffix) => file + suffix)].filter((f) => !fs.existsSync(f));
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    if (!inMemory) checkSchema(db, file, setting);
    // WAL lets readers (commands) proceed while a digest is being recorded; the busy timeout rides out a writer.
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    return { db, migrationsApplied: migrate(db) };
  } catch (error) {
    db?.close();
    for (const created of ours) fs.rmSync(created, { force: true });
    throw describeFailure(error, file, setting);
  }
}
