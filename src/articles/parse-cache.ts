// The restart cache of parsed files: YAML parsing is the cost of a load, so each file's result is kept on disk,
// keyed by path, size and modification time. It is checked before use and rebuilt, never trusted blindly: a
// checksum over each part of the file (cache-file.ts), its version and content folder, and the shape of every
// entry. Entries are stored as they are in memory, as V8 serialises them: Dates come back as Dates, with no decoding
// pass. The file is written and read in parts of PART_FILES entries, a turn of the event loop each: serialised in
// one go, the cache of 50,000 files held the bot for 0.3-0.45 s after every batch of live changes, and read in one go
// for 0.8-1.1 s at start-up.
import v8 from 'node:v8';
import { CacheError, readCacheParts, writeCacheParts } from './cache-file.js';
import type { FileStamp } from './files.js';
import { adoptArticle, type NormalizeResult } from './normalize.js';
import { nextTurn } from './steps.js';
import type { Article } from './types.js';

/** Bump when the Article shape, the normalisation rules or this encoding change: every cached result is stale. */
export const PARSE_CACHE_VERSION = 5;

export interface ParsedFile { stamp: FileStamp; result: NormalizeResult }

/** Entries per part: about 5 ms of serialising each. */
const PART_FILES = 1000;

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
 * Reads the cache for `contentDir`, a part per turn of the event loop (read whole, the cache of 50,000 files held
 * the bot for 0.8 s). Returns an empty map when there is none yet; throws a CacheError (to be logged, then the cache
 * rebuilt) when it is unreadable, corrupt, of another version or content folder, or malformed.
 */
export async function readParseCache(file: string, contentDir: string): Promise<Map<string, ParsedFile>> {
  const files = new Map<string, ParsedFile>();
  const checkHeader = (header: Record<string, unknown>) => {
    if (header.version !== PARSE_CACHE_VERSION) throw new CacheError(`version ${String(header.version)} is not ${PARSE_CACHE_VERSION}`);
    if (header.contentDir !== contentDir) throw new CacheError('made for another content folder');
  };
  const readPart = async (part: Buffer) => {
    let entries: unknown;
    try {
      entries = v8.deserialize(part);
    } catch (error) {
      throw new CacheError(`does not deserialise: ${(error as Error).message}`);
    }
    if (!Array.isArray(entries)) throw new CacheError('malformed: a part');
    for (const entry of entries as unknown[]) {
      if (!Array.isArray(entry) || !isText(entry[0]) || !isParsedFile(entry[1] as ParsedFile, entry[0])) throw new CacheError(`malformed: the entry of ${String((entry as unknown[])?.[0])}`);
      const [path, parsed] = entry as [string, ParsedFile];
      files.set(path, parsed);
      if (!parsed.result.ok) continue;
      // Strings and providers come back as copies, one per occurrence: the repeated ones are shared again.
      parsed.result.article.sourcePath = path;
      adoptArticle(parsed.result.article);
    }
    await nextTurn();
  };
  await readCacheParts(file, checkHeader, readPart);
  return files;
}

/**
 * Writes the parsed files, a part serialised per turn of the event loop and written before the next is made, so
 * that only a part at a time is held (the parts of 50,000 files are 67 MB); what they are when the write starts is
 * what is written.
 */
export async function writeParseCache(file: string, contentDir: string, files: ReadonlyMap<string, ParsedFile>): Promise<void> {
  const entries = [...files];
  async function* parts(): AsyncGenerator<Uint8Array> {
    for (let first = 0; first < entries.length; first += PART_FILES) {
      if (first > 0) await nextTurn();
      yield v8.serialize(entries.slice(first, first + PART_FILES));
    }
  }
  await writeCacheParts(file, { version: PARSE_CACHE_VERSION, contentDir }, parts());
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}
