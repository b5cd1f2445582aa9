// The restart cache of the search index: building it dominates a warm start, so its export is kept on disk with,
// for each slot, the key of the file version it indexed. On restart the cached index is patched where files changed.
import { CacheError, readCacheFile, writeCacheFile } from './cache-file.js';
import { PARSE_CACHE_VERSION } from './parse-cache.js';
import { INDEX_FORMAT, SearchIndex } from './search-index.js';

// The normalisation rules shape the indexed text: a new version of them makes every cached index stale.
const FORMAT = `${INDEX_FORMAT}/articles-${PARSE_CACHE_VERSION}`;

/** Slot key: the article id, then what identifies the file version its text came from. */
export function slotKey(id: string, sourcePath: string, size: number, mtimeMs: number): string {
  return `${id}\t${sourcePath}\t${size}\t${mtimeMs}`;
}

const idOf = (key: string) => key.slice(0, key.indexOf('\t'));

export interface CachedIndex { keys: (string | null)[]; parts: [string, string][] }
// The parts are stored as UTF-8: FlexSearch's export is one string per part, and one word outside Latin-1 makes V8
// store (and serialise) a whole part at two bytes a character, twice the file to read and checksum.
interface IndexCacheFile { format: string; keys: (string | null)[]; parts: [string, Uint8Array][] }

/** The cached index, unimported; null when there is none or it has another format; a CacheError when corrupt. */
export function readIndexCache(file: string): CachedIndex | null {
  const data = readCacheFile(file) as IndexCacheFile | null;
  if (data === null || data.format !== FORMAT) return null;
  const parts = Array.isArray(data.parts) && data.parts.every((p) => Array.isArray(p) && typeof p[0] === 'string' && p[1] instanceof Uint8Array);
  const keys = Array.isArray(data.keys) && data.keys.every((k) => k === null || (typeof k === 'string' && k.includes('\t')));
  if (!parts || !keys) throw new CacheError('malformed');
  return { keys: data.keys, parts: data.parts.map(([key, bytes]) => [key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')]) };
}

export function importIndex(cached: CachedIndex): SearchIndex {
  try {
    return SearchIndex.import(cached.parts);
  } catch (error) {
    throw new CacheError(`does not import: ${(error as Error).message}`);
  }
}

/** Writes the index with its slot keys; returns its export, which imports into a compact copy of it. */
export async function writeIndexCache(file: string, keys: (string | null)[], index: SearchIndex): Promise<[string, string][]> {
  const exported = await index.export();
  const parts = exported.map(([key, text]): [string, Uint8Array] => [key, Buffer.from(text, 'utf8')]);
  const data: IndexCacheFile = { format: FORMAT, keys, parts };
  await writeCacheFile(file, data);
  return exported;
}

/**
 * How to bring a cached index up to date: the article id of every slot (null: a tombstone, whose terms the index
 * still holds but no article owns), and the slots to index, all new ones at the end (see SearchIndex).
 */
export interface SlotPlan { ids: (string | null)[]; reindex: number[] }

/** Compares the cached slots with the current articles (id → slot key). */
export function planSlots(cachedKeys: readonly (string | null)[], current: ReadonlyMap<string, string>): SlotPlan {
  const plan: SlotPlan = { ids: [], reindex: [] };
  const placed = new Set<string>();
  cachedKeys.forEach((key) => {
    const id = key === null ? null : idOf(key);
    const kept = id !== null && current.get(id) === key && !placed.has(id);
    plan.ids.push(kept ? id : null);
    if (kept) placed.add(id);
  });
  for (const id of current.keys()) {
    if (placed.has(id)) continue;
    plan.reindex.push(plan.ids.push(id) - 1);
  }
  return plan;
}

// Tombstones are worth a rebuild beyond this share of the slots, or this many: at 50,000 articles the first 100
// grew the heap by 4.6 MB (index arrays imported full grow on the next add), 500 by 8 MB, 1,900 by 13 MB. A rebuild
// there is about 5 s of work, in small steps, and the search asks for one more candidate per tombstone.
const TOMBSTONE_SHARE = 0.2;
const TOMBSTONES_MAX = 500;

/** Whether `slots`, of which `live` are an article's, hold too many tombstones. */
export function tooManyTombstones(slots: readonly unknown[], live: number): boolean {
  return slots.length - live > Math.min(slots.length * TOMBSTONE_SHARE, TOMBSTONES_MAX);
}
