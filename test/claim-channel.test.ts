// Two digests of one channel due at the same instant, planned by two processes sharing PostgreSQL at the same moment:
// each plan is made before either claim, from the same library and the same (empty) history, so both pick the same
// stories. In one process the channel's lane keeps its plans one after the other; across processes the store checks
// a channel's claims one at a time and refuses the second plan, which is made again without the first's stories. The
// channel gets every story once, and both digests post. Each "process" is a PostgresStore of its own with the real
// delivery (DigestService) posting through discord.js's REST client to the sandbox.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { REST, Routes } from 'discord.js';
import pg from 'pg';
import { ArticleLibrary } from '../src/articles/library.js';
import { discordHistory, discordSender } from '../src/bot/discordChannels.js';
import { MAX_PLANS } from '../src/delivery/claimSlot.js';
import { DigestDelivery } from '../src/delivery/exactlyOnce.js';
import type { RunOutcome } from '../src/delivery/runs.js';
import { DigestService } from '../src/delivery/service.js';
import { DEFAULT_DIGEST_SETTINGS } from '../src/digest/settings.js';
import { createLogger } from '../src/log.js';
import type { Logger } from '../src/log.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { PostgresStore } from '../src/state/postgres/postgresStore.js';
import { SqliteStore } from '../src/state/sqliteStore.js';
import type { PlannedMessage } from '../src/state/types.js';
import { SubscriptionService } from '../src/subscriptions/service.js';
import { waitUntil, writeFixtureArticles } from './helpers/bot.js';
import { postgresDatabase } from './helpers/postgres.js';
import { subscribe } from './helpers/subscriptions.js';

// The fixture's twelve recent Space stories, from three outlets: a digest of eight (four an outlet) leaves four.
const SPACE = { ...DEFAULT_DIGEST_SETTINGS, topics: ['Space'], size: 8, maxPerProvider: 4 };
const STORY_URL = /https:\/\/[a-z.]+\.example\.(?:com|net|org)\/news\/rocket-\d+/g;

/** One Newsdesk process as far as delivery goes: its own store connection, library and REST client. */
async function openProcess(url: string, sandbox: DiscordSandbox, contentDir: string, owner: string, logger: Logger, botUserId: string) {
  const store = await PostgresStore.connect(url, { logger, lease: { owner } });
  const library = await ArticleLibrary.open({ contentDir, cacheDir: null, logger, watch: false });
  const rest = new REST({ api: sandbox.apiUrl }).setToken(sandbox.token);
  const subscriptions = new SubscriptionService({ store, reschedule: async () => {}, defaultSettings: () => DEFAULT_DIGEST_SETTINGS });
  const digests = new DigestService({
    library, store, subscriptions, logger, clock: { now: () => new Date() }, defaults: { size: 5, maxPerProvider: 2 },
    send: discordSender(rest), history: discordHistory(rest, () => botUserId),
  });
  return { store, library, digests };
}

test('two processes planning two digests of one channel at the same instant post each story once, and both digests post', { timeout: 60_000 }, async (t) => {
  const url = await postgresDatabase(t);
  if (!url) return;
  const sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
  t.after(() => sandbox.close());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-claim-channel-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const now = new Date();
  writeFixtureArticles(dir, now);
  const channelId = sandbox.createChannel('two-digests');
  const slot = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const time = slot.toISOString().slice(11, 16);

  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const botUserId = ((await new REST({ api: sandbox.apiUrl }).setToken(sandbox.token).get(Routes.user('@me'))) as { id: string }).id;
  const a = await openProcess(url, sandbox, dir, 'process-a', logger, botUserId);
  const b = await openProcess(url, sandbox, dir, 'process-b', logger, botUserId);
  // The runs table is held (as a long transaction would hold it) by `holder` while both processes plan; `watcher`
  // sees them wait (a transaction sees the server's activity as it was at its first look, so not the holder).
  const holder = new pg.Client({ connectionString: url });
  const watcher = new pg.Client({ connectionString: url });
  // Everything is closed here, before the database is dropped (hooks run in the order they were added, its drop first).
  try {
    await holder.connect();
    await watcher.connect();
    const morning = await subscribe(a.store, { channelId, guildId: sandbox.guild.id, time, name: 'Morning', settings: SPACE });
    const rockets = await subscribe(a.store, { channelId, guildId: sandbox.guild.id, time, name: 'Rockets', settings: SPACE });

    // Both plans are made before either claim: both are made while the runs table is held, and it is released once
    // both processes wait to write their run.
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE runs IN EXCLUSIVE MODE');
    const outcomes = Promise.all([a.digests.runSlot(morning, slot), b.digests.runSlot(rockets, slot)]);
    await waitUntil(async () => {
      const { rows } = await watcher.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      return rows[0]!.n === 2;
    }, 'both processes to have planned and to wait to claim', 20_000, 50);
    await holder.query('COMMIT');
    const [first, second] = await outcomes;

    assert.deepEqual([first.status, second.status], ['posted', 'posted'], `both digests post: ${first.summary} / ${second.summary}`);
    const messages = sandbox.messages(channelId);
    const perMessage = new Map(messages.map((m) => [m.id, new Set(JSON.stringify(m.body).match(STORY_URL))]));
    const posted = [...perMessage.values()].flatMap((urls) => [...urls]);
    assert.deepEqual(posted.filter((story, i) => posted.indexOf(story) !== i), [], 'no story reaches the channel twice');
    assert.equal(new Set(posted).size, 12, 'every Space story once');
    const storiesOf = (outcome: RunOutcome) => outcome.messageIds.flatMap((id) => [...perMessage.get(id)!]);
    assert.deepEqual([storiesOf(first).length, storiesOf(second).length].sort(), [4, 8], 'eight in one digest, the four left in the other');
    const replanned = lines.filter((line) => line.event === 'digest.plan_outdated');
    assert.deepEqual(replanned.map((line) => [line.channelId, line.last]), [[channelId, false]], 'the digest whose plan was outdated was planned again, once');
  } finally {
    for (const { store, library } of [a, b]) {
      await library.close();
      await store.close();
    }
    await holder.end();
    await watcher.end();
  }
});

