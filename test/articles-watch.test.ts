import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArticleLibrary, type LibraryChange } from '../src/articles/library.js';
import { createLogger } from '../src/log.js';
import { projectRoot } from './helpers/shared.js';

const fixtures = path.join(projectRoot, 'test/fixtures/articles');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-watch-'));
const contentDir = path.join(root, 'content');
const lines: Record<string, unknown>[] = [];
let library: ArticleLibrary;
const changes: LibraryChange[] = [];

before(async () => {
  fs.cpSync(fixtures, contentDir, { recursive: true });
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  library = await ArticleLibrary.open({ contentDir, cacheDir: path.join(root, 'cache'), logger, watch: true, directRankMax: 0 });
  library.on('change', (change: LibraryChange) => changes.push(change));
});
after(async () => {
  await library.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Waits (at most 5 s, so a broken watcher fails instead of hanging) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the library did not update within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const found = (words: string) => library.search({ words, includeUnpublished: true }).articles.map((a) => a.title);
const template = fs.readFileSync(path.join(fixtures, 'news/2020-05-06-gamerant.md'), 'utf8');
const article = (title: string, slug: string) => template.replaceAll('Diablo 4 season one roadmap', title).replace('diablo-season', slug);

test('an added file shows in search, and a change event counts it', async () => {
  const before = changes.length;
  fs.mkdirSync(path.join(contentDir, 'late'));
  fs.writeFileSync(path.join(contentDir, 'late/added.md'), article('Lilith statue locations mapped', 'lilith'));
  await until(() => found('lilith').length === 1);
  await until(() => changes.length > before);
  assert.deepEqual(changes.at(-1), { added: 1, changed: 0, removed: 0, skipped: 0 });
  assert.equal(library.search({ topic: 'Diablo 4' }).total, 3 + 1);
  assert.equal(library.size, 9);
});

test('a changed file replaces its article; a deleted one disappears', async () => {
  const file = path.join(contentDir, 'news/2020-05-05-gamerant.md');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replaceAll('beta dates leak', 'server slam weekend'));
  await until(() => found('slam').length === 1);
  assert.deepEqual(found('leak'), []);
  fs.rmSync(path.join(contentDir, 'news/2020-05-04-gamerant.md'));
  await until(() => found('parody').length === 0);
  // Three MSN articles in the fixtures, one added by the first test, one deleted here.
  assert.equal(library.providers('msn')[0]?.count, 3);
});

test('deleting the best copy of a duplicated story brings back the next best', async () => {
  fs.rmSync(path.join(contentDir, 'dupes/c.md'));
  await until(() => found('hospital').includes('Hospital capacity: copy B'));
  assert.deepEqual(found('hospital'), ['Hospital capacity: copy B']);
});

test('a file caught half-written is retried, not dropped', async () => {
  const full = article('Half written butcher guide', 'butcher');
  const file = path.join(contentDir, 'news/half.md');
  fs.writeFileSync(file, full.slice(0, full.indexOf('webUrl')) + 'webUrl: "https://www.msn.com/en-us/ne');
  // Longer than the watcher's wait for a file to settle, shorter than the retries.
  await new Promise((resolve) => setTimeout(resolve, 400));
  fs.writeFileSync(file, full);
  await until(() => found('butcher').length === 1);
  assert.equal(lines.filter((l) => l.msg === 'article file skipped' && l.file === 'news/half.md').length, 0);
});

test('a file that stays broken is skipped with its reason logged, and the rest keeps working', async () => {
  fs.writeFileSync(path.join(contentDir, 'news/broken.md'), '---\ntitle: "never closed\n---\n');
  await until(() => lines.some((l) => l.msg === 'article file skipped' && l.file === 'news/broken.md'));
  assert.match(String(lines.find((l) => l.file === 'news/broken.md')!.reason), /^YAML/);
  assert.deepEqual(found('butcher'), ['Half written butcher guide']);
});

test('a removed folder takes its articles with it', async () => {
  assert.equal(found('lilith').length, 1);
  fs.rmSync(path.join(contentDir, 'late'), { recursive: true });
  await until(() => found('lilith').length === 0);
});

test('an article file replaced by a folder of the same name is no longer served, and one line says so', async () => {
  const file = path.join(contentDir, 'news/victim.md');
  fs.writeFileSync(file, article('Victim story about to vanish', 'victim'));
  await until(() => found('victim').length === 1);
  // As `rm victim.md && mkdir victim.md` would: the watcher saw only a new folder, and the article stayed served.
  fs.rmSync(file);
  fs.mkdirSync(file);
  await until(() => found('victim').length === 0);
  await until(() => lines.some((l) => l.event === 'articles.file_became_folder'));
  assert.deepEqual(lines.filter((l) => l.event === 'articles.file_became_folder').map((l) => [l.file, l.level]), [['news/victim.md', 40]]);
  assert.equal(lines.filter((l) => l.file === 'news/victim.md' && l.event !== 'articles.file_became_folder').length, 0);
  fs.rmdirSync(file);
});

test('non-article files are ignored', async () => {
  const count = changes.length;
  fs.writeFileSync(path.join(contentDir, 'news/ignored.txt'), 'title: nothing');
  fs.writeFileSync(path.join(contentDir, 'news/zz-marker.md'), article('Marker story arrives last', 'marker'));
  await until(() => found('marker').length === 1);
  assert.equal(changes.length, count + 1);
});

test('after live changes, the newest-first list, the topic and outlet counts and their lists are those a fresh load gives', async () => {
  // In one batch: an article added, one republished under another topic and outlet name, one unpublished, one deleted.
  const file = (name: string) => path.join(contentDir, name);
  fs.writeFileSync(file('news/views-added.md'), article('Views story added late', 'views-added'));
  const changed = fs.readFileSync(file('news/2020-05-06-gamerant.md'), 'utf8');
  fs.writeFileSync(file('news/2020-05-06-gamerant.md'), changed.replace('Diablo 4', 'Sanctuary Weekly').replace('Game Rant on MSN', 'GameRant'));
  fs.writeFileSync(file('news/2020-05-05-gamerant.md'), fs.readFileSync(file('news/2020-05-05-gamerant.md'), 'utf8').replace('published: true', 'published: false'));
  fs.rmSync(file('dupes/b.md'));
  await until(() => found('views').length === 1 && !found('hospital').includes('Hospital capacity: copy B'));
  const fresh = await ArticleLibrary.open({ contentDir, cacheDir: null, logger: createLogger('silent') });
  try {
    assert.deepEqual(library.all().map((a) => a.id), fresh.all().map((a) => a.id));
    assert.deepEqual(library.topics('', 25), fresh.topics('', 25));
    assert.deepEqual(library.providers('', 25), fresh.providers('', 25));
    for (const { name } of fresh.topics('', 25)) assert.deepEqual(library.search({ topic: name, limit: 50 }), fresh.search({ topic: name, limit: 50 }), name);
    for (const { domain } of fresh.providers('', 25)) assert.deepEqual(library.search({ provider: domain, limit: 50 }), fresh.search({ provider: domain, limit: 50 }), domain);
    assert.deepEqual(library.search({ includeUnpublished: true, limit: 50 }), fresh.search({ includeUnpublished: true, limit: 50 }));
  } finally {
    await fresh.close();
  }
});

// A changed or deleted article's old terms stay in the search index as a tombstone until the index is rebuilt (see
// SearchIndex): they must never be found, while running, after a restart from the index cache, or across a rebuild.
test('tombstones: a changed or deleted article is found only as it is now, before and after restarts and rebuilds', async () => {
  const dir = path.join(root, 'tombstones');
  const stories = path.join(dir, 'content');
  const cacheDir = path.join(dir, 'cache');
  fs.mkdirSync(stories, { recursive: true });
  const file = (i: number) => path.join(stories, `story-${i}.md`);
  // Each story's word: no prefix of another's, and at least 3 edits from any other, so that spelling correction
  // does not find a neighbour for a word that is gone.
  const now = new Map<number, string>();
  const gone: string[] = [];
  const write = (i: number, kind: 'old' | 'new') => {
    const word = `${kind}${i}x${i}y${i}z`;
    if (now.has(i)) gone.push(now.get(i)!);
    now.set(i, word);
    fs.writeFileSync(file(i), article(`Plain ${word} story`, `story-${i}`));
  };
  for (let i = 0; i < 40; i++) write(i, 'old');
  const logged: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
  const open = async () => {
    const opened = await ArticleLibrary.open({ contentDir: stories, cacheDir, logger, watch: true, directRankMax: 0 });
    await opened.whenWarm();
    return opened;
  };
  let stories$ = await open();
  const titles = (words: string) => stories$.search({ words, includeUnpublished: true }).articles.map((a) => a.title);
  const check = () => {
    for (const [i, word] of now) assert.deepEqual(titles(word), [`Plain ${word} story`], `story ${i}`);
    for (const word of gone) assert.deepEqual(titles(word), [], word);
    assert.equal(stories$.search({ words: 'plain', includeUnpublished: true }).total, now.size);
  };
  const restart = async () => {
    await stories$.close();
    stories$ = await open();
    return logged.findLast((l) => l.event === 'articles.index_ready')?.how;
  };
  try {
    check();
    write(0, 'new');
    await until(() => titles(now.get(0)!).length === 1);
    check();
    fs.rmSync(file(1));
    gone.push(now.get(1)!);
    now.delete(1);
    await until(() => titles(gone.at(-1)!).length === 0);
    check();
    // Same words, another flag: the article keeps its slot, and search sees the flag.
    fs.writeFileSync(file(24), fs.readFileSync(file(24), 'utf8').replace('published: true', 'published: false'));
    await until(() => stories$.search({ words: now.get(24)! }).total === 0);
    check();
    assert.equal(await restart(), 'cache');
    check();
    await stories$.close();
    write(2, 'new'); // while the bot is down
    assert.equal(await restart(), 'patched cache');
    check();
    // Enough changes for the tombstones to pass their share: the index is rebuilt without them.
    for (let i = 3; i < 23; i++) write(i, 'new');
    await until(() => logged.some((l) => l.event === 'articles.index_rebuilt'));
    await until(() => titles(now.get(22)!).length === 1);
    check();
    assert.equal(await restart(), 'cache');
    check();
  } finally {
    await stories$.close();
  }
});

test('tombstones among the index\'s first candidates do not hide matches beyond them', async () => {
  const dir = path.join(root, 'many');
  fs.mkdirSync(dir);
  for (let i = 0; i < 1010; i++) fs.writeFileSync(path.join(dir, `story-${i}.md`), article(`Plain old${i}z story`, `story-${i}`));
  const many = await ArticleLibrary.open({ contentDir: dir, logger: createLogger('silent'), watch: true, directRankMax: 0 });
  try {
    await many.whenWarm();
    // 50 changes: 5% tombstones, too few for a rebuild, but some among the first 1,000 candidates for "plain".
    for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(dir, `story-${i}.md`), article(`Plain new${i}z story`, `story-${i}`));
    await until(() => Array.from({ length: 50 }, (_, i) => many.search({ words: `new${i}z`, includeUnpublished: true }).total).every((n) => n === 1));
    const last = many.search({ words: 'plain', includeUnpublished: true, offset: 1005, limit: 10 });
    assert.equal(last.total, 1010);
    assert.equal(last.articles.length, 5);
  } finally {
    await many.close();
  }
});
