// 300 bad or odd article files for the live-content reliability test, generated so each one states what a user
// should see: skipped with a reason naming the problem, or served (odd but valid: BOM, CRLF, long titles, wrong
// types on optional fields). A few are not plain files at all (a FIFO, a folder named x.md, a symlink loop):
// tests run as root, for whom chmod 000 still reads, so these are how a read is made to fail.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ArticleLibrary } from '../../src/articles/library.js';
import { createLogger } from '../../src/log.js';
import { writeFixtureArticles } from './bot.js';

export type Expectation =
  /** Rejected, and logged once with a reason matching this. */
  | { kind: 'skipped'; reason: RegExp }
  /** Served: a search for `word` finds it. */
  | { kind: 'served'; word: string }
  /** Neither (it vanished, or it is not an article file): never served, never logged as skipped. */
  | { kind: 'ignored' };

export interface ContentCase {
  /** The file's path relative to the content folder. */
  file: string;
  why: string;
  expect: Expectation;
  /** Puts the file in place (and, for the timing cases, keeps changing it for a moment). */
  create(full: string): Promise<void> | void;
}

/** A valid article whose title holds `word`, with a URL of its own. */
export function validArticle(word: string, extra: string[] = [], newline = '\n'): string {
  return [
    '---',
    `title: "Reliability ${word} story"`,
    'publishedDateTime: 2026-11-20T09:00:00Z',
    `webUrl: "https://reliability.example.com/${word}"`,
    'provider:',
    '  name: Reliability Wire',
    '  domain: reliability.example.com',
    ...extra,
    '---',
    'Body text.',
    '',
  ].join(newline);
}

const write = (content: string | Buffer) => (full: string) => fs.writeFileSync(full, content);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Deterministic bytes (no Math.random), so a failing case can be reproduced from its name. */
function pseudoBinary(seed: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let x = seed * 2654435761;
  for (let i = 0; i < length; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    bytes[i] = x & 0xff;
  }
  bytes[0] = 0x00; // never starts like front matter
  return bytes;
}

const BROKEN_YAML = [
  (i: number) => `---\ntitle: "never closed ${i}\npublishedDateTime: 2026-11-20T09:00:00Z\n---\n`,
  (i: number) => `---\ntitle: Broken ${i}\n  webUrl: [unclosed\n---\n`,
  (i: number) => `---\ntitle: compact: mapping ${i}\n---\n`,
  (i: number) => `---\ntitle: a\ntitle: b ${i}\n---\n`,
  (i: number) => `---\n: no key ${i}\n- and a list\n---\n`,
  (i: number) => `---\ntitle: {unclosed map ${i}\n---\n`,
];

const WRONG_TYPES: [string, RegExp][] = [
  ['title: [a, list]', /^title: /],
  ['title: {a: map}', /^title: /],
  ['title: ""', /^title: is missing or empty/],
  ['title: null', /^title: /],
  ['publishedDateTime: not a date', /^publishedDateTime: is not a valid date/],
  ['publishedDateTime: [2026]', /^publishedDateTime: /],
  ['webUrl: "javascript:alert(1)"', /^webUrl: is not a valid http\(s\) URL/],
  ['webUrl: 42', /^webUrl: is not a valid http\(s\) URL/],
  ['webUrl: "https://user:pw@evil.example.com/"', /^webUrl: is not a valid http\(s\) URL/],
  ['webUrl: "ftp://files.example.com/a"', /^webUrl: is not a valid http\(s\) URL/],
];

/** Front matter where every required field is right but `field` is replaced by `line`. */
function withField(word: string, field: 'title' | 'publishedDateTime' | 'webUrl', line: string): string {
  return validArticle(word).split('\n').map((l) => (l.startsWith(`${field}:`) ? line : l)).join('\n');
}

/** Optional fields of the wrong type degrade to defaults: the article is still served. */
const ODD_OPTIONAL = ['quality: high', 'topics: Space', 'images: 5', 'type: [video]', 'related: "none"', 'published: maybe', 'heat: [1, 2]', 'excerpt: {a: 1}'];

