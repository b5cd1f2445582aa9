// close() is what the bot runs at SIGTERM, just before the process exits: once it resolves, nothing more may be
// written under the cache folder. A write left running is cut short by the exit, leaving a temporary file that no
// later start removes, and the next start rebuilds what it could have read. Each test closes the library while a
// cache write is under way, then checks that the folder stays as close() left it, holds no temporary file, and
// that the next start reads it without a warning.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { ArticleLibrary } from '../src/articles/library.js';
import { createLogger } from '../src/log.js';
import { validArticle } from './helpers/reliability-content.js';

let root: string;
let contentDir: string;
let cacheDir: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-close-'));
  contentDir = path.join(root, 'content');
  cacheDir = path.join(root, 'cache');
  fs.mkdirSync(contentDir);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const word = (i: number) => `story${i}x`;

/** `count` articles, each found by word(i). */
function writeArticles(first: number, count: number): void {
  for (let i = first; i < first + count; i++) fs.writeFileSync(path.join(contentDir, `a${i}.md`), validArticle(word(i)));
}

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines, events: (event: string) => lines.filter((l) => l.event === event) };
}

/** Each cache file with its size and modification time: what a write changes. */
const cacheFolder = () => fs.readdirSync(cacheDir).sort().map((name) => {
  const stat = fs.statSync(path.join(cacheDir, name));
  return `${name} ${stat.size} ${stat.mtimeMs}`;
});

/**
 * Checks the cache folder as close() left it: no temporary file, and no change over the next half second (a write
 * left running, on this thread or the index's worker, is over within milliseconds here).
 */
async function assertLeftAlone(): Promise<void> {
  const closed = cacheFolder();
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.deepEqual(cacheFolder(), closed, 'the cache folder changed after close() resolved');
  assert.deepEqual(closed.filter((entry) => entry.includes('.tmp ')), [], 'a temporary file was left behind');
}

/**
 * `promise`, or an error naming `what` after 20 s: the library's watcher and timers do not keep the process alive, so
 * a wait for them needs a timer of its own.
 */
async function within<T>(what: string, promise: Promise<T>): Promise<T> {
  let timeout: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => (timeout = setTimeout(() => reject(new Error(`${what} did not happen within 20 s`)), 20_000)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timeout);
  }
}

/** Calls close() as soon as a temporary file of the cache `name` appears: its write has begun. */
function closeWhenWriting(library: ArticleLibrary, name: string): Promise<void> {
  let watcher: fs.FSWatcher | undefined;
  const closed = new Promise<void>((resolve, reject) => {
    watcher = fs.watch(cacheDir, (_event, file) => {
      if (!file?.startsWith(`${name}.`) || !file.endsWith('.tmp')) return;
      watcher!.close();
      library.close().then(resolve, reject);
    });
  });
  return within(`a write of ${name}`, closed).finally(() => watcher!.close());
}

/** Opens the library again on the caches close() left: read from them, not rebuilt, every article found. */
async function assertNextStartReads(articles: number, expected: { fromCache: number; index: string[] }): Promise<void> {
  const { logger, lines, events } = capture();
  const library = await ArticleLibrary.open({ contentDir, cacheDir, logger });
  try {
    await library.whenWarm();
    assert.deepEqual(lines.filter((l) => l.level === 40), [], 'no cache ignored or rebuilt');
    assert.equal(library.summary.fromCache, expected.fromCache);
    const ready = events('articles.index_ready').map((l) => l.how);
    assert.equal(ready.length, 1);
    assert.ok(expected.index.includes(ready[0] as string), `the search index came from: ${String(ready[0])}`);
    assert.equal(library.size, articles);
    assert.equal(library.search({ words: word(articles - 1) }).total, 1);
  } finally {
    await library.close();
  }
}

test('closed as a patched search index is written back (a small library, indexed on its own thread): nothing written after close()', async () => {
  writeArticles(0, 20);
  const first = await ArticleLibrary.open({ contentDir, cacheDir, logger: capture().logger });
  await first.whenWarm();
  await first.close();
  writeArticles(20, 1);
  // The index read from its cache lacks the new article: it is patched in, and the patched index written back
  // as soon as the index is ready, which is when whenWarm() resolves.
  const { logger, events } = capture();
  const library = await ArticleLibrary.open({ contentDir, cacheDir, logger });
  await library.whenWarm();
  assert.deepEqual(events('articles.index_ready').map((l) => l.how), ['patched cache']);
  await library.close();
  await assertLeftAlone();
  // Written back before close() or given up: either way the next start patches no more than that.
  await assertNextStartReads(21, { fromCache: 21, index: ['cache', 'patched cache'] });
});

test('closed while the search index worker writes its cache: the write is ended before close() resolves and leaves no temporary file', async () => {
  // More than the 1,000 articles a library indexes on its own thread: the index is built and written on a worker.
  writeArticles(0, 2500);
  const library = await ArticleLibrary.open({ contentDir, cacheDir, logger: capture().logger });
  // The parse cache is written by open(); the index's, on the worker, after it.
  await closeWhenWriting(library, 'search-index.bin');
  await assertLeftAlone();
  await assertNextStartReads(2500, { fromCache: 2500, index: ['cache', 'built'] });
});

test('closed while live changes are being saved to the caches: close() waits for the save, and the next start reads both caches', async () => {
  // More files than one part of the parse cache (1,000): its write takes several turns of the event loop.
  writeArticles(0, 2500);
  const library = await ArticleLibrary.open({ contentDir, cacheDir, logger: capture().logger, watch: true });
  await library.whenWarm();
  const changed = new Promise((resolve) => library.once('change', resolve));
  writeArticles(2500, 1);
  await within('the change event', changed);
  // The caches are saved after a quiet spell of 5 s.
  await closeWhenWriting(library, 'articles.bin');
  await assertLeftAlone();
  await assertNextStartReads(2501, { fromCache: 2501, index: ['cache'] });
});
