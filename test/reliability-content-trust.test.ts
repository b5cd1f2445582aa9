// Content is data, never code (issue 10). A file's front matter in JavaScript would run inside the bot: here it
// tries to write a marker file and to put the bot's token into a searchable title, at start-up, dropped into the
// live folder, and through `npm run digest`. It must never run, and be named with its language instead.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readFrontMatter } from '../src/articles/front-matter.js';
import { parseArticleText } from '../src/articles/parse.js';
import { waitUntil } from './helpers/bot.js';
import { codeFrontMatter, openWatchedFolder, validArticle, type WatchedFolder } from './helpers/reliability-content.js';
import { projectRoot } from './helpers/shared.js';

// What the bot's token would be: if any attack ran, this string shows up in a title.
const TOKEN = 'MTIz.trust-test-token.never-shown';
process.env.DISCORD_TOKEN = TOKEN;

const LANGUAGES = ['js', 'javascript', 'JS', ' js', 'json', 'coffee', 'toml'];
const notAllowed = (language: string) => new RegExp(`^front matter: language "${language.trim()}" is not allowed: only YAML front matter is read$`);
const attackFiles = (marker: string) => Object.fromEntries(LANGUAGES.map((language, i) => [`code-${i}.md`, codeFrontMatter(language, marker, `code${i}`)]));

/** Every place a title could show the token: all articles, and a search for it. */
function leaked(folder: WatchedFolder): string[] {
  const texts = folder.library.all().flatMap((a) => [a.title, a.excerpt]);
  const found = folder.library.search({ words: 'leaked', includeUnpublished: true }).articles.map((a) => a.title);
  return [...texts, ...found].filter((t) => t.includes(TOKEN) || t.includes('Leaked'));
}

test('front matter in JavaScript (or any language but YAML) never runs at start-up: skipped, its language named', async () => {
  const marker = path.join(os.tmpdir(), `newsdesk-ran-${process.pid}-startup`);
  const folder = await openWatchedFolder(attackFiles(marker));
  try {
    assert.equal(fs.existsSync(marker), false, 'the front matter ran');
    assert.deepEqual(leaked(folder), []);
    LANGUAGES.forEach((language, i) => assert.match(folder.skipReasons(`code-${i}.md`).join(), notAllowed(language)));
    assert.ok(folder.library.size > 0, 'the good articles are served');
  } finally {
    fs.rmSync(marker, { force: true });
    await folder.close();
  }
});

test('front matter in JavaScript dropped into the live folder never runs: skipped, its language named', async () => {
  const marker = path.join(os.tmpdir(), `newsdesk-ran-${process.pid}-live`);
  const folder = await openWatchedFolder();
  try {
    for (const [file, text] of Object.entries(attackFiles(marker))) fs.writeFileSync(path.join(folder.contentDir, file), text);
    fs.writeFileSync(path.join(folder.contentDir, 'after.md'), validArticle('aftercode'));
    await waitUntil(() => LANGUAGES.every((_, i) => folder.skipReasons(`code-${i}.md`).length > 0) && folder.library.search({ words: 'aftercode' }).total === 1, 'the live files to be read');
    assert.equal(fs.existsSync(marker), false, 'the front matter ran');
    assert.deepEqual(leaked(folder), []);
    LANGUAGES.forEach((language, i) => assert.match(folder.skipReasons(`code-${i}.md`)[0]!, notAllowed(language)));
  } finally {
    fs.rmSync(marker, { force: true });
    await folder.close();
  }
});

