// Live updates: the content folder's watcher, its batches of changed files taken in one at a time and in order,
// each changed file read again while it may still be half-written, and the restart caches saved after a quiet spell.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import type { FileRead } from './corpus.js';
import type { FileStamp } from './files.js';
import type { NormalizeResult } from './normalize.js';
import { parseFiles } from './read-files.js';
import { TimeSlices } from './steps.js';
import { watchContent, type ContentWatcher } from './watcher.js';

// A file that fails to parse right after a change may still be being written: read it again before giving up.
const RETRY_DELAYS_MS = [150, 300, 600];
// How long parsing changed files may hold the event loop before it lets other work run.
const SLICE_MS = 20;
// Live changes are written to the caches after a quiet spell, not on every save.
const CACHE_SAVE_DELAY_MS = 5000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What live updates ask of the library. */
export interface LiveUpdateHooks {
  /** Every article file known now: a removed folder stands for those of them under it. */
  known(): Iterable<string>;
  /** Takes in one batch of changed files (paths relative to the content folder). */
  apply(files: Set<string>): Promise<void>;
  /** Writes the restart caches. */
  save(): Promise<void>;
}

export class LiveUpdates {
  private watcher: ContentWatcher | null = null;
  private updates: Promise<void> = Promise.resolve();
  private saveTimer: NodeJS.Timeout | undefined;
  /** The save under way, if any: close() waits for it, as the process exits next. */
  private saving: Promise<void> = Promise.resolve();
  /**
   * Parsing changed files lets other work run once it has held the event loop for a slice: the files of a batch
   * are read together, and their parses, each begun as its file's details came back, ran back to back (100-170 ms
   * for a batch of 100 files at 50,000 articles).
   */
  private readonly slices = new TimeSlices(SLICE_MS);

  constructor(private readonly contentDir: string, private readonly logger: Logger, private readonly hooks: LiveUpdateHooks) {}

  /** Starts watching the content folder; resolves once every folder is watched. */
  async watch(): Promise<void> {
    this.watcher = await watchContent(this.contentDir, (paths) => this.enqueue(paths), (error) => {
      this.logger.warn({ event: 'articles.watch_error', problem: error.message, path: (error as NodeJS.ErrnoException).path }, 'content folder watch error');
    });
  }

  /** What each of `files` holds now, in the order given. */
  async read(files: Set<string>): Promise<Map<string, FileRead>> {
    // Read together: each broken file is retried for about a second in case it was half-written, and one at a
    // time a batch of a few hundred would hold every later change back for minutes.
    const paths = [...files];
    const read = await Promise.all(paths.map((file) => this.readOne(file)));
    return new Map(paths.map((file, i) => [file, read[i]!]));
  }

  /** Writes the caches once changes have been quiet for a while. */
  saveSoon(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.saving = this.hooks.save();
    }, CACHE_SAVE_DELAY_MS);
    this.saveTimer.unref();
  }

  /** Stops watching, lets the batches already queued finish, and writes a save still pending or lets one under way end. */
  async close(): Promise<void> {
    await this.watcher?.close();
    this.watcher = null;
    await this.updates;
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      this.saving = this.hooks.save();
    }
    await this.saving;
  }

  /** Live updates run one batch at a time, in order. */
  private enqueue(paths: Set<string>): void {
    const files = new Set<string>();
    for (const p of paths) {
      if (!p.endsWith('/')) files.add(p);
      else for (const known of this.hooks.known()) if (known.startsWith(p)) files.add(known);
    }
    this.updates = this.updates.then(() => this.hooks.apply(files)).catch((error: unknown) => {
      this.logger.error({ event: 'articles.update_failed', err: error }, 'live update failed');
    });
  }

  /** The file's parse now; null when it is gone, 'folder' when a folder stands at its path. */
  private async readOne(file: string): Promise<FileRead> {
    const full = path.join(this.contentDir, file);
    for (let attempt = 0; ; attempt++) {
      let stamp: FileStamp;
      let result: NormalizeResult;
      try {
        const stat = await fs.stat(full);
        if (stat.isDirectory()) return 'folder';
        stamp = { size: stat.size, mtimeMs: stat.mtimeMs };
        // A FIFO or device would block the read (and every update queued behind it) forever: never open one.
        if (stat.isFile()) await this.slices.turn();
        result = stat.isFile() ? (await parseFiles(this.contentDir, [file], new Map([[file, stamp]]))).get(file)! : { ok: false, reason: 'unreadable: not a regular file' };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return null; // gone
        // Present but unreachable (a symlink loop, no permission): reported like any other bad file.
        stamp = { size: 0, mtimeMs: 0 };
        result = { ok: false, reason: `unreadable: ${(error as Error).message}` };
      }
      if (result.ok || attempt === RETRY_DELAYS_MS.length) return { stamp, result };
      await sleep(RETRY_DELAYS_MS[attempt]!);
    }
  }
}
