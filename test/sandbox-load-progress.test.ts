// `npm start` in a terminal over a large folder shows how the load gets on (files parsed of the total, then the
// search index) instead of a silent wait, and counts with thousands separators. Run in a real pseudo-terminal
// (util-linux's `script`), as a person would see it; skipped with the reason where `script` cannot run.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { waitUntil } from './helpers/bot.js';
import { projectRoot } from './helpers/shared.js';

const FILES = 1500;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-progress-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function sampleFolder(): string {
  const content = path.join(dir, 'content');
  fs.mkdirSync(content, { recursive: true });
  for (let i = 1; i <= FILES; i++) {
    const front = ['---', `title: "Sample story ${i}"`, 'publishedDateTime: 2026-11-20T09:00:00Z', `webUrl: "https://example.com/stories/${i}"`, '---', ''];
    fs.writeFileSync(path.join(content, `story-${i}.md`), front.join('\n'));
  }
  return content;
}

test(`a terminal sees ${FILES.toLocaleString('en-US')} files parsed, then the search index, before the banner`, { timeout: 90_000 }, async (t) => {
  if (spawnSync('script', ['-qec', 'true', '/dev/null']).status !== 0) return t.skip("a terminal needs util-linux's script, which is not available here");
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, SHELL: '/bin/sh', CONTENT_DIR: sampleFolder(), DATA_DIR: path.join(dir, 'data') };
  const child = spawn('script', ['-qec', `'${process.execPath}' --import tsx src/main.ts`, '/dev/null'], { cwd: projectRoot, env });
  let screen = '';
  child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    await waitUntil(() => screen.includes('Type a command'), 'the banner', 60_000);
    child.stdin.write('exit\n');
    assert.equal(await exited, 0);
  } finally {
    child.kill('SIGKILL');
  }
  const banner = screen.indexOf('Type a command');
  const parsed = screen.indexOf('Loading articles: 1,500 of 1,500 files parsed');
  const indexing = screen.indexOf('1,500 articles ready; building the search index in the background');
  assert.ok(parsed >= 0, `the last count of files parsed is shown:\n${screen.slice(0, 600)}`);
  assert.ok(screen.indexOf('Loading articles: 64 of 1,500 files parsed') < parsed, 'the count is redrawn as it grows');
  assert.ok(parsed < indexing && indexing < banner, 'files, then the search index, then the banner');
  assert.match(screen, /1,500 articles loaded, 1,500 of them published/);
  assert.doesNotMatch(screen, /"level":/, 'log lines go to the log file, not the terminal');
});
