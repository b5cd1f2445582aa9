// `npm run digest` reads and writes the parse cache under DATA_DIR, as the bot does: a second preview of the same
// folder reads the cache instead of parsing every file (it printed the same digest in 5.6-7.9 s each time on the
// coronavirus corpus), a preview of the bot's own CONTENT_DIR uses the bot's cache, and a preview of another folder
// never replaces it. Each preview is a real child process; which articles came from the cache is read from its
// 'articles loaded' log line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { ArticleLibrary } from '../src/articles/library.js';
import { createLogger } from '../src/log.js';
import { projectRoot } from './helpers/shared.js';

const fixtures = path.join(projectRoot, 'test/fixtures/articles');
const FIXTURE_FILES = 13;
const SAMPLE_MORNING = '2020-05-08T12:00:00Z';

let root: string;
let dataDir: string;
let contentDir: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-preview-cache-'));
  dataDir = path.join(root, 'data');
  contentDir = path.join(root, 'content');
  fs.cpSync(fixtures, contentDir, { recursive: true });
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

interface Preview { status: number | null; stdout: string; warnings: Record<string, unknown>[]; fromCache: number; parsed: number }

function preview(args: string[], settings: Record<string, string> = {}): Preview {
  const { CONTENT_DIR: _content, DIGEST_TIMEZONE: _zone, ...rest } = process.env;
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/digest.ts', '--now', SAMPLE_MORNING, '--window', 'all', ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...rest, LOG_LEVEL: 'info', DATA_DIR: dataDir, CONTENT_DIR: contentDir, DIGEST_TIMEZONE: '', ...settings },
  });
  const lines = result.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const loaded = lines.find((l) => l.event === 'articles.loaded');
  assert.ok(loaded, `no 'articles loaded' line in:\n${result.stderr}`);
  const files = loaded.files as number;
  return { status: result.status, stdout: result.stdout, warnings: lines.filter((l) => l.level === 40 && l.event !== 'articles.file_skipped'), fromCache: loaded.fromCache as number, parsed: files - (loaded.fromCache as number) };
}

test('a second preview of the same folder reads the parse cache the first one wrote, and prints the same digest', () => {
  const first = preview(['--content', contentDir]);
  assert.equal(first.status, 0);
  assert.equal(first.fromCache, 0);
  const second = preview(['--content', contentDir]);
  assert.equal(second.status, 0);
  assert.deepEqual({ fromCache: second.fromCache, parsed: second.parsed }, { fromCache: FIXTURE_FILES, parsed: 0 });
  assert.equal(second.stdout, first.stdout);
  assert.deepEqual(second.warnings, []);
});

test('a file changed since the last preview is parsed again and shown as it is now; the rest comes from the cache', () => {
  preview([]);
  const file = path.join(contentDir, 'news/2020-05-01-vaccine-trial.md');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replaceAll('Moderna vaccine trial expands', 'Pfizer booster study widens'));
  const after = preview(['--size', '10']);
  assert.deepEqual({ fromCache: after.fromCache, parsed: after.parsed }, { fromCache: FIXTURE_FILES - 1, parsed: 1 });
  assert.match(after.stdout, /Pfizer booster study widens/);
  assert.doesNotMatch(after.stdout, /Moderna vaccine trial expands/);
});

test("a preview of the bot's CONTENT_DIR uses the bot's own cache, and one of another folder leaves that cache alone", async () => {
  // The bot's load of CONTENT_DIR, as main.ts opens it: its caches in DATA_DIR/cache.
  const botCache = path.join(dataDir, 'cache');
  const library = await ArticleLibrary.open({ contentDir, cacheDir: botCache, logger: createLogger('silent') });
  await library.close();
  const botParseCache = fs.readFileSync(path.join(botCache, 'articles.bin'));

  const own = preview([]);
  assert.deepEqual({ fromCache: own.fromCache, parsed: own.parsed }, { fromCache: FIXTURE_FILES, parsed: 0 });

  const other = path.join(root, 'other');
  fs.cpSync(path.join(contentDir, 'news'), other, { recursive: true });
  const files = fs.readdirSync(other).filter((f) => f.endsWith('.md')).length;
  const elsewhere = [preview(['--content', other]), preview(['--content', other])];
  // The other folder gets a cache of its own.
  assert.deepEqual(elsewhere.map((p) => [p.fromCache, p.parsed]), [[0, files], [files, 0]]);
  assert.ok(fs.readFileSync(path.join(botCache, 'articles.bin')).equals(botParseCache), "the bot's parse cache is untouched");
  assert.deepEqual([...own.warnings, ...elsewhere.flatMap((p) => p.warnings)], []);
});

test('a DATA_DIR the preview cannot write in costs one warning, not the preview', () => {
  fs.writeFileSync(path.join(root, 'data'), 'a file where DATA_DIR should be');
  const result = preview([]);
  assert.equal(result.status, 0);
  assert.match(result.stdout, /stories published at any date|Daily digest/);
  assert.deepEqual(result.warnings.map((w) => w.event), ['articles.cache_unusable']);
  assert.equal(fs.readFileSync(path.join(root, 'data'), 'utf8'), 'a file where DATA_DIR should be');
});
