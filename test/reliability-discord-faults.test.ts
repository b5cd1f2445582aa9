// Discord misbehaving in the middle of a scheduled digest to 100 channels: a storm of per-route 429s, global 429s,
// a run of 500s longer than discord.js retries by itself, the gateway closed with 4000 and then cut without a close
// frame. The digest goes through the real path (scheduler tick → DigestService → deliverRun → discord.js REST) into
// the sandbox, with subscriptions in a real SQLite file. Every channel must end with its digest exactly once.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { Events } from 'discord.js';
import { startBotHarness, TEST_NOW } from './helpers/bot.js';
import type { BotHarness } from './helpers/bot.js';
import { openApiSkip } from './helpers/openapi.js';
import { digestCopyProblems, pingProblems, subscribeChannels } from './helpers/reliability.js';
import { recordedBodyProblems } from './helpers/sandboxOpenApi.js';
import { digestOf } from './helpers/subscriptions.js';

const CHANNELS = 100;
// The sweep retries runs left pending by a transient failure every half hour; the test plays a few sweeps at most.
const SWEEPS_MAX = 4;

let h: BotHarness;
let channels: string[];
let expected: { messages: number; urls: string[] };

before(async () => {
  h = await startBotHarness();
  // Due at the harness's "now" (12:00 UTC): the subscriptions are made at that instant, so their 12:00 slot is owed.
  const time = TEST_NOW.toISOString().slice(11, 16);
  channels = await subscribeChannels(h.sandbox, h.store, CHANNELS, time, h.bot.digests.defaultSettings());
  // Every channel is new, so each one's digest is the same: what a fresh channel would get now.
  const draft = await h.bot.digests.draft(await h.bot.digests.targetFor(channels[0]!), h.clock.now());
  assert.ok(draft.ok && draft.stories > 0, 'the fixture articles make a digest');
  expected = { messages: draft.messages.length, urls: draft.messages.flatMap((m) => m.storyUrls) };
});
after(async () => {
  await h.close();
});

test(`a digest to ${CHANNELS} channels through 429 storms, 500s and gateway faults reaches every channel exactly once`, { timeout: 90_000 }, async () => {
  const { faults } = h.sandbox;
  // Each fault is set off by the digest's own progress, so it lands while messages are in flight.
  const plan = new Map<number, () => void>([
    [5, () => faults.failNext(40, 429, { route: '/messages' })],
    [20, () => faults.failNext(15, 429, { global: true })],
    [35, () => faults.failNext(12, 500, { route: '/messages' })],
    [50, () => faults.closeGateway(4000)],
    [70, () => faults.dropGateway()],
  ]);
  let posted = 0;
  const resumes: Promise<unknown>[] = [];
  const stop = h.sandbox.onMessage(() => {
    const fault = plan.get(++posted);
    if (!fault) return;
    if (posted === 50 || posted === 70) resumes.push(once(h.bot.client, Events.ShardResume));
    fault();
  });
  try {
    await h.bot.scheduler.tick();
    for (let sweep = 1; sweep < SWEEPS_MAX && (await h.store.pendingRuns()).length > 0; sweep++) await h.bot.scheduler.tick();
  } finally {
    stop();
  }

  const statuses = h.sandbox.requests.map((r) => r.status);
  assert.ok(statuses.filter((s) => s === 429).length >= 55, 'the 429 storms were really served');
  assert.ok(statuses.includes(500), 'the 500s were really served');
  assert.deepEqual(await h.store.pendingRuns(), [], 'no run is left half-sent');
  assert.deepEqual(digestCopyProblems(h.sandbox, channels, expected), []);
  for (const channelId of channels) assert.equal((await digestOf(h.store, channelId))?.paused, false, 'no channel was paused by a transient fault');

  // The gateway faults cost the bot nothing: it resumed both times and still answers a member.
  await Promise.all(resumes);
  const help = await h.sandbox.driver.command('help');
  assert.ok(help.body, 'the bot answers /help after the gateway faults');
});

test('a second tick after the storm posts nothing more: the slot is done for every channel', async () => {
  const before = h.sandbox.requests.length;
  await h.bot.scheduler.tick();
  assert.equal(h.sandbox.requests.slice(before).filter((r) => r.method === 'POST' && r.path.endsWith('/messages')).length, 0);
  assert.deepEqual(digestCopyProblems(h.sandbox, channels, expected), []);
});

test('nothing the bot sent could ping, and no fault led it to an unknown route', () => {
  assert.deepEqual(pingProblems(h.sandbox.requests), []);
  assert.equal(h.sandbox.unknownRoutes, 0);
});

test('every body the bot sent matches Discord\'s OpenAPI description', { skip: openApiSkip }, () => {
  assert.deepEqual(recordedBodyProblems(h.sandbox.requests), []);
});