test('a digest whose plan keeps being outdated is planned three times at most, then left pending with its slot open', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-claim-channel-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const store = SqliteStore.open(path.join(dir, 'state.sqlite'), { logger });
  t.after(() => store.close());
  const channelId = '100000000000000001';
  const slot = new Date('2026-06-01T09:00:00Z');
  const digest = (name: string) => subscribe(store, { channelId, guildId: '900000000000000001', time: '09:00', name });
  const posted = await digest('Posted');
  const stale = await digest('Stale');
  const story = (url: string): PlannedMessage[] => [{ payload: { content: url, allowed_mentions: { parse: [] } }, storyUrls: [url], storyCount: 1 }];
  const sent = (await store.claimRun({ subscriptionId: posted.id, channelId }, slot, story('https://example.com/1')))!;
  await store.recordSent(sent.id, 0, '700000000000000001');

  // Every plan it is given holds the story the channel was sent (as if another process kept claiming it first).
  let plans = 0;
  const subscriptions = new SubscriptionService({ store, reschedule: async () => {}, defaultSettings: () => DEFAULT_DIGEST_SETTINGS });
  const delivery = new DigestDelivery({ store, subscriptions, logger, send: () => assert.fail('nothing is sent'), history: () => assert.fail('no channel is read') });
  const outcome = await delivery.deliver({ subscriptionId: stale.id, channelId, publish: false, slot, plan: () => {
    plans++;
    return story('https://example.com/1');
  } });

  assert.equal(plans, MAX_PLANS);
  assert.equal(outcome.status, 'pending');
  assert.match(outcome.summary, /other digests of this channel kept taking the stories planned for it; it is planned again shortly/);
  assert.equal(await store.findRun(stale.id, slot), undefined, 'the slot stays open for the next try');
  assert.deepEqual(lines.filter((line) => line.event === 'digest.plan_outdated').map((line) => line.last), [false, false, true]);
});

test('two processes planning the same digests ahead at the same moment claim each once, and at the slot each channel gets it once', { timeout: 60_000 }, async (t) => {
  const url = await postgresDatabase(t);
  if (!url) return;
  const sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
  t.after(() => sandbox.close());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-plan-ahead-race-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const now = new Date();
  writeFixtureArticles(dir, now);
  // The coming minute, a little ahead: what the schedulers' plan-ahead timers fire for.
  const slot = new Date(Math.floor(now.getTime() / 60_000) * 60_000 + 60_000);
  const time = slot.toISOString().slice(11, 16);
  const logger = createLogger('silent');
  const botUserId = ((await new REST({ api: sandbox.apiUrl }).setToken(sandbox.token).get(Routes.user('@me'))) as { id: string }).id;
  const a = await openProcess(url, sandbox, dir, 'process-a', logger, botUserId);
  const b = await openProcess(url, sandbox, dir, 'process-b', logger, botUserId);
  try {
    const digests = [];
    for (let i = 0; i < 12; i++) {
      const channelId = sandbox.createChannel(`ahead-${i}`);
      digests.push(await subscribe(a.store, { channelId, guildId: sandbox.guild.id, time, name: `Ahead ${i}`, settings: SPACE }));
    }
    const planned = await Promise.all(digests.flatMap((digest) => [a.digests.prepareSlot(digest, slot), b.digests.prepareSlot(digest, slot)]));
    for (let i = 0; i < digests.length; i++) {
      assert.equal([planned[2 * i], planned[2 * i + 1]].filter(Boolean).length, 1, `digest ${i} is claimed ahead by exactly one process`);
    }
    // Both processes' ticks at the slot find every run: each is sent by one of them, once.
    await Promise.all(digests.flatMap((digest) => [a.digests.runSlot(digest, slot), b.digests.runSlot(digest, slot)]));
    for (const digest of digests) {
      const run = (await a.store.findRun(digest.id, slot))!;
      assert.equal(run.status, 'posted');
      const received = sandbox.messages(digest.channelId);
      assert.equal(received.length, (await a.store.runMessages(run.id)).length, `#${digest.channelId} holds its planned messages, each once`);
      assert.equal(new Set(received.map((m) => m.nonce)).size, received.length);
    }
  } finally {
    for (const { store, library } of [a, b]) {
      await library.close();
      await store.close();
    }
  }
});
