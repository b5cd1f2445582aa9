// `npm start` as a newcomer runs it: no token, so the sandbox starts, a digest is shown, and the prompt answers
// commands through the real bot; Ctrl+C stops it cleanly. Bad settings stop it at once with status 2.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { REST } from 'discord.js';
import { commandDefinitions } from '../src/bot/commands/index.js';
import { deployCommands } from '../src/bot/deploy.js';
import { createLogger } from '../src/log.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { SqliteStore } from '../src/state/sqliteStore.js';
import { writeFixtureArticles } from './helpers/bot.js';
import { projectRoot } from './helpers/shared.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-main-'));
const contentDir = path.join(dir, 'content');
writeFixtureArticles(contentDir, new Date());
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const BLANK = { DISCORD_TOKEN: '', DISCORD_CLIENT_ID: '', DISCORD_GUILD_ID: '', DISCORD_API_URL: '', DIGEST_CHANNEL_ID: '', DIGEST_TIME: '', DIGEST_TIMEZONE: '', DATABASE_PATH: '' };

function start(env: Record<string, string>): { child: ChildProcessWithoutNullStreams; output: () => string; errors: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot,
    env: { ...process.env, ...BLANK, CONTENT_DIR: contentDir, DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'warn', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => stdout, errors: () => stderr, exit };
}

/** Waits (bounded) until the output holds `pattern`, and returns what follows `from`. */
async function waitFor(output: () => string, pattern: RegExp, from = 0): Promise<string> {
  for (let waited = 0; !pattern.test(output().slice(from)); waited += 25) {
    if (waited > 30_000) throw new Error(`no ${pattern} in:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return output().slice(from);
}

test('with no token, npm start shows the sandbox banner and a digest, and the prompt runs commands and pages', async () => {
  const app = start({});
  try {
    const opening = await waitFor(app.output, /newsdesk> /);
    assert.match(opening, /#news — Newsdesk posted:\n\*\*Daily digest — /);
    assert.match(opening, /Rocket engine test 1 goes to plan/);
    assert.match(opening, /running against its built-in sandbox, because DISCORD_TOKEN is not set/);
    assert.match(opening, /22 articles loaded, 21 of them published \(what search and digests show\)\. A digest was just posted to #news/);
    let mark = app.output().length;
    app.child.stdin.write('/news search query:rocket\n');
    assert.match(await waitFor(app.output, /Page 1 of 3/, mark), /Rocket engine test 1 goes to plan/);
    mark = app.output().length;
    app.child.stdin.write('next\n');
    await waitFor(app.output, /Page 2 of 3/, mark);
    mark = app.output().length;
    app.child.stdin.write('/digest status\n');
    assert.match(await waitFor(app.output, /Next: /, mark), /Every day at 08:00 \(UTC\)/);
  } finally {
    app.child.kill('SIGINT');
  }
  assert.equal(await app.exit, 0, app.errors());
  assert.equal(app.errors(), '', 'no warning or error logged on the way');
});

test('with a token, npm start connects to DISCORD_API_URL, applies the .env digest, and keeps it in DATABASE_PATH', async () => {
  const sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
  const databasePath = path.join(dir, 'real', 'state.sqlite');
  const app = start({
    DISCORD_TOKEN: sandbox.token, DISCORD_CLIENT_ID: sandbox.applicationId, DISCORD_API_URL: sandbox.apiUrl, DATABASE_PATH: databasePath,
    DIGEST_CHANNEL_ID: sandbox.channels.general, DIGEST_TIME: '07:30', DIGEST_TIMEZONE: 'Asia/Tokyo', LOG_LEVEL: 'info',
  });
  try {
    await waitFor(app.errors, /"event":"scheduler\.started"/);
    assert.doesNotMatch(app.output(), /sandbox/, 'no banner: this is a real connection');
    // Commands are registered with `npm run deploy-commands`, not on every start.
    assert.deepEqual(sandbox.registeredCommands(sandbox.guild.id), []);
    await deployCommands(new REST({ api: sandbox.apiUrl }).setToken(sandbox.token), sandbox.applicationId, commandDefinitions(), sandbox.guild.id);
    const status = await sandbox.driver.command('digest', { subcommand: 'status' });
    assert.match(JSON.stringify(status.body), /Every day at 07:30 \(Asia\/Tokyo\)/);
  } finally {
    app.child.kill('SIGTERM');
  }
  assert.equal(await app.exit, 0);
  assert.ok(!app.errors().includes(sandbox.token), 'the token never reaches the log');
  await sandbox.close();
  const store = SqliteStore.open(databasePath, { logger: createLogger('silent') });
  assert.deepEqual((await store.listSubscriptions()).map((s) => [s.channelId, s.time, s.timezone]), [[sandbox.channels.general, '07:30', 'Asia/Tokyo']]);
  await store.close();
});

test('bad settings print every problem and exit with status 2 before connecting anywhere', async () => {
  const app = start({ DIGEST_CHANNEL_ID: '42', DIGEST_TIME: '25:00' });
  assert.equal(await app.exit, 2);
  assert.match(app.errors(), /DIGEST_CHANNEL_ID must be a Discord id/);
  assert.match(app.errors(), /DIGEST_TIME must be a time as HH:mm/);
  assert.equal(app.output(), '');
});
