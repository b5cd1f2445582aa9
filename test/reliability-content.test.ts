// Bad content while running: 300 generated bad or odd files (broken YAML, wrong types, empty, binary, BOM, CRLF, a
// 5 MB related list (over the size limit for a file), a 10,000-character title, files that vanish or change
// mid-read, a FIFO, a folder named x.md, a symlink loop) dropped at once into the content folder of a live,
// watching ArticleLibrary (the one the bot serves from). It must not crash, must name each bad file once with its
// reason, keep serving every good article throughout, and pick each file up once it is fixed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ArticleLibrary } from '../src/articles/library.js';
import { articleId } from '../src/articles/normalize.js';
import { createLogger } from '../src/log.js';
import { FIXTURE_ARTICLES, waitUntil, writeFixtureArticles } from './helpers/bot.js';
import { badContent, validArticle } from './helpers/reliability-content.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-badcontent-'));
const contentDir = path.join(root, 'content');
const lines: Record<string, unknown>[] = [];
const cases = badContent();
let library: ArticleLibrary;

// Long enough for 300 files on a slow machine (each broken one is retried for about a second, in case it was
// caught half-written), short enough that a stuck update queue fails the test instead of hanging CI.
const SETTLE_MS = 45_000;

before(async () => {
  writeFixtureArticles(contentDir, new Date());
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  library = await ArticleLibrary.open({ contentDir, cacheDir: path.join(root, 'cache'), logger, watch: true });
});
after(async () => {
  await library?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const reliabilityUrl = (word: string) => `https://reliability.example.com/${word}`;
const served = (word: string) => library.get(articleId(reliabilityUrl(word))) !== undefined;
const skipLines = (file: string) => lines.filter((l) => l.msg === 'article file skipped' && l.file === file);
const goodTitles = FIXTURE_ARTICLES.map((a) => a.title);

/** The fixture articles the library no longer serves (search by their exact titles); the goal is none. */
function lostGoodArticles(): string[] {
  const all = new Set(library.all().map((a) => a.title));
  return goodTitles.filter((title) => !all.has(title));
}

/** Waits until `left()` is empty, checking at every poll that every good article is still being served. */
async function untilServing(left: () => readonly { file: string; why: string }[], what: string): Promise<void> {
  try {
    await waitUntil(() => {
      assert.deepEqual(lostGoodArticles(), [], 'a good article stopped being served');
      return left().length === 0;
    }, what, SETTLE_MS);
  } catch (error) {
    const rest = left();
    throw new Error(`${(error as Error).message}; ${rest.length} left, such as ${rest.slice(0, 8).map((c) => `${c.file} (${c.why})`).join(', ')}`);
  }
}

/** Waits until no log line has arrived for `quietMs`, so a late duplicate report would be seen. */
async function quiet(quietMs = 1500): Promise<void> {
  let seen = -1;
  let since = Date.now();
  await waitUntil(() => {
    if (lines.length !== seen) [seen, since] = [lines.length, Date.now()];
    return Date.now() - since >= quietMs;
  }, 'the library to go quiet', SETTLE_MS);
}

test('300 bad or odd files dropped into the live folder: each bad one named once with its reason, the odd ones and every good one served', { timeout: 90_000 }, async () => {
  assert.equal(cases.length, 300);
  assert.equal(library.size, FIXTURE_ARTICLES.length);
  await Promise.all(cases.map((c) => c.create(path.join(contentDir, c.file))));

  const pending = () => cases.filter((c) => (c.expect.kind === 'skipped' ? skipLines(c.file).length === 0 : c.expect.kind === 'served' && !served(c.expect.word)));
  await untilServing(pending, 'every file to be served or named');
  await quiet();

  const problems = cases.flatMap((c) => {
    const reported = skipLines(c.file).map((l) => String(l.reason));
    const where = `${c.file} (${c.why})`;
    switch (c.expect.kind) {
      case 'skipped':
        if (reported.length !== 1) return [`${where}: named ${reported.length} times: ${reported.join(' | ')}`];
        return c.expect.reason.test(reported[0]!) ? [] : [`${where}: reason "${reported[0]}" does not match ${c.expect.reason}`];
      case 'served':
        return reported.length ? [`${where}: served but also reported as skipped: ${reported.join(' | ')}`] : [];
      case 'ignored':
        return reported.length ? [`${where}: reported as skipped: ${reported.join(' | ')}`] : [];
    }
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(lostGoodArticles(), []);
  assert.deepEqual(lines.filter((l) => Number(l.level) >= 50), [], 'no error was logged');
  // A long title is served and stays searchable.
  assert.equal(library.search({ words: 'longtitle0', includeUnpublished: true }).articles.length, 1);
});

test('every bad file is picked up once it is fixed, and nothing is named again', { timeout: 90_000 }, async () => {
  const broken = cases.filter((c) => c.expect.kind !== 'served');
  const reportsBefore = lines.filter((l) => l.msg === 'article file skipped').length;
  // A folder, FIFO or link is removed first, then a plain file written in its place, as someone repairing the
  // folder would. (Replaced within the same instant, a folder's removal and the new file both go unseen by the watcher.)
  for (const c of broken) fs.rmSync(path.join(contentDir, c.file), { recursive: true, force: true });
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (const [i, c] of broken.entries()) fs.writeFileSync(path.join(contentDir, c.file), validArticle(`fixed${i}`));
  const waiting = () => broken.filter((_, i) => !served(`fixed${i}`));
  await untilServing(waiting, 'every fixed file to be served');
  await quiet();
  assert.equal(lines.filter((l) => l.msg === 'article file skipped').length, reportsBefore, 'a fixed file was reported as skipped');
  assert.equal(library.size, FIXTURE_ARTICLES.length + cases.filter((c) => c.expect.kind === 'served').length + broken.length);
});

test('a restart over the same folder serves exactly what the live library served, with and without its caches', { timeout: 60_000 }, async () => {
  const live = new Set(library.all().map((a) => a.id));
  // Closing writes the caches a restart reads, as stopping the bot does.
  await library.close();
  for (const cacheDir of [path.join(root, 'cache'), null]) {
    const restarted = await ArticleLibrary.open({ contentDir, cacheDir, logger: createLogger('silent') });
    try {
      const missing = [...live].filter((id) => !restarted.get(id)).map((id) => library.get(id)!.sourcePath);
      assert.deepEqual(missing, [], `lost on a restart ${cacheDir ? 'with' : 'without'} caches`);
      assert.equal(restarted.size, live.size);
    } finally {
      await restarted.close();
    }
  }
});
