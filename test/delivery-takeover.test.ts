// Past one process: two Newsdesk processes share one database (here one SQLite file), and a digest one of them was
// sending when it died, or stalled, is finished by the other once the first one's lease on the run expires: every
// message reaches the channel once, and the process that lost the run sends nothing more for it. The first is the
// real bot (`npm start`'s src/main.ts) killed with SIGKILL, or a delivery whose post never comes back in time; the
// second is the real bot (client, scheduler, delivery) or its delivery, against the same sandbox. The second's clock
// is a test clock, moved past the lease instead of waiting for it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { REST, Routes } from 'discord.js';
import { ArticleLibrary } from '../src/articles/library.js';
import { NewsdeskBot } from '../src/bot/app.js';
import { discordHistory, discordSender } from '../src/bot/discordChannels.js';
import { DigestDelivery } from '../src/delivery/exactlyOnce.js';
import type { Sender } from '../src/delivery/runs.js';
import { DEFAULT_DIGEST_SETTINGS } from '../src/digest/settings.js';
import { createLogger } from '../src/log.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { DigestScheduler } from '../src/schedule/scheduler.js';
import { SqliteStore } from '../src/state/sqliteStore.js';
import type { PlannedMessage, Subscription } from '../src/state/types.js';
import { SubscriptionService } from '../src/subscriptions/service.js';
import { waitUntil, writeFixtureArticles, type FixtureArticle } from './helpers/bot.js';
import { killBotProcesses, startBotProcess } from './helpers/botProcess.js';
import { TestClock } from './helpers/clock.js';
import { subscribe } from './helpers/subscriptions.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-takeover-'));
let sandbox: DiscordSandbox;
before(async () => {
  sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
});
after(async () => {
  killBotProcesses();
  await sandbox.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** The second process's log lines, parsed. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, events: (event: string) => lines.filter((line) => line.event === event) };
}

const contents = (channelId: string) => sandbox.messages(channelId).map((m) => m.body.content);

// Long links make long headlines: ten of them take three messages of 2,000 characters.
const LONG_READS: FixtureArticle[] = Array.from({ length: 10 }, (_, i) => ({
  slug: `long-read-${i + 1}-${'the-survey-that-mapped-every-crater-of-the-far-side-'.repeat(4)}`,
  title: `Long read ${i + 1}: ${'how the orbital survey mapped every crater of the far side, '.repeat(3).trim()}`,
  hoursAgo: i + 1,
  provider: { name: `Outlet ${i}`, domain: `outlet-${i}.example.org` },
  topics: ['Long reads'],
  quality: 200 - i,
}));

test('SIGKILL after the first message of three: another process leaves the run alone while the lease runs, then takes it over and posts the rest, each message once', { timeout: 90_000 }, async () => {
  const dir = path.join(root, 'killed');
  const now = new Date();
  writeFixtureArticles(path.join(dir, 'content'), now, LONG_READS);
  const database = path.join(dir, 'data', 'newsdesk.sqlite');
  const channelId = sandbox.createChannel('long-reads');
  // Due a minute ago, set up two hours before: process A's first start owes it.
  const time = new Date(now.getTime() - 60_000).toISOString().slice(11, 16);
  const setup = SqliteStore.open(database, { logger: createLogger('silent'), clock: { now: () => new Date(now.getTime() - 2 * 3_600_000) } });
  const settings = { ...DEFAULT_DIGEST_SETTINGS, layout: 'headlines' as const, size: 10, topics: ['Long reads'] };
  await subscribe(setup, { channelId, guildId: sandbox.guild.id, time, settings });
  await setup.close();

  // Process A posts the first message and dies; its second post, should it get that far, is refused by Discord.
  const a = startBotProcess(sandbox, dir);
  const stop = sandbox.onMessage((message) => {
    if (message.channelId !== channelId) return;
    sandbox.faults.failNext(1, 500, { route: `/channels/${channelId}/messages` });
    a.child.kill('SIGKILL');
  });
  try {
    await a.exited;
  } finally {
    stop();
  }
  assert.deepEqual(contents(channelId).length, 1, 'A died after its first message');

  const clock = new TestClock(new Date());
  const { logger, events } = capturedLogger();
  const store = SqliteStore.open(database, { logger, clock, lease: { leaseMs: 2_000 } });
  const library = await ArticleLibrary.open({ contentDir: path.join(dir, 'content'), cacheDir: null, logger, watch: false });
  const digest = (await store.listSubscriptions({ channelId }))[0]!;
  const [run] = await store.pendingRuns();
  assert.ok(run?.leaseOwner && run.leaseUntil, 'A left its run pending, leased');
  assert.notEqual(run.leaseOwner, store.lease.owner);
  const planned = await store.runMessages(run.id);
  assert.equal(planned.length, 3, 'the run has three messages');

  const b = await NewsdeskBot.start({ token: sandbox.token, apiUrl: sandbox.apiUrl, library, store, logger, clock, defaults: { size: 5, maxPerProvider: 2 } });
  try {
    // B starts while A's lease still runs (A may only be slow): B leaves the run to it.
    await b.startSchedule();
    await b.scheduler.takeOver();
    await b.scheduler.tick();
    assert.equal(contents(channelId).length, 1, 'B sent nothing while A held the run');
    assert.equal((await store.getRun(run.id))!.leaseOwner, run.leaseOwner);
    assert.equal((await b.digests.runSlot(digest, run.slot)).summary, 'another Newsdesk process is sending it');

    // A's lease expires: B's own lease sweep (every half of its lease) takes the run over and finishes it.
    clock.set(new Date(run.leaseUntil.getTime() + 1));
    await waitUntil(() => sandbox.messages(channelId).length >= 3, 'B to take the run over and post the rest', 20_000);
    await waitUntil(() => events('digest.run').some((line) => line.status === 'posted'), 'B to record the run as posted', 10_000);
  } finally {
    await b.stop();
  }
  assert.deepEqual(contents(channelId), planned.map((m) => (m.payload as { content: string }).content), 'every planned message once, in order');
  const finished = (await store.getRun(run.id))!;
  assert.deepEqual([finished.status, finished.leaseOwner], ['posted', null]);
  assert.deepEqual((await store.runMessages(run.id)).map((m) => m.messageId), sandbox.messages(channelId).map((m) => m.id));
  assert.equal(events('scheduler.takeover').length >= 1, true, 'B logged the takeover');
  await library.close();
  await store.close();
});

test('a process whose post stalls past its lease loses the run: the other takes it over, and the first, its post answered at last, records and sends nothing more', { timeout: 30_000 }, async () => {
  const rest = new REST({ api: sandbox.apiUrl, timeout: 5_000 }).setToken(sandbox.token);
  const botUserId = ((await rest.get(Routes.user('@me'))) as { id: string }).id;
  const history = discordHistory(rest, () => botUserId);
  const file = path.join(root, 'stalled.sqlite');
  const clock = new TestClock(new Date('2026-06-01T08:00:30Z'));
  const a = capturedLogger();
  const b = capturedLogger();
  const storeA = SqliteStore.open(file, { logger: a.logger, clock, lease: { owner: 'process-a', leaseMs: 30_000 } });
  const storeB = SqliteStore.open(file, { logger: b.logger, clock, lease: { owner: 'process-b', leaseMs: 30_000 } });
  const channelId = sandbox.createChannel('stalled');
  const digest = await subscribe(storeA, { channelId, guildId: sandbox.guild.id, time: '08:00', settings: DEFAULT_DIGEST_SETTINGS });
  const plan: PlannedMessage[] = [1, 2, 3].map((n) => ({
    payload: { content: `Stalled digest (${n}/3)`, embeds: [{ title: `Story ${n}`, url: `https://example.com/${n}` }], allowed_mentions: { parse: [] } },
    storyUrls: [`https://example.com/${n}`],
    storyCount: 1,
  }));
  const deliveryFor = (store: SqliteStore, logger: typeof a.logger, send: Sender) => {
    const subscriptions = new SubscriptionService({ store, reschedule: async () => {}, defaultSettings: () => DEFAULT_DIGEST_SETTINGS });
    return new DigestDelivery({ store, send, history, subscriptions, logger, clock, retry: { attempts: 2, baseDelayMs: 1 } });
  };

  // A sender whose post of `content` is held on its way: it reaches Discord only once released.
  const post = discordSender(rest);
  const holding = (content: string, sent: string[] = []) => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const held = new Promise<void>((resolve) => (reached = resolve));
    const send: Sender = async (target, body) => {
      sent.push((body as { content: string }).content);
      if ((body as { content: string }).content === content) {
        reached();
        await released;
      }
      return post(target, body);
    };
    return { send, sent, held, release };
  };
  const slot = new Date('2026-06-01T08:00:00Z');
  const stallA = holding('Stalled digest (2/3)');
  const outcomeA = deliveryFor(storeA, a.logger, stallA.send).deliver({ subscriptionId: digest.id, channelId, publish: digest.publish, slot, plan: () => plan });
  await stallA.held;
  assert.deepEqual(contents(channelId), ['Stalled digest (1/3)']);

  // Past A's lease, B's sweep takes the run over: A's message 2 was attempted and is not in the channel, so B posts
  // it, then holds its message 3 on its way while A's stalled post is answered.
  clock.set(new Date(clock.now().getTime() + 30_001));
  const stallB = holding('Stalled digest (3/3)');
  const deliveryB = deliveryFor(storeB, b.logger, stallB.send);
  const runSlot = (subscription: Subscription, at: Date) => deliveryB.deliver({ subscriptionId: subscription.id, channelId, publish: subscription.publish, slot: at, plan: () => assert.fail('a claimed run is never planned again') });
  const takeover = new DigestScheduler({ store: storeB, clock, runSlot, logger: b.logger }).takeOver();
  await stallB.held;
  assert.deepEqual(contents(channelId), ['Stalled digest (1/3)', 'Stalled digest (2/3)']);

  // A's post is answered at last (Discord matches its nonce to B's message): A may not record it, and stops.
  stallA.release();
  const lost = await outcomeA;
  stallB.release();
  await takeover;
  assert.equal(b.events('digest.run')[0]?.status, 'posted');
  assert.equal(lost.status, 'pending');
  assert.match(lost.summary, /another Newsdesk process took this digest over/);
  assert.deepEqual(stallA.sent, ['Stalled digest (1/3)', 'Stalled digest (2/3)'], 'A sent nothing after losing the run');
  assert.equal(a.events('digest.lease_lost').length, 1, 'one structured line says why A stopped');
  assert.deepEqual(contents(channelId), ['Stalled digest (1/3)', 'Stalled digest (2/3)', 'Stalled digest (3/3)'], 'each message once');
  const run = (await storeA.findRun(digest.id, slot))!;
  assert.deepEqual([run.status, run.leaseOwner], ['posted', null]);
  assert.deepEqual((await storeA.runMessages(run.id)).map((m) => m.messageId), sandbox.messages(channelId).map((m) => m.id));
  await storeA.close();
  await storeB.close();
});
