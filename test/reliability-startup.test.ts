// Start-up against a state database that cannot be used, and against one another Newsdesk already runs on: the real
// bot (`npm start`'s src/main.ts in a child process, pointed at a sandbox in this process) must stop with exit code 2
// and one message naming the file, the setting that chose it and the fix — no stack trace — and leave every byte the
// user had as it was. A second process on one database is refused by an OS lock that dies with its holder.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION } from '../src/state/migrations.js';
import { processSuite } from './helpers/processSuite.js';
import { startBotProcess, type BotProcess } from './helpers/botProcess.js';
import { mountSmallDisk } from './helpers/fullDisk.js';

// How long one start or refusal may take on a slow shared machine before the test gives up.
const START_TIMEOUT_MS = 30_000;

const suite = processSuite('newsdesk-startup-');
const { root } = suite;
const freshDir = suite.fresh;

/** The bot with its articles in `root`/content and its data where `settings` say. */
const startBot = (settings: { DATA_DIR: string; DATABASE_PATH?: string }): BotProcess => startBotProcess(suite.sandbox, root, settings);

/** Starts the bot, expects it to refuse, and returns what it printed (log lines aside). */
async function refused(settings: { DATA_DIR: string; DATABASE_PATH?: string }): Promise<string> {
  const bot = startBot(settings);
  const timer = setTimeout(() => bot.child.kill('SIGKILL'), START_TIMEOUT_MS);
  const code = await bot.exited;
  clearTimeout(timer);
  const printed = bot.stderr().split('\n').filter((line) => !line.startsWith('{')).join('\n');
  assert.equal(code, 2, `expected exit code 2, got ${code}:\n${bot.stderr()}`);
  assert.doesNotMatch(printed, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(printed, /SqliteError|could not start/, 'the raw error is not what the operator reads');
  return printed;
}

function assertNames(message: string, file: string, setting: 'DATABASE_PATH' | 'DATA_DIR', fix: RegExp): void {
  assert.ok(message.includes(file), `names ${file}:\n${message}`);
  assert.ok(message.includes(setting), `names ${setting}:\n${message}`);
  assert.match(message, fix);
}

/** Runs `start` and asserts `file` keeps every byte, and nothing but the lock files appears beside it. */
async function leavesAlone(file: string, start: () => Promise<void>): Promise<void> {
  const bytes = fs.readFileSync(file);
  const beside = fs.readdirSync(path.dirname(file));
  await start();
  assert.ok(fs.readFileSync(file).equals(bytes), `${file} is unchanged`);
  const lockFiles = [`${path.basename(file)}.lock`, `${path.basename(file)}.lock.json`];
  assert.deepEqual(fs.readdirSync(path.dirname(file)).filter((f) => !beside.includes(f) && !lockFiles.includes(f)), [], 'no other file appears beside it');
}

test('DATABASE_PATH where no database can be made (under /proc, or on a folder) stops start-up naming the path, the setting and the fix', async () => {
  const dataDir = freshDir();
  assertNames(await refused({ DATA_DIR: dataDir, DATABASE_PATH: '/proc/x.sqlite' }), '/proc/x.sqlite', 'DATABASE_PATH',
    /cannot be created or opened there[^]*Let Newsdesk write to the folder \/proc, or set DATABASE_PATH to another file/);

  const folder = path.join(dataDir, 'state.sqlite');
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'notes.txt'), 'mine');
  assertNames(await refused({ DATA_DIR: dataDir, DATABASE_PATH: folder }), folder, 'DATABASE_PATH', /is a folder, not a file[^]*Point DATABASE_PATH at a file/);
  assert.deepEqual(fs.readdirSync(folder), ['notes.txt'], 'nothing is written into the folder');
});

