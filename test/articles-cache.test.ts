import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { readCacheFile, readCacheParts, writeCacheFile, writeCacheParts } from '../src/articles/cache-file.js';
import { ArticleLibrary } from '../src/articles/library.js';
import { PARSE_CACHE_VERSION, readParseCache, writeParseCache, type ParsedFile } from '../src/articles/parse-cache.js';
import { createLogger } from '../src/log.js';
import { projectRoot } from './helpers/shared.js';
import { turnsDuring } from './helpers/turns.js';

const fixtures = path.join(projectRoot, 'test/fixtures/articles');
let root: string;
let contentDir: string;
let cacheDir: string;
// Every .md fixture, good or not: all of them have a cache entry.
const allFiles = 13;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-cache-'));
  contentDir = path.join(root, 'content');
  cacheDir = path.join(root, 'cache');
  fs.cpSync(fixtures, contentDir, { recursive: true });
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

async function load() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const library = await ArticleLibrary.open({ contentDir, cacheDir, logger });
  await library.whenWarm(); // the search index (and its cache) is prepared just after open()
  await library.close();
  return { library, lines, warnings: lines.filter((l) => l.level === 40 && l.msg !== 'article file skipped').map((l) => l.msg) };
}

const snapshot = (library: ArticleLibrary) => JSON.stringify(library.all());

test('a restart with unchanged content parses nothing and gives the same library and search results', async () => {
  const first = await load();
  assert.equal(first.library.summary.fromCache, 0);
  const second = await load();
  assert.equal(second.library.summary.fromCache, allFiles);
  assert.deepEqual(second.warnings, []);
  assert.equal(snapshot(second.library), snapshot(first.library));
  assert.deepEqual(second.library.search({ words: 'vaccine' }), first.library.search({ words: 'vaccine' }));
  // Skipped files stay skipped, with their log line, without being parsed again.
  assert.equal(second.library.summary.skipped, 3);
  assert.equal(second.lines.filter((l) => l.msg === 'article file skipped').length, 3);
});

test('a stale cache: changed, added and deleted files are re-read, and search sees them', async () => {
  await load();
  const changed = path.join(contentDir, 'news/2020-05-01-vaccine-trial.md');
  fs.writeFileSync(changed, fs.readFileSync(changed, 'utf8').replaceAll('Moderna vaccine trial expands', 'Pfizer booster study widens'));
  fs.copyFileSync(path.join(contentDir, 'news/2020-05-02-economie.md'), path.join(contentDir, 'news/copy.md'));
  fs.writeFileSync(
    path.join(contentDir, 'news/new.md'),
    fs.readFileSync(path.join(contentDir, 'news/2020-05-06-gamerant.md'), 'utf8').replace('season one roadmap', 'necromancer guide').replace('diablo-season', 'diablo-necro'),
  );
  fs.rmSync(path.join(contentDir, 'news/2020-05-04-gamerant.md'));
  const { library, warnings } = await load();
  assert.deepEqual(warnings, []);
  assert.equal(library.summary.fromCache, allFiles - 2);
  const titles = (words: string) => library.search({ words }).articles.map((a) => a.title);
  assert.deepEqual(titles('pfizer'), ['Pfizer booster study widens to 600 volunteers']);
  assert.deepEqual(titles('moderna'), []);
  assert.deepEqual(titles('necromancer'), ['Diablo 4 necromancer guide']);
  assert.deepEqual(titles('parody'), []);
  assert.equal(library.size, 8);
});

type Damage = (bytes: Buffer) => Buffer | Promise<Buffer>;

/** Rewrites a cache's data (with a valid checksum): what only a bug or another version of the code could leave. */
function rewritten(change: (data: Record<string, unknown>) => void): Damage {
  return async (bytes) => {
    const file = path.join(root, 'rewritten.bin');
    fs.writeFileSync(file, bytes);
    const data = readCacheFile(file) as Record<string, unknown>;
    change(data);
    await writeCacheFile(file, data);
    return fs.readFileSync(file);
  };
}

/** A parts cache's header and parts, each copied (readCacheParts reads every part into the same buffer). */
async function cacheParts(file: string): Promise<{ header: Record<string, unknown>; parts: Buffer[] }> {
  let header: Record<string, unknown> = {};
  const parts: Buffer[] = [];
  await readCacheParts(file, (read) => (header = read), (part) => parts.push(Buffer.from(part)));
  return { header, parts };
}

type Entry = [string, { result: { ok: boolean; article: Record<string, unknown> } }];

/** Rewrites a parse cache's header or entries, with valid checksums: what only a bug or another version could leave. */
function rewrittenParseCache(change: (cache: { header: Record<string, unknown>; entries: Entry[] }) => void): Damage {
  return async (bytes) => {
    const file = path.join(root, 'rewritten.bin');
    fs.writeFileSync(file, bytes);
    const { header, parts } = await cacheParts(file);
    const entries = parts.flatMap((part) => v8.deserialize(part) as Entry[]);
    change({ header, entries });
    const { parts: _lengths, ...rest } = header;
    await writeCacheParts(file, rest, [v8.serialize(entries)]);
    return fs.readFileSync(file);
  };
}

