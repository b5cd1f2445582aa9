// Past one process, for real: 8 guilds over 4 shards held by two gateway processes, two scheduler processes posting
// 400 due digests, all sharing one PostgreSQL database and one REST proxy in front of the sandbox. One scheduler is
// SIGKILLed mid-delivery at a seeded point (NEWSDESK_TEST_SEED repeats one); the other takes its runs over once their
// leases expire. Every channel must end with its planned messages exactly once, and members in a guild of every
// shard still get answers.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { REST } from 'discord.js';
import pg from 'pg';
import { commandDefinitions } from '../src/bot/commands/index.js';
import { deployCommands } from '../src/bot/deploy.js';
import { DEFAULT_DIGEST_SETTINGS } from '../src/digest/settings.js';
import { createLogger } from '../src/log.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { PostgresStore } from '../src/state/postgres/postgresStore.js';
import { killBotProcesses, startBotProcess } from './helpers/botProcess.js';
import { TestClock } from './helpers/clock.js';
import { postgresDatabase } from './helpers/postgres.js';
import { killProxyProcesses, startProxyProcess } from './helpers/proxyProcess.js';
import { projectRoot } from './helpers/shared.js';
import { subscribe } from './helpers/subscriptions.js';

const GUILDS = 8;
const SHARDS = 4;
const CHANNELS_PER_GUILD = 50;
const LEASE_SECONDS = 5;
// Bounded waits, far above what the run needs (a few tens of seconds), for a loaded 2-core machine.
const DELIVERY_WAIT_MS = 240_000;

after(() => {
  killBotProcesses();
  killProxyProcesses();
});

