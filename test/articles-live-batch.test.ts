// A large batch of live changes (a folder copied in, an editor saving many files) is parsed in slices that let the
// event loop turn: every file still arrives, in its last version, and search finds each one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArticleLibrary } from '../src/articles/library.js';
import { createLogger } from '../src/log.js';
import { projectRoot } from './helpers/shared.js';

const template = fs.readFileSync(path.join(projectRoot, 'test/fixtures/articles/news/2020-05-06-gamerant.md'), 'utf8');
const article = (title: string, slug: string) => template.replaceAll('Diablo 4 season one roadmap', title).replace('diablo-season', slug);

// Each file's word: at least 3 edits from any other, so that spelling correction never finds a neighbour for one gone.
const word = (kind: string, i: number) => `${kind}${i}x${i}y${i}z`;

/** Waits (at most 20 s, so a broken watcher fails instead of hanging) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the library did not update within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('400 files written at once, 100 of them rewritten straight after: each is found as last written', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-live-batch-'));
  const library = await ArticleLibrary.open({ contentDir: root, logger: createLogger('silent'), watch: true, directRankMax: 0 });
  try {
    const folder = path.join(root, 'copied');
    fs.mkdirSync(folder);
    for (let i = 0; i < 400; i++) fs.writeFileSync(path.join(folder, `s-${i}.md`), article(`Batch ${word('first', i)} story`, `batch-${i}`));
    for (let i = 0; i < 100; i++) fs.writeFileSync(path.join(folder, `s-${i}.md`), article(`Batch ${word('second', i)} story`, `batch-${i}`));
    const count = (words: string) => library.search({ words, includeUnpublished: true }).total;
    await until(() => library.size === 400 && count(word('second', 99)) === 1 && count(word('first', 399)) === 1);
    await library.whenWarm();
    for (let i = 0; i < 400; i++) {
      const now = word(i < 100 ? 'second' : 'first', i);
      assert.equal(count(now), 1, now);
      if (i < 100) assert.equal(count(word('first', i)), 0, `${word('first', i)} is gone`);
    }
    assert.equal(count('batch'), 400);
  } finally {
    await library.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('past its share of tombstones the index is compacted on a worker thread, and searches and the next start from its cache stay exact', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-live-compact-'));
  const [contentDir, cacheDir] = [path.join(root, 'content'), path.join(root, 'cache')];
  fs.mkdirSync(contentDir);
  const logged: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
  // More articles than a library whose index is made on its own thread (1,000).
  for (let i = 0; i < 1100; i++) fs.writeFileSync(path.join(contentDir, `s-${i}.md`), article(`Batch ${word('first', i)} story`, `batch-${i}`));
  const open = async () => {
    const library = await ArticleLibrary.open({ contentDir, cacheDir, logger, watch: true, directRankMax: 0 });
    await library.whenWarm();
    return library;
  };
  let library = await open();
  const count = (words: string) => library.search({ words, includeUnpublished: true }).total;
  const exact = () => {
    for (let i = 0; i < 1100; i++) {
      assert.equal(count(word(i < 300 ? 'second' : 'first', i)), 1, `article ${i}`);
      if (i < 300) assert.equal(count(word('first', i)), 0, `${word('first', i)} is gone`);
    }
    // Asked past the index's first 1,000 candidates, the total counts every match.
    assert.equal(library.search({ words: 'batch', includeUnpublished: true, offset: 1095, limit: 10 }).total, 1100);
  };
  try {
    // 300 new titles: 27% of the slots become tombstones, past the 20% that has the index compacted.
    for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(contentDir, `s-${i}.md`), article(`Batch ${word('second', i)} story`, `batch-${i}`));
    await until(() => logged.some((l) => l.event === 'articles.index_rebuilt'));
    await until(() => count(word('second', 299)) === 1);
    exact();
    await library.close();
    library = await open();
    assert.equal(logged.findLast((l) => l.event === 'articles.index_ready')?.how, 'cache');
    exact();
  } finally {
    await library.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
