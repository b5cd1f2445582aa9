import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, loadConfig, loadProxyConfig } from '../src/config.js';
import { databaseUrlForDisplay } from '../src/ops/databaseUrl.js';
import { processLabels } from '../src/ops/processLabels.js';

// The settings of issue 15: roles, Discord's sharding, the shared PostgreSQL store, the health port and the proxy.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-config-roles-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const PASSWORD = 'hunter2-Secret';
const DATABASE_URL = `postgres://newsdesk:${PASSWORD}@db.example.com:5432/newsdesk`;
const SPLIT = { DISCORD_TOKEN: 'token.of.bot', DISCORD_CLIENT_ID: '123456789012345678', DATABASE_URL };

function problemsOf(env: NodeJS.ProcessEnv, load: (env: NodeJS.ProcessEnv) => unknown = loadConfig): string[] {
  try {
    load({ CONTENT_DIR: dir, ...env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.ok(!error.message.includes(PASSWORD), `the password leaked into:\n${error.message}`);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

const config = (env: NodeJS.ProcessEnv) => loadConfig({ CONTENT_DIR: dir, ...env });

test('with none of them set, one process does everything on SQLite, unsharded, with no health server', () => {
  const c = config({});
  assert.equal(c.role, 'all');
  assert.equal(c.shards, undefined, 'discord.js decides');
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.databasePath, path.resolve('data', 'newsdesk.sqlite'));
  assert.equal(c.healthPort, undefined);
});

test('NEWSDESK_ROLE takes all, gateway and scheduler in any case, and names the choices for anything else', () => {
  assert.equal(config({ NEWSDESK_ROLE: 'all' }).role, 'all');
  assert.equal(config({ ...SPLIT, NEWSDESK_ROLE: 'Gateway' }).role, 'gateway');
  assert.equal(config({ ...SPLIT, NEWSDESK_ROLE: 'scheduler' }).role, 'scheduler');
  assert.deepEqual(problemsOf({ NEWSDESK_ROLE: 'worker' }), ['NEWSDESK_ROLE must be all (everything in one process, the default), gateway (shards and commands) or scheduler (posts digests)']);
});

test('a gateway or scheduler without DATABASE_URL is refused: a role split shares its state through PostgreSQL', () => {
  for (const role of ['gateway', 'scheduler']) {
    const problems = problemsOf({ NEWSDESK_ROLE: role, DISCORD_TOKEN: 'token.of.bot', DISCORD_CLIENT_ID: '123456789012345678' });
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, new RegExp(`^DATABASE_URL is required with NEWSDESK_ROLE=${role}: .*one PostgreSQL database.*NEWSDESK_ROLE=all`));
  }
  const sandboxOnly = problemsOf({ NEWSDESK_ROLE: 'scheduler', DATABASE_URL });
  assert.deepEqual(sandboxOnly.map((p) => p.split(' ')[0]), ['DISCORD_TOKEN'], 'the in-process sandbox cannot be shared either');
});

test('SHARD_COUNT alone holds every shard; SHARD_IDS takes numbers and ranges, in any order and spacing', () => {
  assert.deepEqual(config({ SHARD_COUNT: '4' }).shards, { ids: [0, 1, 2, 3], count: 4 });
  assert.deepEqual(config({ SHARD_COUNT: '8', SHARD_IDS: ' 6, 0-3 ' }).shards, { ids: [0, 1, 2, 3, 6], count: 8 });
  assert.deepEqual(config({ ...SPLIT, NEWSDESK_ROLE: 'gateway', SHARD_COUNT: '4', SHARD_IDS: '2-3' }).shards, { ids: [2, 3], count: 4 });
  assert.equal(config({ ...SPLIT, NEWSDESK_ROLE: 'scheduler', SHARD_COUNT: '4', SHARD_IDS: '0-1' }).shards, undefined, 'a scheduler holds no shard, whatever a shared .env says');
});

test('wrong shard settings name the setting, the wrong shard and the range that is right', () => {
  const cases: [NodeJS.ProcessEnv, string][] = [
    [{ SHARD_COUNT: '0' }, 'SHARD_COUNT must be a whole number from 1 to 1000000'],
    [{ SHARD_COUNT: 'four' }, 'SHARD_COUNT must be a whole number from 1 to 1000000'],
    [{ SHARD_IDS: '0-1' }, 'SHARD_IDS needs SHARD_COUNT, the total number of shards across every gateway process (SHARD_IDS are the ones this process holds)'],
    [{ SHARD_COUNT: '4', SHARD_IDS: '0-3,4' }, 'SHARD_IDS has shard 4, but SHARD_COUNT is 4: shard ids run from 0 to 3'],
    [{ SHARD_COUNT: '4', SHARD_IDS: '0-2,2' }, 'SHARD_IDS lists shard 2 twice: each shard belongs to one process once'],
    [{ SHARD_COUNT: '4', SHARD_IDS: '3-1' }, 'SHARD_IDS has the range 3-1, which runs backwards: write it as 1-3'],
    [{ SHARD_COUNT: '4', SHARD_IDS: 'first' }, 'SHARD_IDS must be shard numbers and ranges separated by commas, e.g. 0-3,6'],
    [{ SHARD_COUNT: '4', SHARD_IDS: '1,,2' }, 'SHARD_IDS must be shard numbers and ranges separated by commas, e.g. 0-3,6'],
  ];
  for (const [env, message] of cases) assert.deepEqual(problemsOf(env), [message], JSON.stringify(env));
});

test('DATABASE_URL takes postgres:// and postgresql:// URLs, and refuses anything else with the fix', () => {
  assert.equal(config({ DATABASE_URL }).databaseUrl, DATABASE_URL);
  assert.equal(config({ DATABASE_URL: 'postgresql://localhost/newsdesk' }).databaseUrl, 'postgresql://localhost/newsdesk');
  assert.match(problemsOf({ DATABASE_URL: `mysql://newsdesk:${PASSWORD}@db/newsdesk` })[0]!, /^DATABASE_URL uses mysql:, but Newsdesk's shared store is PostgreSQL: write a URL such as postgres:\/\/.*or leave DATABASE_URL empty to keep the SQLite file$/);
  assert.match(problemsOf({ DATABASE_URL: `data/newsdesk.sqlite?password=${PASSWORD}` })[0]!, /^DATABASE_URL must be a PostgreSQL URL such as postgres:\/\/.*for a SQLite file on this machine leave it empty/);
  assert.deepEqual(problemsOf({ DATABASE_URL, DATABASE_PATH: path.join(dir, 'x.sqlite') }), [
    'DATABASE_PATH cannot be set with DATABASE_URL: the state lives either in PostgreSQL (DATABASE_URL) or in a SQLite file (DATABASE_PATH); remove one',
  ]);
});

test('the password in DATABASE_URL appears in no message, even among many problems, and not when shown', () => {
  const problems = problemsOf({ DATABASE_URL: `mysql://newsdesk:${PASSWORD}@db/x`, NEWSDESK_ROLE: 'scheduler', DATABASE_PATH: 'x', HEALTH_PORT: 'on' });
  assert.ok(problems.length >= 3, problems.join('\n'));
  assert.equal(databaseUrlForDisplay(DATABASE_URL), 'postgres://newsdesk:***@db.example.com:5432/newsdesk');
  assert.equal(databaseUrlForDisplay(`postgres://db/newsdesk?password=${PASSWORD}&sslmode=require`), 'postgres://db/newsdesk?password=***&sslmode=require');
});

test('HEALTH_PORT is a port from 0 (any free one) to 65535', () => {
  assert.equal(config({ HEALTH_PORT: '0' }).healthPort, 0);
  assert.equal(config({ HEALTH_PORT: '9464' }).healthPort, 9464);
  for (const port of ['65536', '-1', 'on', '80.5']) assert.deepEqual(problemsOf({ HEALTH_PORT: port }), ['HEALTH_PORT must be a whole number from 0 to 65535'], port);
});

test('every problem of the new settings is listed at once', () => {
  const problems = problemsOf({ NEWSDESK_ROLE: 'shard', SHARD_COUNT: '2', SHARD_IDS: '5', HEALTH_PORT: '99999', DATABASE_URL: 'redis://cache' });
  assert.deepEqual(problems.map((p) => p.split(' ')[0]).sort(), ['DATABASE_URL', 'HEALTH_PORT', 'NEWSDESK_ROLE', 'SHARD_IDS']);
});

test('a wrong SHARD_IDS is listed with the problems found across the other settings, not instead of them', () => {
  const problems = problemsOf({ NEWSDESK_ROLE: 'gateway', DISCORD_TOKEN: 'token.of.bot', DISCORD_CLIENT_ID: '123456789012345678', SHARD_COUNT: '4', SHARD_IDS: '9' });
  assert.deepEqual(problems.map((p) => p.split(' ')[0]).sort(), ['DATABASE_URL', 'SHARD_IDS'], problems.join('\n'));
  assert.deepEqual(problemsOf({ DISCORD_TOKEN: 'token.of.bot', SHARD_IDS: '0-1' }).map((p) => p.split(' ')[0]).sort(), ['DISCORD_CLIENT_ID', 'SHARD_IDS']);
});

test('role and shards label every log line and metric of the process', () => {
  assert.deepEqual(processLabels(config({ SHARD_COUNT: '8', SHARD_IDS: '0-3,6' })), { role: 'all', shards: '0-3,6' });
  assert.deepEqual(processLabels(config({ ...SPLIT, NEWSDESK_ROLE: 'scheduler' })), { role: 'scheduler', shards: 'none' });
});

const BOT = { DISCORD_TOKEN: SPLIT.DISCORD_TOKEN, DISCORD_CLIENT_ID: SPLIT.DISCORD_CLIENT_ID };
const PROXIED = { token: BOT.DISCORD_TOKEN, applicationId: BOT.DISCORD_CLIENT_ID };

test('npm run proxy listens on 127.0.0.1:8080 by default and forwards to DISCORD_API_URL, never to itself', () => {
  assert.deepEqual(loadProxyConfig(BOT), { ...PROXIED, discordApiUrl: 'https://discord.com/api', port: 8080, host: '127.0.0.1', healthPort: undefined, logLevel: 'info' });
  assert.deepEqual(loadProxyConfig({ ...BOT, DISCORD_API_URL: 'http://127.0.0.1:3000/api/', PROXY_PORT: '9000', PROXY_HOST: '0.0.0.0', HEALTH_PORT: '0', CONTENT_DIR: path.join(dir, 'missing') }),
    { ...PROXIED, discordApiUrl: 'http://127.0.0.1:3000/api', port: 9000, host: '0.0.0.0', healthPort: 0, logLevel: 'info' }, 'the bot\'s own settings do not concern it');
  assert.deepEqual(problemsOf({ ...BOT, PROXY_PORT: '65536', PROXY_HOST: 'my host' }, loadProxyConfig), [
    'PROXY_PORT must be a whole number from 0 to 65535',
    'PROXY_HOST must be a host name or IP address to listen on, such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)',
  ]);
  const loop = problemsOf({ ...BOT, DISCORD_API_URL: 'http://localhost:8080/api' }, loadProxyConfig);
  assert.equal(loop.length, 1);
  assert.match(loop[0]!, /^DISCORD_API_URL points at this proxy itself \(port 8080\).*start the proxy with DISCORD_API_URL= \(empty, for Discord\)/);
});

test('npm run proxy needs the bot\'s token and application id, the only bot it relays for; the token never shows in a message', () => {
  const both = problemsOf({}, loadProxyConfig);
  assert.equal(both.length, 2);
  assert.match(both[0]!, /^DISCORD_TOKEN is required by the REST proxy: it relays only requests that carry this bot's token.*set the bot token every Newsdesk process has/);
  assert.match(both[1]!, /^DISCORD_CLIENT_ID is required by the REST proxy: .*copy the Application ID from the Discord developer portal/);
  const noId = problemsOf({ DISCORD_TOKEN: BOT.DISCORD_TOKEN, DISCORD_CLIENT_ID: ' ' }, loadProxyConfig);
  assert.deepEqual(noId.map((problem) => problem.split(' ')[0]), ['DISCORD_CLIENT_ID']);
  assert.ok(!noId.join('\n').includes(BOT.DISCORD_TOKEN));
  assert.match(problemsOf({ ...BOT, DISCORD_CLIENT_ID: 'my-bot' }, loadProxyConfig).join('\n'), /^DISCORD_CLIENT_ID must be a Discord id/);
});
