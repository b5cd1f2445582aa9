// The search index's worker thread dying mid-job (a crash, out of memory, ended from outside): searches keep
// answering, from the ranked lists, with the results the index gives; the log says which job stopped and what
// happens instead; nothing hangs, no promise is left rejected, and the caches written before are not lost. And the
// index, once installed, misses no article changed while it was brought up to date.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { RestartCaches } from '../src/articles/caches.js';
import { Corpus } from '../src/articles/corpus.js';
import { IndexedSearch } from '../src/articles/indexed-search.js';
import { ArticleLibrary } from '../src/articles/library.js';
import { newestSteps } from '../src/articles/order.js';
import { parseArticleBytes } from '../src/articles/parse.js';
import { runNow } from '../src/articles/steps.js';
import { createLogger } from '../src/log.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-index-worker-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => void unhandled.push(reason));

/** A word of letters alone naming `n` (digits are folded apart from letters), all of one length (none a prefix of another). */
const word = (prefix: string, n: number) => prefix + n.toString(26).padStart(3, '0').replace(/[0-9]/g, (d) => 'qrstuvwxyz'[Number(d)]!);

const article = (i: number, title = `Story ${word('w', i)} ${i % 7 === 0 ? 'volcano' : 'river'} report`) =>
  `---\ntitle: "${title}"\npublishedDateTime: 2020-05-${String(1 + (i % 28)).padStart(2, '0')}T03:${String(i % 60).padStart(2, '0')}:00Z\nwebUrl: "https://news.example.com/${i}"\nprovider:\n  name: Example ${i % 5}\n  domain: example${i % 5}.com\ntopics:\n  - ${i % 3 === 0 ? 'Science' : 'Health'}\nquality: ${i % 10}\n---\n`;

// More articles than a library indexes on its own thread (1,000), so a worker does it.
const COUNT = 1200;
function folder(name: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  for (let i = 0; i < COUNT; i++) fs.writeFileSync(path.join(dir, `a${i}.md`), article(i));
  return dir;
}

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { lines, logger, events: (event: string) => lines.filter((l) => l.event === event) };
}

/** Ends every worker thread started while `run` runs, once it is up and has been sent its job. */
async function killingWorkers<T>(run: () => Promise<T>): Promise<{ result: T; killed: number }> {
  let killed = 0;
  const kill = (worker: Worker) => worker.once('online', () => {
    killed++;
    void worker.terminate();
  });
  process.on('worker', kill);
  try {
    return { result: await run(), killed };
  } finally {
    process.off('worker', kill);
  }
}