test('npm run digest never runs front matter in JavaScript: nothing written, the token nowhere, the file named', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-trust-cli-'));
  const marker = path.join(dir, 'ran');
  try {
    fs.mkdirSync(path.join(dir, 'content'));
    fs.writeFileSync(path.join(dir, 'content', 'code.md'), codeFrontMatter('js', marker, 'code'));
    fs.writeFileSync(path.join(dir, 'content', 'good.md'), validArticle('good'));
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/digest.ts', '--content', path.join(dir, 'content'), '--window', 'all', '--json'], {
      cwd: projectRoot,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, DISCORD_TOKEN: TOKEN, LOG_LEVEL: 'info', CONTENT_DIR: '', DIGEST_TIMEZONE: '', DATA_DIR: path.join(dir, 'data') },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(fs.existsSync(marker), false, 'the front matter ran');
    assert.ok(!run.stdout.includes(TOKEN) && !run.stderr.includes(TOKEN), 'the token was printed');
    assert.match(run.stdout, /Reliability good story/);
    const skipped = run.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'articles.file_skipped');
    assert.deepEqual(skipped.map((l) => [l.file, l.reason]), [['code.md', 'front matter: language "js" is not allowed: only YAML front matter is read']]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('YAML is read as plain data: no custom tags, no dates, no merge keys; "---yaml" and "---yml" still read', () => {
  const fields = (extra: string, opening = '---') => parseArticleText(validArticle('plain', [extra]).replace(/^---/, opening), 'plain.md');
  for (const tag of ['title2: !!binary aGVsbG8=', 'title2: !!timestamp 2026-11-20', 'title2: !!js/function "function () {}"', 'title2: !custom x']) {
    const result = fields(tag);
    assert.ok(!result.ok && /^YAML line \d+: unknown tag/.test(result.reason), `${tag}: ${JSON.stringify(result)}`);
  }
  assert.deepEqual(readFrontMatter('---\nwhen: 2026-11-20T09:00:00Z\nb: &b {x: 1}\nother:\n  <<: *b\n---\n'), { when: '2026-11-20T09:00:00Z', b: { x: 1 }, other: { '<<': { x: 1 } } });
  for (const opening of ['---yaml', '---YML', '--- ']) assert.ok(fields('', opening).ok, opening);
});

const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();
const ENCODINGS: [string, Buffer, RegExp][] = [
  ['utf16le-bom.md', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(validArticle('utf16le'), 'utf16le')]), /^encoding: the file is UTF-16; save it as UTF-8$/],
  ['utf16be-bom.md', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(validArticle('utf16be'))]), /^encoding: the file is UTF-16; save it as UTF-8$/],
  ['utf16le-nobom.md', Buffer.from(validArticle('utf16nobom'), 'utf16le'), /^encoding: the file holds NUL bytes \(UTF-16 or UTF-32 text, or not text at all\); save it as UTF-8$/],
  ['latin1.md', Buffer.from(validArticle('latin1').replace('story', 'café story'), 'latin1'), /^encoding: the file is not valid UTF-8; save it as UTF-8$/],
];

test('a file in UTF-16 (or not UTF-8 at all) is named for its encoding, at start-up and dropped in live', async () => {
  const folder = await openWatchedFolder(Object.fromEntries(ENCODINGS.map(([file, bytes]) => [file, bytes])));
  try {
    for (const [file, , reason] of ENCODINGS) assert.match(folder.skipReasons(file).join(' | '), reason, file);
    for (const [file, bytes] of ENCODINGS) fs.writeFileSync(path.join(folder.contentDir, `live-${file}`), bytes);
    await waitUntil(() => ENCODINGS.every(([file]) => folder.skipReasons(`live-${file}`).length > 0), 'the live files to be named');
    for (const [file, , reason] of ENCODINGS) assert.match(folder.skipReasons(`live-${file}`).join(' | '), reason, `live-${file}`);
    // A UTF-8 byte order mark is still fine.
    fs.writeFileSync(path.join(folder.contentDir, 'utf8-bom.md'), `\uFEFF${validArticle('utf8bom')}`);
    await waitUntil(() => folder.library.search({ words: 'utf8bom' }).total === 1, 'the UTF-8 file with a BOM to be served');
  } finally {
    await folder.close();
  }
});