/** Changes the first loaded article in a parse cache. */
function firstArticle(change: (article: Record<string, unknown>) => void): Damage {
  return rewrittenParseCache(({ entries }) => change(entries.find(([, f]) => f.result.ok)![1].result.article));
}

/** The same entries in the format of the previous version: one V8 payload behind one checksum. */
const previousFormat: Damage = async (bytes) => {
  const file = path.join(root, 'previous.bin');
  fs.writeFileSync(file, bytes);
  const { header, parts } = await cacheParts(file);
  await writeCacheFile(file, { version: header.version, contentDir: header.contentDir, files: new Map(parts.flatMap((part) => v8.deserialize(part) as Entry[])) });
  return fs.readFileSync(file);
};

const flipped: Damage = (bytes) => {
  const copy = Buffer.from(bytes);
  copy[copy.length >> 1]! ^= 0xff;
  return copy;
};

for (const [name, file, damage] of [
  ['a truncated parse cache', 'articles.bin', (bytes: Buffer) => bytes.subarray(0, bytes.length / 2)],
  ['a parse cache with one byte changed', 'articles.bin', flipped],
  ['a parse cache of another version', 'articles.bin', rewrittenParseCache(({ header }) => (header.version = 999))],
  ['a parse cache of the previous normalisation', 'articles.bin', rewrittenParseCache(({ header }) => (header.version = PARSE_CACHE_VERSION - 1))],
  ['a parse cache in the previous format (one V8 payload)', 'articles.bin', previousFormat],
  ['a parse cache that is not a list of entries', 'articles.bin', rewrittenParseCache(({ entries }) => entries.push(7 as unknown as Entry))],
  ['a parse cache with a bad date inside', 'articles.bin', firstArticle((article) => (article.publishedAt = 'soon'))],
  ['a parse cache entry of the wrong shape', 'articles.bin', firstArticle((article) => (article.title = 42))],
  ['a parse cache entry filed under another path', 'articles.bin', firstArticle((article) => (article.sourcePath = 'elsewhere.md'))],
  ['a corrupt search index cache', 'search-index.bin', flipped],
  ['a search index cache of the wrong shape', 'search-index.bin', rewritten((data) => (data.keys as unknown[]).unshift(7))],
] as const) {
  test(`${name} is logged, ignored and rebuilt`, async () => {
    const clean = await load();
    const target = path.join(cacheDir, file);
    fs.writeFileSync(target, await damage(fs.readFileSync(target)));
    const damaged = await load();
    assert.equal(damaged.warnings.length, 1, JSON.stringify(damaged.warnings));
    assert.match(String(damaged.warnings[0]), /cache ignored and rebuilt/);
    assert.equal(snapshot(damaged.library), snapshot(clean.library));
    assert.deepEqual(damaged.library.search({ words: 'diablo' }), clean.library.search({ words: 'diablo' }));
    const healed = await load();
    assert.deepEqual(healed.warnings, []);
    assert.equal(healed.library.summary.fromCache, allFiles);
  });
}

test('a cache made for another content folder is not used', async () => {
  await load();
  const elsewhere = path.join(root, 'elsewhere');
  fs.renameSync(contentDir, elsewhere);
  contentDir = elsewhere;
  const { library } = await load();
  assert.equal(library.summary.fromCache, 0);
  assert.equal(library.summary.loaded, 8);
});

test('without a cache folder nothing is written', async () => {
  const library = await ArticleLibrary.open({ contentDir, cacheDir: null, logger: createLogger('silent') });
  await library.close();
  assert.equal(library.size, 8);
  assert.equal(fs.existsSync(cacheDir), false);
});

test('the parse cache is written and read back a part of 1,000 files at a time, with turns of the event loop between them', async () => {
  const file = path.join(root, 'parts.bin');
  const first = await readParseCache(path.join(cacheDir, 'articles.bin'), contentDir);
  assert.equal(first.size, 0, 'no cache yet');
  const { library } = await load();
  const [name, parsed] = [...(await readParseCache(path.join(cacheDir, 'articles.bin'), contentDir))].find(([, f]) => f.result.ok)!;
  const copy = (at: string): ParsedFile => {
    const clone = structuredClone(parsed);
    if (clone.result.ok) clone.result.article.sourcePath = at;
    return clone;
  };
  const files = new Map<string, ParsedFile>(Array.from({ length: 4500 }, (_, i) => [`${i}/${name}`, copy(`${i}/${name}`)]));
  const written = await turnsDuring(() => writeParseCache(file, contentDir, files));
  assert.equal((await cacheParts(file)).parts.length, 5);
  assert.ok(written.turns >= 4, `only ${written.turns} turns of the event loop while writing`);
  assert.equal(library.size, 8);
  // Read back a part per turn too: a command waiting meanwhile is answered between two parts.
  const { value: back, turns } = await turnsDuring(() => readParseCache(file, contentDir));
  assert.ok(turns >= 4, `only ${turns} turns of the event loop while reading`);
  assert.deepEqual([...back.keys()], [...files.keys()]);
  const result = back.get(`4499/${name}`)!.result;
  assert.ok(result.ok && result.article.sourcePath === `4499/${name}`);
});
