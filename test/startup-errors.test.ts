// Start-up on folders Newsdesk cannot use: `npm start` (src/main.ts in a child process) must stop with exit code 2
// and one message naming the setting, the folder and the fix, never a raw EACCES with exit 1, a "does not exist" for
// a file, or a start that never ends. Most cases run the sandbox (no DISCORD_TOKEN), a new user's first start; the
// procfs hang also with a token, against a sandbox in this process. Root reads and writes through any chmod, so a
// permission refusal is made real by running the bot as an unprivileged user, a read-only disk by mounting one.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { writeFixtureArticles } from './helpers/bot.js';
import { processSuite } from './helpers/processSuite.js';
import { projectRoot } from './helpers/shared.js';

// How long one refusal may take on a slow shared machine before the test gives up (the old code never ended).
const START_TIMEOUT_MS = 30_000;
const NOBODY = 65_534;

const suite = processSuite('newsdesk-folders-');
const { contentDir } = suite;
const freshDir = suite.fresh;

interface Run {
  /** The settings over the defaults: the fixture articles, a fresh DATA_DIR, the sandbox (no token). */
  env?: Record<string, string>;
  withToken?: boolean;
  /** Runs the bot as this uid (and gid). */
  uid?: number;
}

/** `npm start` with `run`'s settings; expects a refusal and returns what it printed, log lines aside. */
async function refused({ env = {}, withToken = false, uid }: Run): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/main.ts')], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH, HOME: os.tmpdir(), LOG_LEVEL: 'info', CONTENT_DIR: contentDir, DATA_DIR: path.join(freshDir(), 'data'),
      ...(withToken ? { DISCORD_TOKEN: suite.sandbox.token, DISCORD_CLIENT_ID: suite.sandbox.applicationId, DISCORD_API_URL: suite.sandbox.apiUrl } : {}),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  const printed = stderr.split('\n').filter((line) => !line.startsWith('{')).join('\n');
  assert.equal(code, 2, `expected exit code 2, got ${code === null ? 'no exit within the time limit' : code}:\n${stderr.slice(-2000)}`);
  assert.doesNotMatch(printed, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(printed, /could not start/, 'the raw error is not what the operator reads');
  return printed;
}

function assertNames(message: string, setting: string, folder: string, fix: RegExp): void {
  assert.ok(message.includes(`${setting} `), `names ${setting}:\n${message}`);
  assert.ok(message.includes(folder), `names ${folder}:\n${message}`);
  assert.match(message, fix);
}

/** Why an unprivileged child cannot run here, or undefined when it can. */
function unprivilegedSkip(): string | undefined {
  if (process.getuid?.() !== 0) return 'refusing a folder by its permissions needs root, to run the bot as another user';
  const probe = spawnSync(process.execPath, ['--import', 'tsx', '-e', ''], { cwd: projectRoot, uid: NOBODY, gid: NOBODY, env: { PATH: process.env.PATH, HOME: os.tmpdir() }, encoding: 'utf8' });
  return probe.status === 0 ? undefined : `the project cannot run as uid ${NOBODY} here: ${(probe.stderr || String(probe.error)).split('\n')[0]}`;
}
const asNobodySkip = unprivilegedSkip();
if (asNobodySkip) console.log(`# SKIP ${asNobodySkip}`);

test('DATA_DIR under /proc stops start-up at once, naming it and the fix, in the sandbox and with a token (it hung at full CPU)', { timeout: 4 * START_TIMEOUT_MS }, async () => {
  const fix = /cannot be created: that file system does not allow new folders[^]*point DATA_DIR at another folder, on an ordinary disk/;
  assertNames(await refused({ env: { DATA_DIR: '/proc/newsdesk' } }), 'DATA_DIR', '/proc/newsdesk', fix);
  assertNames(await refused({ env: { DATA_DIR: '/proc/newsdesk' }, withToken: true }), 'DATA_DIR', '/proc/newsdesk', fix);
  assertNames(await refused({ env: { DATABASE_PATH: '/proc/newsdesk/state.sqlite' }, withToken: true }), 'DATABASE_PATH', '/proc/newsdesk/state.sqlite',
    /cannot be created or opened there[^]*set DATABASE_PATH to another file/);
});

