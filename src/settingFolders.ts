// CONTENT_DIR and DATA_DIR checked on disk, so that a folder Newsdesk cannot use stops start-up with one line naming
// the setting, the folder, what the file system said and the fix, rather than a raw EACCES from deep inside, or a
// start that never ends (see makeFolder). Each function returns that line, or undefined when the folder is fine.
import fs from 'node:fs';
import path from 'node:path';
import { makeFolder } from './util/makeFolder.js';

/** Why the file system refused, in words, and what to change, by error code. */
function refusal(setting: string, error: unknown, access: 'read' | 'write'): { why: string; fix: string } {
  const code = String((error as NodeJS.ErrnoException).code ?? '');
  const elsewhere = `point ${setting} at another folder`;
  if (code === 'EACCES' || code === 'EPERM') {
    return { why: 'permission denied', fix: `let the user running Newsdesk ${access === 'read' ? 'read it and the folders in it' : 'write in it'} (chown or chmod), or ${elsewhere}` };
  }
  if (code === 'EROFS') return { why: 'its disk is read-only', fix: `${elsewhere}, on a writable disk` };
  if (code === 'ENOSPC') return { why: 'its disk is full', fix: `free some space on that disk, or ${elsewhere}` };
  if (code === 'ENOTDIR' || code === 'EEXIST') return { why: 'a part of its path is a file, not a folder', fix: `move that file away, or ${elsewhere}` };
  // procfs and sysfs answer ENOENT to a new folder even though its parent exists.
  if (code === 'ENOENT') return { why: 'that file system does not allow new folders', fix: `${elsewhere}, on an ordinary disk` };
  return { why: 'the file system refused', fix: elsewhere };
}

const detail = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The line for an article folder the file system would not let Newsdesk read. */
function unreadable(setting: string, dir: string, error: unknown): string {
  const { why, fix } = refusal(setting, error, 'read');
  return `${setting} folder ${dir} cannot be read: ${why} (${detail(error)}): ${fix}`;
}

/** A problem with the article folder (named by `setting`, or the option that gave it): missing, a file, or unreadable. Reads only. */
export function contentFolderProblem(dir: string, setting = 'CONTENT_DIR'): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return `${setting} folder ${dir} does not exist: create it or point ${setting} at your articles`;
    return unreadable(setting, dir, error);
  }
  if (!stat.isDirectory()) return `${setting} ${dir} is a file, not a folder: point ${setting} at the folder that holds your article files`;
  try {
    // Opening the listing is what a missing read or search permission refuses; the first entry is enough.
    const listing = fs.opendirSync(dir);
    try {
      listing.readSync();
    } finally {
      listing.closeSync();
    }
  } catch (error) {
    return unreadable(setting, dir, error);
  }
  return undefined;
}

/**
 * The line for a load that failed because a folder inside CONTENT_DIR may not be listed (the check above sees only
 * the top); undefined for any other failure, which this cannot explain.
 */
export function contentReadProblem(dir: string, error: unknown): string | undefined {
  const { code, path: where } = (error ?? {}) as NodeJS.ErrnoException;
  if ((code !== 'EACCES' && code !== 'EPERM') || typeof where !== 'string' || path.relative(dir, where).startsWith('..')) return undefined;
  return unreadable('CONTENT_DIR', dir, error);
}

/**
 * Creates the data folder if it is missing and proves Newsdesk can write in it, with an empty file created and
 * removed again: only a real write tells a read-only disk, a folder owned by another user, or procfs, from a folder
 * that works, whoever Newsdesk runs as.
 */
export function prepareDataFolder(dir: string): string | undefined {
  const stage = (error: unknown, action: 'created' | 'written') => {
    const { why, fix } = refusal('DATA_DIR', error, 'write');
    return `DATA_DIR folder ${dir} cannot be ${action}: ${why} (${detail(error)}). Newsdesk keeps its database and caches there: ${fix}`;
  };
  try {
    makeFolder(dir);
  } catch (error) {
    return stage(error, 'created');
  }
  if (!fs.statSync(dir).isDirectory()) return `DATA_DIR ${dir} is a file, not a folder: point DATA_DIR at a folder (Newsdesk keeps its database and caches there), or move the file away`;
  const probe = path.join(dir, `.newsdesk-write-check-${process.pid}`);
  try {
    fs.closeSync(fs.openSync(probe, 'wx'));
    fs.rmSync(probe);
  } catch (error) {
    return stage(error, 'written');
  }
  return undefined;
}
