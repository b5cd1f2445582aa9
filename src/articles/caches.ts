// Where the library's restart caches live, and what happens when one cannot be used: they only make restarts
// faster, so a cache that is corrupt is rebuilt and one that cannot be read or written where it is gets one warn
// line, and the library carries on without it.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Logger } from '../log.js';
import { CacheError, cacheFault } from './cache-file.js';

export type CacheKind = 'parse' | 'search index';

export class RestartCaches {
  /** Cache problems already logged (see fault). */
  private readonly faults = new Set<string>();

  /** `dir`: where the caches live (the app passes DATA_DIR/cache); null: no cache. */
  constructor(private readonly dir: string | null, private readonly logger: Logger) {}

  /** The path of the cache file `name`, or null when the library runs without caches. */
  file(name: string): string | null {
    return this.dir ? path.join(this.dir, name) : null;
  }

  /**
   * What `read` gets from a restart cache, or `fallback` when the cache cannot be used: logged, and rebuilt when it
   * is corrupt, or reported as a fault when it cannot be read where it is.
   */
  async read<T>(file: string, kind: CacheKind, read: () => T | Promise<T>, fallback: T): Promise<T> {
    try {
      return await read();
    } catch (error) {
      this.notUsed(file, kind, error);
      return fallback;
    }
  }

  /** Logs why the cache `file` could not be used: rebuilt when it is corrupt, a fault when it cannot be read where it is. */
  notUsed(file: string, kind: CacheKind, error: unknown): void {
    if (!(error instanceof CacheError)) return this.fault(file, error);
    const event = kind === 'parse' ? 'articles.cache_rebuilt' : 'articles.index_cache_rebuilt';
    this.logger.warn({ event, cache: file, problem: error.message }, `${kind} cache ignored and rebuilt`);
  }

  /**
   * One warn line per cache problem (a folder where a cache file should be, a file where the cache folder should be,
   * a full disk), naming the path and the fix, however often it is met: the caches are disposable, so the library
   * carries on without them, and never deletes what stands in their way.
   */
  fault(file: string, error: unknown): void {
    const fault = cacheFault(file, error);
    const key = `${fault.cache}\u0000${fault.problem}`;
    if (this.faults.has(key)) return;
    this.faults.add(key);
    this.logger.warn({ event: 'articles.cache_unusable', ...fault }, 'cache unusable: running without it');
  }
}

/**
 * Where the restart caches of `contentDir` live under DATA_DIR: `cache`, the bot's, for its own CONTENT_DIR, and
 * for any other folder (a preview of it) a folder of its own beside, so that previewing it never replaces the
 * bot's caches with another folder's. Caches are disposable: any of these folders may be deleted.
 */
export function cacheFolder(dataDir: string, contentDir: string, botContentDir: string): string {
  const caches = path.join(dataDir, 'cache');
  if (path.resolve(contentDir) === path.resolve(botContentDir)) return caches;
  return path.join(caches, `folder-${createHash('sha1').update(path.resolve(contentDir)).digest('hex').slice(0, 12)}`);
}
