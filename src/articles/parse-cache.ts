// The restart cache of parsed files: YAML parsing is the cost of a load, so each file's result is kept on disk,
// keyed by path, size and modification time. It is checked before use and rebuilt, never trusted blindly.
// Articles are stored as compact tuples, with providers and topics in shared tables: the file is about half the
// size of plain JSON objects, which is what a warm restart spends its time parsing.
import { CacheError, readCacheJson, writeCacheJson } from './cache-file.js';
import type { FileStamp } from './files.js';
import type { NormalizeResult } from './normalize.js';
import type { Article, ArticleImage, Provider, RelatedCoverage } from './types.js';

/** Bump when the Article shape, the normalisation rules or this encoding change: every cached result is stale. */
export const PARSE_CACHE_VERSION = 2;

export interface ParsedFile { stamp: FileStamp; result: NormalizeResult }

type ProviderRow = [name: string, domain: string, iconUrl: string | null];
type ImageRow = [url: string, width: number | null, height: number | null];
type RelatedRow = [title: string, url: string, provider: number, publishedAt: number | null, quality: number | null];
type ArticleRow = [
  id: string, title: string, excerpt: string, url: string, publishedAt: number, quality: number | null, heat: number | null,
  published: boolean, provider: number, topics: number[], image: ImageRow | null, type: string, related: RelatedRow[],
];
/** A skipped file stores its reason; a loaded one its article. */
type Entry = [path: string, size: number, mtimeMs: number, result: string | ArticleRow];
interface CacheFile { version: number; contentDir: string; providers: ProviderRow[]; topics: string[]; entries: Entry[] }

class Table<T> {
  readonly rows: T[] = [];
  private readonly index = new Map<string, number>();
  constructor(private readonly key: (row: T) => string) {}
  add(row: T): number {
    const key = this.key(row);
    let at = this.index.get(key);
    if (at === undefined) this.index.set(key, (at = this.rows.push(row) - 1));
    return at;
  }
}

function encode(files: ReadonlyMap<string, ParsedFile>, contentDir: string): CacheFile {
  const providers = new Table<ProviderRow>((p) => p.join('\u0000'));
  const topics = new Table<string>((t) => t);
  const provider = (p: Provider | null) => (p ? providers.add([p.name, p.domain, p.iconUrl]) : -1);
  const entries: Entry[] = [];
  for (const [file, { stamp, result }] of files) {
    if (!result.ok) {
      entries.push([file, stamp.size, stamp.mtimeMs, result.reason]);
      continue;
    }
    const a = result.article;
    const related = a.related.map((r): RelatedRow => [r.title, r.url, provider(r.provider), r.publishedAt?.getTime() ?? null, r.quality]);
    const image: ImageRow | null = a.image ? [a.image.url, a.image.width, a.image.height] : null;
    const row: ArticleRow = [a.id, a.title, a.excerpt, a.url, a.publishedAt.getTime(), a.quality, a.heat, a.published, provider(a.provider), a.topics.map((t) => topics.add(t)), image, a.type, related];
    entries.push([file, stamp.size, stamp.mtimeMs, row]);
  }
  return { version: PARSE_CACHE_VERSION, contentDir, providers: providers.rows, topics: topics.rows, entries };
}

// Decoding checks every value it uses: a cache that fails any check is thrown away whole.
const isText = (v: unknown): v is string => typeof v === 'string';
const isNumberOrNull = (v: unknown): v is number | null => v === null || typeof v === 'number';
function check(ok: boolean, what: string): asserts ok {
  if (!ok) throw new CacheError(`malformed: ${what}`);
}

function decoder(data: CacheFile) {
  check(Array.isArray(data.providers) && Array.isArray(data.topics), 'tables');
  const providers = data.providers.map((row): Provider => {
    check(Array.isArray(row) && isText(row[0]) && isText(row[1]) && (row[2] === null || isText(row[2])), 'a provider');
    return { name: row[0], domain: row[1], iconUrl: row[2] };
  });
  check(data.topics.every(isText), 'a topic');
  const provider = (i: unknown) => {
    check(typeof i === 'number' && providers[i] !== undefined, 'a provider reference');
    return providers[i]!; // shared between articles, like every article field: read-only
  };
  const date = (ms: unknown) => {
    const d = new Date(ms as number);
    check(typeof ms === 'number' && !Number.isNaN(d.getTime()), 'a date');
    return d;
  };
  const related = (row: RelatedRow): RelatedCoverage => {
    check(Array.isArray(row) && isText(row[0]) && isText(row[1]) && isNumberOrNull(row[3]) && isNumberOrNull(row[4]), 'a related article');
    return { title: row[0], url: row[1], provider: row[2] === -1 ? null : provider(row[2]), publishedAt: row[3] === null ? null : date(row[3]), quality: row[4] };
  };
  const image = (row: ImageRow | null): ArticleImage | null => {
    if (row === null) return null;
    check(Array.isArray(row) && isText(row[0]) && isNumberOrNull(row[1]) && isNumberOrNull(row[2]), 'an image');
    return { url: row[0], width: row[1], height: row[2] };
  };
  return (file: string, row: ArticleRow): Article => {
    check(Array.isArray(row) && row.length === 13, 'an article');
    const [id, title, excerpt, url, publishedAt, quality, heat, published, providerAt, topicIds, imageRow, type, relatedRows] = row;
    check(isText(id) && isText(title) && isText(excerpt) && isText(url) && isText(type) && typeof published === 'boolean', 'an article');
    check(isNumberOrNull(quality) && isNumberOrNull(heat) && Array.isArray(topicIds) && Array.isArray(relatedRows), 'an article');
    const topics = topicIds.map((t) => {
      check(data.topics[t] !== undefined, 'a topic reference');
      return data.topics[t]!;
    });
    return {
      id, sourcePath: file, title, excerpt, url, publishedAt: date(publishedAt), quality, heat, published,
      provider: provider(providerAt), topics, image: image(imageRow), type, related: relatedRows.map(related),
    };
  };
}

/**
 * Reads the cache for `contentDir`. Returns an empty map when there is none yet; throws a CacheError (to be logged,
 * then the cache rebuilt) when it is unreadable, of another version or content folder, or malformed anywhere.
 */
export function readParseCache(file: string, contentDir: string): Map<string, ParsedFile> {
  const data = readCacheJson(file) as CacheFile | null;
  if (data === null) return new Map();
  if (data?.version !== PARSE_CACHE_VERSION) throw new CacheError(`version ${String(data?.version)} is not ${PARSE_CACHE_VERSION}`);
  if (data.contentDir !== contentDir) throw new CacheError('made for another content folder');
  check(Array.isArray(data.entries), 'entries');
  const decode = decoder(data);
  const files = new Map<string, ParsedFile>();
  for (const entry of data.entries) {
    check(Array.isArray(entry) && entry.length === 4, 'an entry');
    const [path, size, mtimeMs, result] = entry;
    check(isText(path) && typeof size === 'number' && typeof mtimeMs === 'number', 'an entry');
    files.set(path, { stamp: { size, mtimeMs }, result: isText(result) ? { ok: false, reason: result } : { ok: true, article: decode(path, result) } });
  }
  return files;
}

export async function writeParseCache(file: string, contentDir: string, files: ReadonlyMap<string, ParsedFile>): Promise<void> {
  await writeCacheJson(file, encode(files, contentDir));
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}