export function badContent(): ContentCase[] {
  const cases: ContentCase[] = [];
  const add = (count: number, make: (i: number) => Omit<ContentCase, 'file'> & { file?: string }, prefix: string) => {
    for (let i = 0; i < count; i++) {
      const made = make(i);
      cases.push({ file: made.file ?? `${prefix}-${i}.md`, ...made });
    }
  };

  add(60, (i) => ({ why: 'broken YAML', expect: { kind: 'skipped', reason: /^YAML/ }, create: write(BROKEN_YAML[i % BROKEN_YAML.length]!(i)) }), 'yaml');
  add(50, (i) => {
    const [line, reason] = WRONG_TYPES[i % WRONG_TYPES.length]!;
    const field = line.split(':')[0] as 'title' | 'publishedDateTime' | 'webUrl';
    return { why: `wrong type: ${line}`, expect: { kind: 'skipped', reason }, create: write(withField(`wrongtype${i}`, field, line)) };
  }, 'type');
  add(20, () => ({ why: 'empty', expect: { kind: 'skipped', reason: /^title: is missing/ }, create: write('') }), 'empty');
  add(20, (i) => ({ why: 'binary', expect: { kind: 'skipped', reason: /^encoding: the file holds NUL bytes/ }, create: write(pseudoBinary(i + 1, 4096)) }), 'binary');
  add(10, (i) => ({ why: 'no front matter', expect: { kind: 'skipped', reason: /^title: is missing/ }, create: write(`# Just markdown ${i}\n\ntitle: not front matter\n`) }), 'plain');
  add(20, (i) => ({ why: 'UTF-8 BOM', expect: { kind: 'served', word: `bom${i}` }, create: write(`\uFEFF${validArticle(`bom${i}`)}`) }), 'bom');
  add(20, (i) => ({ why: 'CRLF line ends', expect: { kind: 'served', word: `crlf${i}` }, create: write(validArticle(`crlf${i}`, [], '\r\n')) }), 'crlf');
  add(39, (i) => ({ why: `odd optional field: ${ODD_OPTIONAL[i % ODD_OPTIONAL.length]}`, expect: { kind: 'served', word: `oddfield${i}` }, create: write(validArticle(`oddfield${i}`, [ODD_OPTIONAL[i % ODD_OPTIONAL.length]!])) }), 'oddfield');
  add(1, () => ({
    why: 'a symlink to an article kept outside the folder',
    expect: { kind: 'served', word: 'symlinked' },
    create: (full) => {
      const source = path.join(path.dirname(full), '..', 'linked-source.md');
      fs.writeFileSync(source, validArticle('symlinked'));
      fs.symlinkSync(source, full);
    },
  }), 'symlinked');
  add(1, () => ({
    why: 'a 5 MB related list',
    expect: { kind: 'skipped', reason: /^file is 5\.\d MB, over the 1 MiB limit for an article file: split or trim it$/ },
    create: write(validArticle('hugerelated', ['related:', ...Array.from({ length: 60_000 }, (_, j) => `  - {webUrl: "https://related.example.com/${j}", title: "Related coverage number ${j}"}`)])),
  }), 'huge-related');
  add(2, (i) => ({ why: 'a 10,000-character title', expect: { kind: 'served', word: `longtitle${i}` }, create: write(withField(`longtitle${i}`, 'title', `title: "Reliability longtitle${i} ${'x'.repeat(10_000)}"`)) }), 'long-title');
  // Written, then gone before (or while) the library reads it: nothing to serve and nothing to report.
  add(20, (i) => ({
    why: 'vanishes mid-read',
    expect: { kind: 'ignored' },
    create: async (full) => {
      fs.writeFileSync(full, i % 2 ? validArticle(`vanish${i}`) : '---\ntitle: "half');
      await sleep(10 * (i % 20));
      fs.rmSync(full, { force: true });
    },
  }), 'vanish');
  // Half-written, then completed: served, and never reported as broken.
  add(20, (i) => ({
    why: 'changes mid-read',
    expect: { kind: 'served', word: `midchange${i}` },
    create: async (full) => {
      const text = validArticle(`midchange${i}`);
      fs.writeFileSync(full, text.slice(0, text.indexOf('webUrl')));
      await sleep(20 * (i % 10));
      fs.writeFileSync(full, text);
    },
  }), 'midchange');
  add(4, (i) => ({ file: `unreadable-dir-${i}.md`, why: 'a folder named like an article', expect: { kind: 'ignored' }, create: (full) => fs.mkdirSync(full) }), '');
  add(4, (i) => ({
    file: `unreadable-fifo-${i}.md`,
    why: 'a FIFO nobody writes to (a read would block forever)',
    expect: { kind: 'skipped', reason: /not a regular file|unreadable/ },
    create: (full) => void execFileSync('mkfifo', [full]),
  }), '');
  add(1, () => ({
    file: 'loop-a.md',
    why: 'a symlink loop',
    expect: { kind: 'skipped', reason: /unreadable|ELOOP/ },
    create: (full) => {
      // The other end is not named *.md, so this is one article file, not two.
      const other = path.join(path.dirname(full), 'loop-b.link');
      fs.symlinkSync(other, full);
      fs.symlinkSync(full, other);
    },
  }), '');
  // The rest of the file is read as front matter, so the first field it lacks is named.
  add(8, (i) => ({ why: 'front matter not closed', expect: { kind: 'skipped', reason: /^webUrl: is missing/ }, create: write(`---\ntitle: "Unclosed ${i}"\npublishedDateTime: 2026-11-20T09:00:00Z\n`) }), 'unclosed');
  return cases;
}