// Each value issue 10 found passing as a real date, as a file gives it.
const BAD_DATES: Record<string, string> = {
  'rolled-over.md': '2026-13-45',
  'free-text.md': '"next tuesday 1"',
  'bare-number.md': '20261120',
  'min-date.md': '-8.64e15',
  'far-future.md': '"+275760-09-13T00:00:00.000Z"',
  'year-2150.md': '2150-01-01T00:00:00Z',
};
const badDateFiles = (prefix: string) =>
  Object.fromEntries(Object.entries(BAD_DATES).map(([file, value]) => [`${prefix}${file}`, validArticle(`${prefix}${file.replace(/\W/g, '')}`).replace('publishedDateTime: 2026-11-20T09:00:00Z', `publishedDateTime: ${value}`)]));

test('a date that is not a real ISO 8601 date-time is named and the file skipped: never first in /news latest', async () => {
  const folder = await openWatchedFolder(badDateFiles(''));
  try {
    const check = (prefix: string) => {
      for (const file of Object.keys(BAD_DATES)) assert.match(folder.skipReasons(`${prefix}${file}`).join(' | '), /^publishedDateTime: is not a valid date: /, file);
      assert.ok(folder.library.all().every((a) => a.publishedAt.getUTCFullYear() >= 1970 && a.publishedAt.getUTCFullYear() < 2100));
      assert.ok(folder.library.all().every((a) => !a.url.startsWith('https://reliability.example.com/')));
    };
    check('');
    for (const [file, text] of Object.entries(badDateFiles('live-'))) fs.writeFileSync(path.join(folder.contentDir, file), text);
    await waitUntil(() => Object.keys(BAD_DATES).every((file) => folder.skipReasons(`live-${file}`).length > 0), 'the live files to be named');
    check('live-');
  } finally {
    await folder.close();
  }
});

// Characters with no visible form, each hidden inside "Space" and "Lander": issue 10's list, and tag characters.
const INVISIBLES = ['\u2060', '\u061C', '\u180E', '\u00AD', '\u034F', '\u3164', '\u{E0041}\u{E007F}', '\u200D', '\uFE0F'];
const invisibleFile = (char: string, i: number) =>
  validArticle(`invisible${i}`, ['topics:', `  - "Sp${char}ace"`]).replace(`title: "Reliability invisible${i} story"`, `title: "Reliability invisible${i} Lan${char}der story"`);

test('invisible characters never reach a title or topic: "Sp\\u2060ace" is the topic Space, one autocomplete entry', async () => {
  const folder = await openWatchedFolder(Object.fromEntries(INVISIBLES.map((char, i) => [`invisible-${i}.md`, invisibleFile(char, i)])));
  const { library } = folder;
  const visible = /^[\p{L}\p{N}\p{P}\p{S}\p{Zs}]*$/u;
  const check = (count: number) => {
    const articles = library.all().filter((a) => a.title.includes('invisible'));
    assert.equal(articles.length, count);
    for (const a of articles) {
      assert.match(a.title, /^Reliability invisible\d+ Lander story$/);
      assert.deepEqual(a.topics, ['Space']);
      assert.ok([a.title, ...a.topics].every((t) => visible.test(t)));
    }
    assert.deepEqual(library.topics('sp').map((t) => t.name), ['Space']);
    assert.equal(library.search({ topic: 'Sp\u2060ace', includeUnpublished: true }).total, library.search({ topic: 'Space', includeUnpublished: true }).total);
    assert.equal(library.search({ words: 'lan\u00ADder', includeUnpublished: true }).total, count);
  };
  try {
    check(INVISIBLES.length);
    INVISIBLES.forEach((char, i) => fs.writeFileSync(path.join(folder.contentDir, `live-invisible-${i}.md`), invisibleFile(char, INVISIBLES.length + i)));
    await waitUntil(() => library.all().filter((a) => a.title.includes('invisible')).length === 2 * INVISIBLES.length, 'the live files to be served');
    check(2 * INVISIBLES.length);
  } finally {
    await folder.close();
  }
});
