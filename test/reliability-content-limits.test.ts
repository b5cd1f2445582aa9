// One big file must not freeze or crash-loop the bot (issue 10): a 12 MB file ran it out of memory, a 5 MB title
// froze searches for 20 s, a 44 MB related list for 4 s. Files over the size limit are skipped unread and named; an
// alias bomb is refused; fields over their limits are cut, the article served and the cut logged once. At
// start-up, dropped into the live folder, and in a child process with a small heap, where the old code died.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { EXCERPT_MAX, RELATED_MAX, TITLE_MAX, TOPIC_NAME_MAX, TOPICS_MAX } from '../src/articles/limits.js';
import { articleId } from '../src/articles/normalize.js';
import { FIXTURE_ARTICLES, waitUntil } from './helpers/bot.js';
import { openWatchedFolder, oversizedContent, type WatchedFolder } from './helpers/reliability-content.js';
import { projectRoot } from './helpers/shared.js';

const files = oversizedContent();
const SKIPPED: Record<string, RegExp> = {
  'huge-file.md': /^file is 12\.9 MB, over the 1 MiB limit for an article file: split or trim it$/,
  'huge-title.md': /^file is 4\.9 MB, over the 1 MiB limit for an article file: split or trim it$/,
  'huge-related.md': /^file is 43\.9 MB, over the 1 MiB limit for an article file: split or trim it$/,
  'alias-bomb.md': /^front matter: more than 200,000 values, counting each use of a YAML alias/,
};
const CUT_FILE = 'long-fields.md';
let source: string;

before(() => {
  source = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-oversized-'));
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(source, file), text);
});
after(() => fs.rmSync(source, { recursive: true, force: true }));

/** The library answers, serves every good article and the cut one (cut), and names each oversized file once. */
function assertBounded(folder: WatchedFolder, prefix: string): void {
  for (const [file, reason] of Object.entries(SKIPPED)) {
    const reasons = folder.skipReasons(`${prefix}${file}`);
    assert.equal(reasons.length, 1, `${file}: ${reasons.join(' | ')}`);
    assert.match(reasons[0]!, reason);
  }
  for (const { title } of FIXTURE_ARTICLES) assert.equal(folder.library.search({ words: title, includeUnpublished: true }).total > 0, true, title);
  const cut = folder.library.get(articleId('https://reliability.example.com/longfields'))!;
  assert.ok(cut, 'the article with long fields is served');
  assert.ok(cut.title.startsWith('Reliability longfields titleword0') && cut.title.length <= TITLE_MAX, `title of ${cut.title.length}`);
  assert.ok(cut.excerpt.length <= EXCERPT_MAX);
  assert.equal(cut.topics.length, TOPICS_MAX);
  assert.ok(cut.topics.every((t) => t.length <= TOPIC_NAME_MAX));
  assert.equal(cut.related.length, RELATED_MAX);
  assert.equal(folder.library.search({ words: 'longfields titleword999' }).total, 1);
  const cutLines = folder.lines.filter((l) => l.event === 'articles.fields_cut' && l.file === `${prefix}${CUT_FILE}`);
  assert.equal(cutLines.length, 1);
  assert.deepEqual((cutLines[0]!.cuts as string[]).map((c) => c.split(':')[0]), ['topics', 'related', 'title', 'excerpt', 'topic names']);
  assert.match(String((cutLines[0]!.cuts as string[])[1]), /^related: 3,000 entries, cut to 1,000$/);
}

test('at start-up, oversized files are named and skipped, an alias bomb refused, long fields cut: the rest loads', { timeout: 60_000 }, async () => {
  const folder = await openWatchedFolder(files);
  try {
    assertBounded(folder, '');
  } finally {
    await folder.close();
  }
});

test('dropped into the live folder, the same files are named, refused or cut while every search keeps answering', { timeout: 60_000 }, async () => {
  const folder = await openWatchedFolder();
  try {
    fs.mkdirSync(path.join(folder.contentDir, 'live'));
    for (const file of Object.keys(files)) fs.copyFileSync(path.join(source, file), path.join(folder.contentDir, 'live', file));
    await waitUntil(() => {
      assert.ok(folder.library.search({ words: 'reliability', includeUnpublished: true }).total >= 0);
      return Object.keys(SKIPPED).every((file) => folder.skipReasons(`live/${file}`).length > 0) && folder.library.search({ words: 'longfields' }).total === 1;
    }, 'the live files to be read', 30_000);
    assertBounded(folder, 'live/');
  } finally {
    await folder.close();
  }
});

test('in a process with a 160 MB heap the library opens over these files and answers', { timeout: 120_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-smallheap-'));
  try {
    fs.cpSync(source, dir, { recursive: true });
    const run = spawnSync(process.execPath, ['--max-old-space-size=160', '--import', 'tsx', 'test/helpers/open-library.ts', dir, 'longfields'], {
      cwd: projectRoot,
      encoding: 'utf8',
      timeout: 100_000,
      env: { ...process.env, LOG_LEVEL: 'info' },
    });
    assert.equal(run.status, 0, `exit ${run.status} ${run.signal ?? ''}: ${run.stderr.slice(-2000)}`);
    assert.deepEqual(JSON.parse(run.stdout.trim().split('\n').at(-1)!).found, 1);
    const skipped = run.stderr.split('\n').filter((l) => l.includes('articles.file_skipped')).map((l) => (JSON.parse(l) as { file: string }).file);
    assert.deepEqual(skipped.sort(), Object.keys(SKIPPED).sort());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
