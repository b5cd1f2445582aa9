// The restart cache of parsed files: YAML parsing is the cost of a load, so each file's result is kept on disk,
// keyed by path, size and modification time. It is checked before use and rebuilt, never trusted blindly: a
// checksum over the whole file (cache-file.ts), its version and content folder, and the shape of every entry.
// Articles are stored as they are in memory (see cache-file.ts): their Dates come back as Dates, and a provider
// object shared by many articles (normalize.ts interns them) is written once and comes back shared.
import { CacheError, readCacheFile, writeCacheFile } from './cache-file.js';
import type { FileStamp } from './files.js';
import { adoptArticle, type NormalizeResult } from './normalize.js';
import type { Article } from './types.js';

/** Bump when the Article shape, the normalisation rules or this encoding change: every cached result is stale. */
export const PARSE_CACHE_VERSION = 5;

export interface ParsedFile { stamp: FileStamp; result: NormalizeResult }

// The map is written as it is in memory: reading it back builds every ParsedFile with no decoding pass.
interface CacheFile { version: number; contentDir: string; files: Map<string, ParsedFile> }

const isText = (v: unknown): v is string => typeof v === 'string';
const isNumberOrNull = (v: unknown) => v === null || typeof v === 'number';
const isDate = (v: unknown) => v instanceof Date && !Number.isNaN(v.getTime());

/** The fields every reader of an article relies on, checked cheaply (the checksum already vouches for the bytes). */
function isArticle(a: Article, path: string): boolean {
  return (
    typeof a === 'object' && a !== null && a.sourcePath === path && isText(a.id) && isText(a.title) && isText(a.excerpt) && isText(a.url) &&
    isText(a.type) && isDate(a.publishedAt) && isNumberOrNull(a.quality) && isNumberOrNull(a.heat) && typeof a.published === 'boolean' &&
    typeof a.provider === 'object' && a.provider !== null && isText(a.provider.domain) && isText(a.provider.name) &&
    Array.isArray(a.topics) && a.topics.every(isText) && Array.isArray(a.related) && (a.image === null || typeof a.image === 'object')
  );
}

function isParsedFile(file: ParsedFile, path: string): boolean {
  const { stamp, result } = file ?? {};
  return (
    typeof stamp?.size === 'number' && typeof stamp.mtimeMs === 'number' &&
    (result?.ok === true
      ? isArticle(result.article, path) && (result.cuts === undefined || (Array.isArray(result.cuts) && result.cuts.every(isText)))
      : result?.ok === false && isText(result.reason))
  );
}

/**
 * Reads the cache for `contentDir`. Returns an empty map when there is none yet; throws a CacheError (to be logged,
 * then the cache rebuilt) when it is unreadable, corrupt, of another version or content folder, or malformed.
 */
export function readParseCache(file: string, contentDir: string): Map<string, ParsedFile> {
  const data = readCacheFile(file) as CacheFile | null;
  if (data === null) return new Map();
  if (data?.version !== PARSE_CACHE_VERSION) throw new CacheError(`version ${String(data?.version)} is not ${PARSE_CACHE_VERSION}`);
  if (data.contentDir !== contentDir) throw new CacheError('made for another content folder');
  if (!(data.files instanceof Map)) throw new CacheError('malformed: files');
  for (const [path, parsed] of data.files) {
    if (!isText(path) || !isParsedFile(parsed, path)) throw new CacheError(`malformed: the entry of ${String(path)}`);
    if (!parsed.result.ok) continue;
    // Strings and providers come back as copies, one per occurrence: the repeated ones are shared again.
    parsed.result.article.sourcePath = path;
    adoptArticle(parsed.result.article);
  }
  return data.files;
}

export async function writeParseCache(file: string, contentDir: string, files: ReadonlyMap<string, ParsedFile>): Promise<void> {
  const data: Omit<CacheFile, 'files'> & { files: ReadonlyMap<string, ParsedFile> } = { version: PARSE_CACHE_VERSION, contentDir, files };
  await writeCacheFile(file, data);
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}