/** Waits (at most 5 s, so a broken watcher fails instead of hanging) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the library did not update within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const queries = [{ words: 'volcano' }, { words: 'volcano report', topic: 'Science' }, { words: 'river', provider: 'example3.com' }, { words: word('w', 777) }, { words: 'volcano', offset: 5 }];
const answers = (library: ArticleLibrary) => queries.map((q) => {
  const page = library.search(q);
  return { total: page.total, ids: page.articles.map((a) => a.id) };
});

test('the index worker dying while it reads its cache and while it builds: searches still answer the same, a line for each, the cache kept', { timeout: 120_000 }, async () => {
  const dir = folder('cache-then-build');
  const cacheDir = path.join(root, 'cache-then-build.cache');
  const options = { contentDir: dir, cacheDir, directRankMax: 0 };

  const first = capture();
  const healthy = await ArticleLibrary.open({ ...options, logger: first.logger });
  await healthy.whenWarm();
  assert.equal(first.events('articles.index_ready').length, 1);
  const expected = answers(healthy);
  assert.equal(expected[0]!.total, Math.ceil(COUNT / 7));
  await healthy.close();

  const second = capture();
  const { result: library, killed } = await killingWorkers(async () => {
    const opened = await ArticleLibrary.open({ ...options, logger: second.logger });
    await opened.whenWarm();
    return opened;
  });
  assert.equal(killed, 2, 'the worker reading the cache, then the one building the index');
  assert.deepEqual(answers(library), expected, 'the same results, ranked from the lists');
  await library.close();

  const [stopped] = second.events('articles.index_worker_stopped');
  assert.equal(stopped?.level, 40);
  assert.match(String(stopped.problem), /index worker stopped/);
  assert.equal(second.events('articles.cache_unusable').length, 0, 'a worker that stops is not a cache problem');
  const [failed] = second.events('articles.index_failed');
  assert.match(String(failed?.problem), /index worker stopped/);
  assert.equal(second.events('articles.index_ready').length, 0);

  // The cache the healthy run wrote is still there and current: the next start uses it.
  const third = capture();
  const again = await ArticleLibrary.open({ ...options, logger: third.logger });
  await again.whenWarm();
  assert.equal(third.events('articles.index_ready')[0]?.how, 'cache');
  assert.deepEqual(answers(again), expected);
  await again.close();
  assert.deepEqual(unhandled, []);
});

test('the index worker dying while it compacts at close: close() ends, the index in use kept answering, the next start patches the older cache', { timeout: 120_000 }, async () => {
  const dir = folder('compact');
  const cacheDir = path.join(root, 'compact.cache');
  const logs = capture();
  const library = await ArticleLibrary.open({ contentDir: dir, cacheDir, directRankMax: 0, logger: logs.logger, watch: true });
  await library.whenWarm();
  let changed = false;
  library.once('change', () => (changed = true));
  fs.writeFileSync(path.join(dir, 'a5.md'), article(5, 'Lighthouse keeper retires'));
  await until(() => changed);
  assert.deepEqual(library.search({ words: 'lighthouse' }).articles.map((a) => a.url), ['https://news.example.com/5']);
  // close() writes the changed index to its cache: a compaction on a worker, which dies.
  const { killed } = await killingWorkers(() => library.close());
  assert.equal(killed, 1);
  assert.match(String(logs.events('articles.index_failed')[0]?.problem), /index worker stopped/);
  assert.deepEqual(library.search({ words: 'lighthouse' }).articles.map((a) => a.url), ['https://news.example.com/5']);

  const next = capture();
  const again = await ArticleLibrary.open({ contentDir: dir, cacheDir, directRankMax: 0, logger: next.logger });
  await again.whenWarm();
  assert.equal(next.events('articles.index_ready')[0]?.how, 'patched cache');
  assert.deepEqual(again.search({ words: 'lighthouse' }).articles.map((a) => a.url), ['https://news.example.com/5']);
  assert.equal(again.search({ words: word('w', 5) }).total, 0, 'its words before the change');
  await again.close();
  assert.deepEqual(unhandled, []);
});

test('articles changed while a new index is brought up to date are all found by it', { timeout: 120_000 }, async () => {
  const dir = folder('catch-up');
  const logs = capture();
  const caches = new RestartCaches(null, logs.logger);
  const corpus = new Corpus(dir, caches, logs.logger);
  await corpus.load();
  const index = new IndexedSearch(corpus, () => runNow(newestSteps(corpus.entries.values())), caches, logs.logger);
  // One article changes (in memory: its file's new parse, taken in as the library takes a live change) every turn
  // of the event loop until the index is ready, so some change while it is installed and checked.
  const versions = new Map<number, number>();
  let turns = 0;
  let ready = false;
  const change = () => {
    if (ready) return;
    const i = turns++ % COUNT;
    const version = (versions.get(i) ?? 0) + 1;
    versions.set(i, version);
    const file = `a${i}.md`;
    const result = parseArticleBytes(Buffer.from(article(i, `Story ${word('w', i)} ${word('v', version)}`)), file);
    const { moved } = corpus.apply(new Map([[file, { stamp: { size: version, mtimeMs: version }, result }]]));
    for (const entryChange of moved) index.update(entryChange);
    setImmediate(change);
  };
  setImmediate(change);
  await index.prepare();
  ready = true;
  assert.ok(index.ready);
  assert.ok(turns > 0);
  const byUrl = new Map([...corpus.entries.values()].map((entry) => [entry.article.url, entry]));
  const missed: number[] = [];
  for (let i = 0; i < COUNT; i++) {
    const entry = byUrl.get(`https://news.example.com/${i}`)!;
    const terms = versions.has(i) ? `${word('w', i)} ${word('v', versions.get(i)!)}` : word('w', i);
    if (!index.candidates(terms)?.includes(entry)) missed.push(i);
  }
  assert.deepEqual(missed, [], 'articles the index does not find as they are now');
  index.stop();
  assert.deepEqual(unhandled, []);
});