/**
 * A file whose front matter is JavaScript that, were it ever evaluated, would write `marker` and put the bot's
 * token into the title. `language` is what follows the opening "---" ("js", "javascript", …).
 */
export function codeFrontMatter(language: string, marker: string, word: string): string {
  return [
    `---${language}`,
    '{',
    `  title: (require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran'), 'Leaked ${word} ' + process.env.DISCORD_TOKEN),`,
    "  publishedDateTime: '2026-11-20T09:00:00Z',",
    `  webUrl: 'https://reliability.example.com/${word}',`,
    '}',
    '---',
    'Body text.',
    '',
  ].join('\n');
}

export interface WatchedFolder {
  root: string;
  contentDir: string;
  library: ArticleLibrary;
  /** Every log line, parsed. */
  lines: Record<string, unknown>[];
  /** The reasons the library gave for skipping `file` (relative to the content folder), in order. */
  skipReasons(file: string): string[];
  close(): Promise<void>;
}

/**
 * A content folder with the bot's fixture articles, `extra` files written before start-up, and a watching library
 * (with its caches under the temp folder) opened on it, its log lines captured.
 */
export async function openWatchedFolder(extra: Record<string, string | Buffer> = {}): Promise<WatchedFolder> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-content-'));
  const contentDir = path.join(root, 'content');
  writeFixtureArticles(contentDir, new Date());
  for (const [file, content] of Object.entries(extra)) fs.writeFileSync(path.join(contentDir, file), content);
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const library = await ArticleLibrary.open({ contentDir, cacheDir: path.join(root, 'cache'), logger, watch: true });
  return {
    root,
    contentDir,
    library,
    lines,
    skipReasons: (file) => lines.filter((l) => l.event === 'articles.file_skipped' && l.file === file).map((l) => String(l.reason)),
    async close() {
      await library.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

const words = (count: number, word: string) => Array.from({ length: count }, (_, i) => `${word}${i % 1000}`).join(' ');

/**
 * The files issue 10 found freezing or crashing the bot (a 12 MB file, a 5 MB title, a 44 MB related list), a YAML
 * alias bomb (a few lines that expand to 10^9 values), and a file within the size limit whose fields are all far
 * over theirs, by relative path.
 */
export function oversizedContent(): Record<string, string> {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let level = 1; level < 9; level++) {
    const [name, previous] = [String.fromCharCode(97 + level), String.fromCharCode(96 + level)];
    bomb.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`);
  }
  return {
    'huge-file.md': validArticle('hugefile', [`excerpt: "${words(1_300_000, 'filler')}"`]),
    'huge-title.md': validArticle('hugetitle').replace('title: "Reliability hugetitle story"', `title: "Reliability hugetitle ${words(620_000, 'spam')}"`),
    'huge-related.md': validArticle('hugerelated', ['related:', ...Array.from({ length: 580_000 }, (_, j) => `  - {webUrl: "https://related.example.com/${j}", title: "Related ${j}"}`)]),
    'alias-bomb.md': validArticle('aliasbomb', [...bomb, 'topics: *i', 'images: *i']),
    'long-fields.md': validArticle('longfields', [
      `excerpt: "${words(20_000, 'excerptword')}"`,
      'topics:',
      ...Array.from({ length: 300 }, (_, i) => `  - "Topic ${i} ${'t'.repeat(i === 0 ? 5_000 : 0)}"`),
      'related:',
      ...Array.from({ length: 3_000 }, (_, j) => `  - {webUrl: "https://related.example.com/${j}", title: "Related ${j}"}`),
    ]).replace('title: "Reliability longfields story"', `title: "Reliability longfields ${words(30_000, 'titleword')}"`),
  };
}