test('DATA_DIR that is a file, or lies under one, is named as such', { timeout: 3 * START_TIMEOUT_MS }, async () => {
  const file = path.join(freshDir(), 'notes.txt');
  fs.writeFileSync(file, 'mine');
  assertNames(await refused({ env: { DATA_DIR: file } }), 'DATA_DIR', file, /is a file, not a folder: point DATA_DIR at a folder/);
  assertNames(await refused({ env: { DATA_DIR: path.join(file, 'data') } }), 'DATA_DIR', path.join(file, 'data'),
    /cannot be created: a part of its path is a file, not a folder[^]*move that file away, or point DATA_DIR at another folder/);
  assert.equal(fs.readFileSync(file, 'utf8'), 'mine', 'the file is left as it was');
});

test('DATA_DIR on a read-only disk stops start-up naming the folder and "read-only"', { timeout: 2 * START_TIMEOUT_MS }, async (t) => {
  const dir = freshDir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    const reason = `a read-only disk needs a tmpfs mounted read-only (root on Linux), which failed here: ${String((error as Error).message).split('\n')[0]}`;
    console.log(`# SKIP ${reason}`);
    return t.skip(reason);
  }
  try {
    assertNames(await refused({ env: { DATA_DIR: dir } }), 'DATA_DIR', dir, /cannot be written: its disk is read-only[^]*point DATA_DIR at another folder, on a writable disk/);
    assertNames(await refused({ env: { DATA_DIR: path.join(dir, 'data') } }), 'DATA_DIR', path.join(dir, 'data'), /cannot be created: its disk is read-only/);
  } finally {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  }
});

test('DATA_DIR the user running Newsdesk may not write in (EACCES) names the folder and "chown or chmod"', { skip: asNobodySkip, timeout: 3 * START_TIMEOUT_MS }, async () => {
  const locked = freshDir();
  fs.chmodSync(locked, 0o555);
  assertNames(await refused({ env: { DATA_DIR: path.join(locked, 'data') }, uid: NOBODY }), 'DATA_DIR', path.join(locked, 'data'),
    /cannot be created: permission denied \(EACCES[^]*let the user running Newsdesk write in it \(chown or chmod\), or point DATA_DIR at another folder/);
  // It exists, but belongs to someone else: creating it is not the test, writing in it is.
  assertNames(await refused({ env: { DATA_DIR: locked }, uid: NOBODY }), 'DATA_DIR', locked, /cannot be written: permission denied \(EACCES/);
});

test('CONTENT_DIR that is a file says so, rather than "does not exist"', { timeout: START_TIMEOUT_MS }, async () => {
  const file = path.join(freshDir(), 'article.md');
  fs.writeFileSync(file, '---\ntitle: One\n---\n');
  const message = await refused({ env: { CONTENT_DIR: file } });
  assertNames(message, 'CONTENT_DIR', file, /is a file, not a folder: point CONTENT_DIR at the folder that holds your article files/);
  assert.doesNotMatch(message, /does not exist/);
});

test('CONTENT_DIR, or a folder in it, that the user running Newsdesk may not read (EACCES) names it and the fix', { skip: asNobodySkip, timeout: 3 * START_TIMEOUT_MS }, async () => {
  const dir = freshDir();
  const articles = path.join(dir, 'articles');
  writeFixtureArticles(articles, new Date());
  const data = path.join(dir, 'data');
  fs.mkdirSync(data);
  fs.chownSync(data, NOBODY, NOBODY);
  const fix = /cannot be read: permission denied \(EACCES[^]*let the user running Newsdesk read it and the folders in it \(chown or chmod\), or point CONTENT_DIR at another folder/;

  const hidden = path.join(articles, 'archive');
  fs.mkdirSync(hidden, { mode: 0o000 });
  assertNames(await refused({ env: { CONTENT_DIR: articles, DATA_DIR: data }, uid: NOBODY }), 'CONTENT_DIR', hidden, fix);

  fs.chmodSync(articles, 0o000);
  assertNames(await refused({ env: { CONTENT_DIR: articles, DATA_DIR: data }, uid: NOBODY }), 'CONTENT_DIR', articles, fix);
  fs.chmodSync(articles, 0o755);
});
