// Live digests past one process, for real: an `all` process and a `scheduler` process share one PostgreSQL database
// and one content folder, and stories arrive in the folder over several minutes. Both run the live digests every
// minute; each story must reach the channel exactly once, both processes' /metrics together count every batch and one
// claim per run, and when the process sending a batch is SIGKILLed before Discord's answer comes back, the other one
// finishes that batch (finding the message already in the channel) and goes on alone.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import pg from 'pg';
import { DEFAULT_DIGEST_SETTINGS } from '../src/digest/settings.js';
import { createLogger } from '../src/log.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { PostgresStore } from '../src/state/postgres/postgresStore.js';
import { waitUntil, writeFixtureArticles } from './helpers/bot.js';
import { killBotProcesses, startBotProcess } from './helpers/botProcess.js';
import type { BotProcess } from './helpers/botProcess.js';
import { TestClock } from './helpers/clock.js';
import { postedBatches, urlOf, writeLiveArticles } from './helpers/live.js';
import type { LiveArticle } from './helpers/live.js';
import { postgresDatabase } from './helpers/postgres.js';
import { assertPostedOnce, testRandom } from './helpers/sharedState.js';
import { subscribe } from './helpers/subscriptions.js';

const WIRE = { name: 'Wire Desk', domain: 'wiredesk.example.org' };
const LEASE_SECONDS = 5;
// Bounded waits, far above the minute a batch takes, for a loaded 2-core machine.
const POSTED_WAIT_MS = 200_000;

after(() => killBotProcesses());

/** A live digest of the wire's topic, every minute, set up an hour ago: every story that arrives from now on is news. */
async function seedLiveDigest(url: string, channelId: string, guildId: string): Promise<void> {
  const store = await PostgresStore.connect(url, { logger: createLogger('silent'), clock: new TestClock(new Date(Date.now() - 3_600_000)) });
  try {
    await subscribe(store, { channelId, guildId, kind: 'live', time: '', settings: { ...DEFAULT_DIGEST_SETTINGS, topics: ['Wire Desk'], everyMinutes: 1 } });
  } finally {
    await store.close();
  }
}

/** A process's /metrics sample (the first series of that name), from the health server its log names. */
async function sample(bot: BotProcess, series: string): Promise<number> {
  const health = /"event":"health\.listening","url":"([^"]+)"/.exec(bot.stderr())?.[1];
  assert.ok(health, 'each process serves /metrics');
  const text = await (await fetch(`${health}/metrics`)).text();
  const value = new RegExp(`^${series}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1];
  assert.ok(value !== undefined, `${series} in:\n${text.slice(0, 2000)}`);
  return Number(value);
}

test('an all and a scheduler process share PostgreSQL: each live story arriving over minutes is posted once, also when the process sending a batch is SIGKILLed', { timeout: 600_000 }, async (t) => {
  const url = await postgresDatabase(t);
  if (!url) return;
  const random = testRandom('live digests in two processes');
  const sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
  t.after(() => sandbox.close());
  const work = await mkdtemp(path.join(os.tmpdir(), 'newsdesk-live-multi-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const contentDir = path.join(work, 'content');
  writeFixtureArticles(contentDir, new Date());
  const channelId = sandbox.createChannel('wire');
  await seedLiveDigest(url, channelId, sandbox.guild.id);
  let received = 0;
  t.after(sandbox.onMessage(() => void (received += 1)));

  const shared = { DATABASE_URL: url, CONTENT_DIR: contentDir, RUN_LEASE_SECONDS: String(LEASE_SECONDS), HEALTH_PORT: '0' };
  const processes = ['all', 'scheduler'].map((role) =>
    startBotProcess(sandbox, path.join(work, role), { ...shared, NEWSDESK_ROLE: role, DATA_DIR: path.join(work, role, 'data') }));
  await Promise.all(processes.map((bot) => bot.waitFor(/"event":"live\.started"/, 'its live digests started')));

  const arrived: LiveArticle[] = [];
  const arrive = (count: number) => {
    const stories = Array.from({ length: count }, (_, i): LiveArticle => {
      const n = arrived.length + i + 1;
      return { slug: `wire-${n}`, title: `Wire desk story ${n}`, publishedAt: new Date(), provider: WIRE, topics: ['Wire Desk'] };
    });
    writeLiveArticles(path.join(contentDir, 'wire'), stories);
    arrived.push(...stories);
  };
  const posted = () => postedBatches({ sandbox }, channelId).flat();
  const allPosted = () => waitUntil(() => arrived.every((story) => posted().includes(urlOf(story))), `the ${arrived.length} stories posted`, POSTED_WAIT_MS, 250)
    .catch((error: unknown) => {
      throw new Error(`${String(error)}; posted ${JSON.stringify(posted())}\n${processes.map((bot) => bot.stderr().slice(-2000)).join('\n---\n')}`);
    });

  // Stories arrive a few at a time: some within one batch's minute, some in the next.
  arrive(2);
  await sleep(5_000 + random() * 20_000);
  arrive(1);
  await allPosted();
  arrive(2);
  await allPosted();

  const db = new pg.Pool({ connectionString: url, max: 2 });
  // The database is dropped (its connections terminated) when the test ends.
  db.on('error', () => undefined);
  t.after(() => db.end());
  const runs = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM runs')).rows[0]!.n);
  const batches = sandbox.messages(channelId).length;
  const total = async (series: string) => (await Promise.all(processes.map((bot) => sample(bot, series)))).reduce((sum, n) => sum + n, 0);
  assert.equal(await total('newsdesk_digests_posted_total'), batches, 'the two processes\' /metrics count every live batch, once');
  assert.equal(await total('newsdesk_claim_lag_seconds_count'), runs, 'and one claim per run');

  // The next batch's answer comes back late; the process that sent it is killed meanwhile, before it could record it.
  sandbox.faults.answerSlowly(1, 4_000, { route: `/channels/${channelId}/messages` });
  let victim: BotProcess | undefined;
  const stopWatching = sandbox.onMessage(() => {
    stopWatching();
    void db.query<{ owner: string }>('SELECT lease_owner AS owner FROM runs WHERE status = $1', ['sending']).then(({ rows }) => {
      victim = processes.find((bot) => rows.some((row) => row.owner?.includes(`:${bot.child.pid}:`)));
      victim?.child.kill('SIGKILL');
    });
  });
  arrive(2);
  await allPosted();
  // The killed process's batch is in the channel, unrecorded: the survivor takes it over once its lease expires.
  await waitUntil(async () => (await db.query('SELECT 1 FROM runs WHERE status <> $1', ['posted'])).rowCount === 0, 'every batch recorded as posted', POSTED_WAIT_MS, 250);
  assert.ok(victim, 'the process sending the batch was found by its lease and killed');
  assert.equal(await victim.exited, null, 'it died by SIGKILL');
  const survivor = processes.find((bot) => bot !== victim)!;
  assert.match(survivor.stderr(), /"event":"digest\.reconciled"[^\n]*"found":true/, 'the survivor found the killed process\'s message in the channel rather than posting it again');

  assert.deepEqual(posted().sort(), arrived.map(urlOf).sort(), 'every story exactly once');
  await assertPostedOnce(db, sandbox, [channelId], received);
  survivor.child.kill('SIGTERM');
  assert.equal(await survivor.exited, 0, 'the survivor stops cleanly on SIGTERM');
});
