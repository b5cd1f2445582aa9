// A cache problem never stops start-up (issue 10): the restart caches under DATA_DIR/cache only make restarts
// faster. A folder where articles.bin should be, a file where the cache folder should be, a full disk: each gives
// one warn line naming the path, the problem and the fix; the library opens and serves without the cache, and
// nothing that stands in the cache's way is deleted.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ArticleLibrary } from '../src/articles/library.js';
import { createLogger } from '../src/log.js';
import { mountSmallDisk } from './helpers/fullDisk.js';
import { projectRoot } from './helpers/shared.js';

const fixtures = path.join(projectRoot, 'test/fixtures/articles');
const FIXTURE_ARTICLES = 8;

/** Opens (and closes) the library on the fixtures with `cacheDir`; its warn lines other than skipped files. */
async function openWith(cacheDir: string): Promise<{ warnings: Record<string, unknown>[]; library: ArticleLibrary }> {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const library = await ArticleLibrary.open({ contentDir: fixtures, cacheDir, logger });
  try {
    await library.whenWarm(); // the search index cache is written just after open()
    assert.equal(library.size, FIXTURE_ARTICLES);
    assert.ok(library.search({ words: 'diablo' }).total > 0);
  } finally {
    await library.close();
  }
  return { warnings: lines.filter((l) => l.level === 40 && l.event !== 'articles.file_skipped'), library };
}

function inTemp(run: (root: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-cachefault-'));
    try {
      await run(root);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  };
}

test('a folder where the parse cache file should be: one warn line naming it and the fix, start-up goes on, the folder kept', inTemp(async (root) => {
  const cacheDir = path.join(root, 'cache');
  const inTheWay = path.join(cacheDir, 'articles.bin');
  fs.mkdirSync(inTheWay, { recursive: true });
  fs.writeFileSync(path.join(inTheWay, 'notes.txt'), 'mine');
  for (let start = 0; start < 2; start++) {
    const { warnings } = await openWith(cacheDir);
    assert.deepEqual(warnings.map((w) => [w.event, w.cache, w.problem]), [['articles.cache_unusable', inTheWay, 'a folder stands where this cache file should be']]);
    assert.match(String(warnings[0]!.fix), /^move or delete that folder .*runs without this cache/);
    assert.equal(fs.readFileSync(path.join(inTheWay, 'notes.txt'), 'utf8'), 'mine');
  }
  assert.ok(fs.existsSync(path.join(cacheDir, 'search-index.bin')), 'the other cache still works');
  assert.deepEqual(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.tmp')), []);
}));

test('a file where the cache folder should be: one warn line naming it and the fix, start-up goes on, the file kept', inTemp(async (root) => {
  const cacheDir = path.join(root, 'cache');
  fs.writeFileSync(cacheDir, 'mine');
  for (const dir of [cacheDir, path.join(cacheDir, 'deeper')]) {
    const { warnings } = await openWith(dir);
    assert.deepEqual(warnings.map((w) => [w.event, w.cache, w.problem]), [['articles.cache_unusable', cacheDir, 'a file stands where the cache folder should be']]);
    assert.match(String(warnings[0]!.fix), /^move or delete that file .*point DATA_DIR elsewhere/);
    assert.equal(fs.readFileSync(cacheDir, 'utf8'), 'mine');
  }
}));

test('a full disk under the caches: one warn line naming the folder and the fix, start-up goes on; once freed, caches are written', async (t) => {
  const disk = mountSmallDisk(2 * 1024 * 1024);
  if ('skip' in disk) return t.skip(disk.skip);
  try {
    const cacheDir = path.join(disk.dir, 'data', 'cache');
    fs.mkdirSync(cacheDir, { recursive: true });
    disk.fill();
    const { warnings } = await openWith(cacheDir);
    assert.deepEqual(warnings.map((w) => [w.event, w.cache, w.problem]), [['articles.cache_unusable', cacheDir, 'the disk is full']]);
    assert.match(String(warnings[0]!.fix), /^free space on that disk/);
    assert.deepEqual(fs.readdirSync(cacheDir), [], 'no half-written cache left behind');
    disk.free();
    const again = await openWith(cacheDir);
    assert.deepEqual(again.warnings, []);
    assert.deepEqual(fs.readdirSync(cacheDir).sort(), ['articles.bin', 'search-index.bin']);
  } finally {
    disk.unmount();
  }
});
