// The restart cache of the search index: building it dominates a warm start, so the built index is kept on disk
// with, for each slot, the key of the file version it indexed. On restart the cached index is patched where files
// changed. Read, placed and written by the index's worker thread (index-jobs.ts).
import { CacheError, readCacheFile, writeCacheFile } from './cache-file.js';
import { PARSE_CACHE_VERSION } from './parse-cache.js';
import { isFrozenIndex, type FrozenIndex } from './frozen-index.js';

// The normalisation rules shape the indexed words: a new version of them makes every cached index stale.
const FORMAT = `newsdesk-index/2/articles-${PARSE_CACHE_VERSION}`;

/** Slot key: the article id, then what identifies the file version its text came from. */
export function slotKey(id: string, sourcePath: string, size: number, mtimeMs: number): string {
  return `${id}\t${sourcePath}\t${size}\t${mtimeMs}`;
}

/** An index with the key of every slot (null: a tombstone). */
export interface CachedIndex { keys: (string | null)[]; index: FrozenIndex }

interface IndexCacheFile extends CachedIndex { format: string }

/** The cached index; null when there is none or it has another format; a CacheError when corrupt. */
export function readIndexCache(file: string): CachedIndex | null {
  const data = readCacheFile(file) as IndexCacheFile | null;
  if (data === null || data.format !== FORMAT) return null;
  const keys = Array.isArray(data.keys) && data.keys.every((k) => k === null || (typeof k === 'string' && k.includes('\t')));
  if (!keys || !isFrozenIndex(data.index) || data.index.slots !== data.keys.length) throw new CacheError('malformed');
  return { keys: data.keys, index: data.index };
}

export async function writeIndexCache(file: string, cached: CachedIndex): Promise<void> {
  const data: IndexCacheFile = { format: FORMAT, ...cached };
  await writeCacheFile(file, data);
}

/**
 * Where the articles of the cached slots are now: for each slot, the position in `current` (the keys of the
 * articles as they are) of the same file version, or -1 (a tombstone: its terms stay in the index, no article owns
 * them). An article without a slot, or changed since, is indexed anew.
 */
export function placeSlots(cachedKeys: readonly (string | null)[], current: readonly (string | null)[]): Int32Array {
  const positions = new Map<string, number>();
  current.forEach((key, position) => {
    if (key !== null) positions.set(key, position);
  });
  return Int32Array.from(cachedKeys, (key) => {
    const position = key === null ? undefined : positions.get(key);
    if (position === undefined) return -1;
    positions.delete(key!); // one slot per article
    return position;
  });
}

// Tombstones are worth a rebuild beyond this share of the slots, or this many: each costs its postings' memory
// until then, and the search asks for one more candidate per tombstone.
const TOMBSTONE_SHARE = 0.2;
const TOMBSTONES_MAX = 500;

/** Whether `slots` slots, of which `live` are an article's, hold too many tombstones. */
export function tooManyTombstones(slots: number, live: number): boolean {
  return slots - live > Math.min(slots * TOMBSTONE_SHARE, TOMBSTONES_MAX);
}
