// A large folder's load gives the event loop turns throughout (the folder scan, the parse cache read, the articles
// taken in), so the bot's other work is never held behind it, and loads the same articles as before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RestartCaches } from '../src/articles/caches.js';
import { Corpus } from '../src/articles/corpus.js';
import { scanContent } from '../src/articles/files.js';
import { ArticleLibrary } from '../src/articles/library.js';
import { createLogger } from '../src/log.js';
import { turnsDuring } from './helpers/turns.js';

const FILES = 2100;
let root: string;
let contentDir: string;
let cacheDir: string;

/** Article `i`: its own URL and title word, in one of 30 folders. */
function article(i: number): string {
  return [
    '---',
    `title: "Harbour report ${i} word${i}"`,
    `excerpt: "The harbour of town ${i} reopened."`,
    `publishedDateTime: 2020-05-01T${String(i % 24).padStart(2, '0')}:00:00Z`,
    `webUrl: "https://example.com/harbour/${i}"`,
    'type: article',
    'published: true',
    'provider:',
    '  name: Example News',
    '  domain: example.com',
    'topics:',
    `  - Topic ${i % 7}`,
    '---',
    '',
  ].join('\n');
}

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-load-turns-'));
  contentDir = path.join(root, 'content');
  cacheDir = path.join(root, 'cache');
  for (let i = 0; i < FILES; i++) {
    const folder = path.join(contentDir, `part-${i % 30}`, i % 2 ? 'deeper' : '');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, `a-${i}.md`), article(i));
  }
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('the folder scan lists every article file in nested folders, letting the event loop turn between steps', async () => {
  const { value: stamps, turns } = await turnsDuring(() => scanContent(contentDir));
  assert.equal(stamps.size, FILES);
  assert.ok(stamps.has('part-1/deeper/a-1.md') && stamps.has('part-0/a-0.md'));
  assert.equal(stamps.get('part-0/a-30.md')!.size, Buffer.byteLength(article(30)));
  assert.ok(turns >= 3, `only ${turns} turns of the event loop while scanning ${FILES} files`);
});

test('a warm load from the parse cache lets the event loop turn while it scans, reads the cache and takes the articles in', async () => {
  const logger = createLogger('silent');
  fs.rmSync(cacheDir, { recursive: true, force: true });
  const cold = new Corpus(contentDir, new RestartCaches(cacheDir, logger), logger);
  await cold.load();
  const warm = new Corpus(contentDir, new RestartCaches(cacheDir, logger), logger);
  const { value: summary, turns } = await turnsDuring(() => warm.load());
  assert.equal(summary.fromCache, FILES);
  assert.equal(summary.loaded, FILES);
  assert.ok(turns >= 6, `only ${turns} turns of the event loop during a warm load of ${FILES} files`);
  assert.deepEqual([...warm.entries.keys()].sort(), [...cold.entries.keys()].sort());
});

test('after a warm load, search finds an article by a word only it has', async () => {
  const logger = createLogger('silent');
  for (let run = 0; run < 2; run++) {
    const library = await ArticleLibrary.open({ contentDir, cacheDir, logger });
    await library.whenWarm();
    const page = library.search({ words: 'word1234' });
    await library.close();
    assert.equal(page.total, 1);
    assert.equal(page.articles[0]!.url, 'https://example.com/harbour/1234');
    if (run === 1) assert.equal(library.summary.fromCache, FILES);
  }
});