test('a file that is not an SQLite database (random bytes, text) is refused, named, and left exactly as it was', async () => {
  const dataDir = freshDir();
  const database = path.join(dataDir, 'newsdesk.sqlite');
  fs.writeFileSync(database, crypto.randomBytes(16_384));
  await leavesAlone(database, async () => {
    assertNames(await refused({ DATA_DIR: dataDir }), database, 'DATA_DIR',
      /is not a Newsdesk database[^]*Newsdesk did not change it\. Move it away \(a new database is then created\) or restore a backup/);
  });

  const text = path.join(freshDir(), 'state.sqlite');
  fs.writeFileSync(text, 'subscriptions:\n  - news at 08:00\n');
  await leavesAlone(text, async () => {
    assertNames(await refused({ DATA_DIR: freshDir(), DATABASE_PATH: text }), text, 'DATABASE_PATH', /is not a Newsdesk database[^]*restore a backup/);
  });
});

test('an SQLite database of another program is refused rather than filled with Newsdesk tables', async () => {
  const dataDir = freshDir();
  const database = path.join(dataDir, 'newsdesk.sqlite');
  const other = new Database(database);
  other.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada')");
  other.close();
  await leavesAlone(database, async () => {
    assertNames(await refused({ DATA_DIR: dataDir }), database, 'DATA_DIR', /another program[^]*Newsdesk did not change it/);
  });
});

test('an empty (0-byte) database file is refused, not silently made into a new database', async () => {
  const dataDir = freshDir();
  const database = path.join(dataDir, 'newsdesk.sqlite');
  fs.writeFileSync(database, '');
  await leavesAlone(database, async () => {
    assertNames(await refused({ DATA_DIR: dataDir }), database, 'DATA_DIR', /is empty \(0 bytes\)[^]*Delete it to start afresh[^]*or restore a backup/);
  });
  assert.equal(fs.statSync(database).size, 0);
});

test('a database written by a newer Newsdesk is refused, naming the path, the setting and "update Newsdesk"', async () => {
  const database = path.join(freshDir(), 'state.sqlite');
  const newer = new Database(database);
  newer.exec('CREATE TABLE from_the_future (x INTEGER)');
  newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  newer.close();
  await leavesAlone(database, async () => {
    assertNames(await refused({ DATA_DIR: freshDir(), DATABASE_PATH: database }), database, 'DATABASE_PATH', /newer than this Newsdesk[^]*Update Newsdesk/);
  });
});

test('DATA_DIR on a full disk stops start-up naming the database and "free some space"; once space is freed it starts', { timeout: 2 * START_TIMEOUT_MS }, async (t) => {
  const disk = mountSmallDisk(8 * 1024 * 1024);
  if ('skip' in disk) return t.skip(disk.skip);
  try {
    disk.fill();
    const database = path.join(disk.dir, 'newsdesk.sqlite');
    assertNames(await refused({ DATA_DIR: disk.dir }), database, 'DATA_DIR', /its disk is full[^]*Free some space on that disk/);
    // The half-made database was removed, so the next start does not meet an empty file it must refuse.
    assert.equal(fs.existsSync(database), false);
    disk.free();
    const bot = startBot({ DATA_DIR: disk.dir });
    await bot.started;
    bot.child.kill('SIGTERM');
    assert.equal(await bot.exited, 0);
  } finally {
    disk.unmount();
  }
});

test('a second Newsdesk on the same database refuses to start, naming the first; a SIGKILLed holder leaves no stale lock', { timeout: 3 * START_TIMEOUT_MS }, async () => {
  const dataDir = freshDir();
  const database = path.join(dataDir, 'newsdesk.sqlite');
  const first = startBot({ DATA_DIR: dataDir });
  await first.started;
  assert.ok(fs.statSync(database).size > 0, 'a brand-new DATA_DIR gets a new database, as before');

  const message = await refused({ DATA_DIR: dataDir });
  assertNames(message, database, 'DATA_DIR', /Stop that one first, or give this one its own DATA_DIR/);
  assert.ok(message.includes(`another Newsdesk (pid ${first.child.pid} on host ${os.hostname()}, started `), message);
  assert.equal(first.child.exitCode, null, 'the first keeps running');

  first.child.kill('SIGKILL');
  await first.exited;
  const next = startBot({ DATA_DIR: dataDir });
  await next.started;
  next.child.kill('SIGTERM');
  assert.equal(await next.exited, 0);
});
