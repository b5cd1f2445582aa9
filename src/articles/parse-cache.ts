// The restart cache of parsed files: YAML parsing is the cost of a load, so each file's result is kept on disk,
// keyed by path, size and modification time. It is checked before use and rebuilt, never trusted blindly.
import { CacheError, readCacheJson, writeCacheJson } from './cache-file.js';
import type { FileStamp } from './files.js';
import type { NormalizeResult } from './normalize.js';
import type { Article } from './types.js';

/** Bump when the Article shape or the normalisation rules change: every cached result is then stale. */
export const PARSE_CACHE_VERSION = 1;

export interface ParsedFile { stamp: FileStamp; result: NormalizeResult }

type Entry = [path: string, size: number, mtimeMs: number, result: NormalizeResult];
interface CacheFile { version: number; contentDir: string; entries: Entry[] }

function isText(v: unknown): v is string {
  return typeof v === 'string';
}

// Dates travel as ISO strings; a value that does not revive to a valid Date makes the whole cache suspect.
function reviveDate(value: unknown): Date {
  const date = new Date(value as string);
  if (!isText(value) || Number.isNaN(date.getTime())) throw new CacheError('a date is not valid');
  return date;
}

function reviveArticle(raw: Article): Article {
  if (!isText(raw.id) || !isText(raw.url) || !isText(raw.title) || !isText(raw.excerpt) || !isText(raw.sourcePath) || !isText(raw.type)) {
    throw new CacheError('an article lacks its text fields');
  }
  if (typeof raw.published !== 'boolean' || !raw.provider || !isText(raw.provider.domain) || !Array.isArray(raw.topics) || !Array.isArray(raw.related)) {
    throw new CacheError('an article has a malformed field');
  }
  raw.publishedAt = reviveDate(raw.publishedAt);
  for (const related of raw.related) related.publishedAt = related.publishedAt === null ? null : reviveDate(related.publishedAt);
  return raw;
}

function reviveEntry(entry: unknown): [string, ParsedFile] {
  if (!Array.isArray(entry) || entry.length !== 4) throw new CacheError('an entry is malformed');
  const [file, size, mtimeMs, result] = entry as Entry;
  if (!isText(file) || typeof size !== 'number' || typeof mtimeMs !== 'number' || !result || typeof result.ok !== 'boolean') {
    throw new CacheError('an entry is malformed');
  }
  if (result.ok) reviveArticle(result.article);
  else if (!isText(result.reason)) throw new CacheError('a skip reason is missing');
  return [file, { stamp: { size, mtimeMs }, result }];
}

/**
 * Reads the cache for `contentDir`. Returns an empty map when there is none yet; throws a CacheError (to be logged,
 * then the cache rebuilt) when it is unreadable, of another version or content folder, or malformed anywhere.
 */
export async function readParseCache(file: string, contentDir: string): Promise<Map<string, ParsedFile>> {
  const data = (await readCacheJson(file)) as CacheFile | null;
  if (data === null) return new Map();
  if (data?.version !== PARSE_CACHE_VERSION) throw new CacheError(`version ${String(data?.version)} is not ${PARSE_CACHE_VERSION}`);
  if (data.contentDir !== contentDir) throw new CacheError('made for another content folder');
  if (!Array.isArray(data.entries)) throw new CacheError('has no entries');
  return new Map(data.entries.map(reviveEntry));
}


export async function writeParseCache(file: string, contentDir: string, files: ReadonlyMap<string, ParsedFile>): Promise<void> {
  const entries: Entry[] = [...files].map(([p, { stamp, result }]) => [p, stamp.size, stamp.mtimeMs, result]);
  const data: CacheFile = { version: PARSE_CACHE_VERSION, contentDir, entries };
  await writeCacheJson(file, data);
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}