/** A small deterministic generator (mulberry32), so a failing kill point can be replayed from its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(250);
  }
}

interface RunRow { channel_id: string; status: string; lease_owner: string | null }
interface MessageRow { channel_id: string; message_id: string | null }

test('two gateways and two schedulers share PostgreSQL and one REST proxy: a scheduler SIGKILLed mid-delivery loses nothing and posts nothing twice', { timeout: 600_000 }, async (t) => {
  const url = await postgresDatabase(t);
  if (!url) return;
  const seed = Number(process.env.NEWSDESK_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const random = seeded(seed);
  console.log(`# multi-process exactly-once: seed ${seed} (NEWSDESK_TEST_SEED=${seed} repeats this run)`);

  const sandbox = await DiscordSandbox.start({ logger: createLogger('silent'), guilds: GUILDS, shards: SHARDS, maxConcurrency: 2 });
  t.after(() => sandbox.close());
  const work = await mkdtemp(path.join(os.tmpdir(), 'newsdesk-multi-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  await deployCommands(new REST({ api: sandbox.apiUrl }).setToken(sandbox.token), sandbox.applicationId, commandDefinitions());

  // 400 digests due a minute ago, set up an hour before (a slot before a digest's set-up is never owed).
  const now = new Date();
  const due = new Date(now.getTime() - 60_000);
  const time = `${String(due.getUTCHours()).padStart(2, '0')}:${String(due.getUTCMinutes()).padStart(2, '0')}`;
  const seeding = await PostgresStore.connect(url, { logger: createLogger('silent'), clock: new TestClock(new Date(now.getTime() - 3_600_000)) });
  const channels: string[] = [];
  for (const guild of sandbox.guilds) {
    for (let i = 0; i < CHANNELS_PER_GUILD; i++) {
      const channelId = sandbox.createChannel(`news-${i}`, { guildId: guild.id });
      channels.push(channelId);
      await subscribe(seeding, { channelId, guildId: guild.id, time, settings: { ...DEFAULT_DIGEST_SETTINGS, size: 10, window: { kind: 'all' } } });
    }
  }
  await seeding.close();

  const proxy = await startProxyProcess(sandbox.apiUrl);
  const shared = { DATABASE_URL: url, DISCORD_API_URL: proxy.apiUrl, CONTENT_DIR: path.join(projectRoot, 'content'), RUN_LEASE_SECONDS: String(LEASE_SECONDS) };
  const processEnv = (name: string, env: Record<string, string>) => ({ ...shared, DATA_DIR: path.join(work, name, 'data'), HEALTH_PORT: '0', ...env });
  const gateways = [['0', '1'], ['2', '3']].map((ids, n) =>
    startBotProcess(sandbox, path.join(work, `gateway-${n}`), processEnv(`gateway-${n}`, { NEWSDESK_ROLE: 'gateway', SHARD_COUNT: String(SHARDS), SHARD_IDS: ids.join(',') })));
  await Promise.all(gateways.map((g) => g.started));

  // The victim is killed once the sandbox has received a seeded number of digest messages: somewhere in the middle.
  const killAfter = 40 + Math.floor(random() * 200);
  let received = 0;
  let killedAt: number | undefined;
  // The listener is in place before either scheduler has loaded its articles, so it sees every message.
  const victim = startBotProcess(sandbox, path.join(work, 'scheduler-0'), processEnv('scheduler-0', { NEWSDESK_ROLE: 'scheduler' }));
  const stopListening = sandbox.onMessage(() => {
    received += 1;
    if (received === killAfter) {
      victim.child.kill('SIGKILL');
      killedAt = received;
    }
  });
  t.after(stopListening);
  const survivor = startBotProcess(sandbox, path.join(work, 'scheduler-1'), processEnv('scheduler-1', { NEWSDESK_ROLE: 'scheduler' }));

  const db = new pg.Pool({ connectionString: url, max: 2 });
  // The database is dropped (its connections terminated) when the test ends.
  db.on('error', () => undefined);
  const runs = async () => (await db.query<RunRow>('SELECT channel_id, status, lease_owner FROM runs')).rows;
  await waitUntil(`all ${channels.length} digests are posted`, async () => {
    const rows = await runs();
    return rows.length === channels.length && rows.every((run) => run.status === 'posted');
  }, DELIVERY_WAIT_MS).catch(async (error: unknown) => {
    const unfinished = (await db.query('SELECT id, status, outcome, lease_owner, lease_until FROM runs WHERE status <> $1 LIMIT 5', ['posted'])).rows;
    throw new Error(`${String(error)}; ${(await runs()).length} runs, unfinished: ${JSON.stringify(unfinished)}\nsurvivor's log:\n${survivor.stderr().slice(-3000)}`);
  });
  assert.equal(killedAt, killAfter, `the victim was killed after ${killAfter} messages`);
  assert.equal(await victim.exited, null, 'the victim died by SIGKILL, not by finishing');

  // Exactly once: each channel holds exactly the messages its run recorded, none missing, none twice.
  const recorded = (await db.query<MessageRow>('SELECT r.channel_id, m.message_id FROM run_messages m JOIN runs r ON r.id = m.run_id')).rows;
  const byChannel = new Map<string, string[]>();
  for (const row of recorded) {
    assert.ok(row.message_id, `every planned message of ${row.channel_id} was recorded as sent`);
    byChannel.set(row.channel_id, [...(byChannel.get(row.channel_id) ?? []), row.message_id]);
  }
  let messages = 0;
  for (const channelId of channels) {
    const posted = sandbox.messages(channelId).filter((m) => m.authorId === undefined).map((m) => m.id).sort();
    assert.deepEqual(posted, [...(byChannel.get(channelId) ?? [])].sort(), `channel ${channelId} holds each planned message exactly once`);
    assert.ok(posted.length > 0, `channel ${channelId} got its digest`);
    messages += posted.length;
  }
  assert.equal(received, messages, 'the sandbox received no message beyond the recorded ones');
  assert.match(survivor.stderr(), /"event":"scheduler\.takeover"/, 'the survivor took over runs the victim had leased');
  assert.equal(sandbox.rateLimited.global, 0, 'no global 429: every process went through the one proxy');

  // Each process says it is ready, and the survivor's metrics count what it posted.
  for (const bot of [...gateways, survivor]) {
    const health = /"event":"health\.listening","url":"([^"]+)"/.exec(bot.stderr())?.[1];
    assert.ok(health, 'each process serves /healthz');
    const answer = await fetch(`${health}/healthz`);
    assert.equal(answer.status, 200, `${health}/healthz: ${await answer.text()}`);
  }
  const survivorMetrics = await (await fetch(`${/"event":"health\.listening","url":"([^"]+)"/.exec(survivor.stderr())![1]}/metrics`)).text();
  const postedBySurvivor = Number(/^newsdesk_digests_posted_total\{[^}]*\} (\d+)/m.exec(survivorMetrics)?.[1]);
  assert.ok(postedBySurvivor > 0, `the survivor's /metrics counts the digests it posted:\n${survivorMetrics.slice(0, 2000)}`);

  // Each gateway holds only its shards' guilds, and a member in a guild of every shard gets an answer.
  for (const gateway of gateways) assert.match(gateway.stderr(), new RegExp(`"event":"discord\\.ready".*"guilds":${GUILDS / 2}`));
  for (const guild of sandbox.guilds.slice(0, SHARDS)) {
    const reply = await sandbox.driver.command('news', { subcommand: 'search', options: { query: 'sample' }, channelId: guild.channels.news });
    assert.ok(JSON.stringify(reply).includes('embeds'), `a search in guild ${guild.id} is answered`);
  }
  console.log(`# ${messages} messages in ${channels.length} channels; victim killed after ${killAfter}`);
  await db.end();
  for (const bot of [...gateways, survivor]) bot.child.kill('SIGTERM');
  assert.deepEqual(await Promise.all([...gateways, survivor].map((bot) => bot.exited)), [0, 0, 0], 'every process stops cleanly on SIGTERM');
  await proxy.stop();
});
