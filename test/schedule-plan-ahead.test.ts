// Planning ahead: the scheduler plans and claims each digest PLAN_AHEAD_SECONDS before its slot, so that at the slot
// only sending is left. The real bot (discord.js against the sandbox, a SQLite file, a controlled clock): what is
// planned ahead is posted at the slot, exactly as planned and never before it; news arriving in between goes into the
// next digest; an edit, a pause or a restart in between are honoured; and a run planned ahead that a stopped
// process left is taken over only once its slot has come.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createLogger } from '../src/log.js';
import { planAheadExpression, PLAN_AHEAD_SECONDS, slotExpression } from '../src/schedule/cronTimes.js';
import { DigestScheduler } from '../src/schedule/scheduler.js';
import { SqliteStore } from '../src/state/sqliteStore.js';
import { startBotHarness, waitUntil, writeFixtureArticles, type BotHarness } from './helpers/bot.js';
import { TestClock } from './helpers/clock.js';
import { storyUrls } from './helpers/reliability.js';
import { digestOf, subscribe } from './helpers/subscriptions.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-plan-ahead-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const SLOT = new Date('2026-11-20T12:05:00Z');
const AHEAD = new Date(SLOT.getTime() - PLAN_AHEAD_SECONDS * 1000);
const at = (ms: number) => new Date(SLOT.getTime() + ms);

test('the plan-ahead timer fires PLAN_AHEAD_SECONDS before the slot, on the day before for a slot at midnight', () => {
  assert.equal(PLAN_AHEAD_SECONDS, 30);
  assert.equal(slotExpression({ time: '08:00', days: [] }), '0 8 * * *');
  assert.equal(planAheadExpression({ time: '08:00', days: [] }), '30 59 7 * * *');
  assert.equal(planAheadExpression({ time: '13:30', days: [1, 3, 5] }), '30 29 13 * * 1,3,5');
  assert.equal(planAheadExpression({ time: '00:00', days: [1] }), '30 59 23 * * 0', 'Monday 00:00 is planned on Sunday');
  assert.equal(planAheadExpression({ time: '00:00', days: [0, 6] }), '30 59 23 * * 5,6', 'weekends: Friday and Saturday nights');
  assert.equal(planAheadExpression({ time: '00:00', days: [] }), '30 59 23 * * *');
  assert.equal(planAheadExpression({ time: '00:01', days: [2] }), '30 0 0 * * 2');
});

/** The harness with a digest of Space news due at SLOT in #general, set up at 12:00. */
async function digestDueAtSlot(): Promise<{ h: BotHarness; channel: string; id: number }> {
  const h = await startBotHarness();
  const channel = h.sandbox.channels.general;
  await h.digest('setup', { channel, time: '12:05', timezone: 'UTC', topics: 'Space' });
  return { h, channel, id: (await digestOf(h.store, channel))!.id };
}

test('a digest planned ahead is posted at its slot exactly as planned, never before; news arriving in between goes into the next one', async () => {
  const { h, channel, id } = await digestDueAtSlot();
  try {
    h.clock.set(AHEAD);
    await h.bot.scheduler.planAhead();
    const run = (await h.store.findRun(id, SLOT))!;
    assert.equal(run?.status, 'sending', 'claimed with its plan before the slot');
    const planned = (await h.store.runMessages(run.id)).flatMap((m) => m.storyUrls);
    assert.equal(planned.length, 5);
    assert.deepEqual(h.sandbox.messages(channel), [], 'nothing is sent ahead');

    const late = { slug: 'late-rocket', title: 'Late rocket news', hoursAgo: 0, provider: { name: 'Orbit Daily', domain: 'orbit.example.com' }, topics: ['Space'], quality: 500 };
    h.clock.set(at(-10_000));
    writeFixtureArticles(h.contentDir, h.clock.now(), [late]);
    const lateUrl = 'https://orbit.example.com/news/late-rocket';
    await waitUntil(() => h.library.all().some((a) => a.url === lateUrl), 'the library to see the late story');
    await h.bot.scheduler.tick();
    await h.bot.scheduler.takeOver();
    assert.deepEqual(h.sandbox.messages(channel), [], 'neither a tick nor a takeover before the slot sends a run planned ahead');

    h.clock.set(at(1_000));
    await h.bot.scheduler.tick();
    assert.equal(h.sandbox.messages(channel).length, 1);
    assert.deepEqual(storyUrls(h.sandbox, channel), planned, 'the slot sends the plan made ahead, not a new one');
    assert.equal((await h.store.getRun(run.id))?.status, 'posted');

    // The next day: the digest's window starts when the last one was planned, so the late story is in it.
    const nextSlot = new Date(SLOT.getTime() + 86_400_000);
    h.clock.set(new Date(nextSlot.getTime() - PLAN_AHEAD_SECONDS * 1000));
    await h.bot.scheduler.planAhead();
    h.clock.set(nextSlot);
    await h.bot.scheduler.tick();
    const urls = storyUrls(h.sandbox, channel);
    assert.equal(h.sandbox.messages(channel).length, 2);
    assert.ok(urls.slice(planned.length).includes(lateUrl), 'the story that arrived between the plan and the slot is in the next digest');
    assert.equal(new Set(urls).size, urls.length, 'no story twice');
  } finally {
    await h.close();
  }
});

test('an edit after the digest was planned ahead is what its slot posts, a pause posts nothing, and a restart in between posts the plan once', async () => {
  const { h, channel, id } = await digestDueAtSlot();
  try {
    h.clock.set(AHEAD);
    await h.bot.scheduler.planAhead();
    const first = (await h.store.findRun(id, SLOT))!;
    h.clock.set(at(-20_000));
    await h.digest('edit', { digest: String(id), topics: 'Economy' });
    assert.equal(await h.store.findRun(id, SLOT), undefined, 'the edit withdrew the plan made before it');
    await h.bot.scheduler.planAhead();
    const replanned = (await h.store.findRun(id, SLOT))!;
    assert.notEqual(replanned.id, first.id);
    await h.restart();
    h.clock.set(SLOT);
    await h.bot.scheduler.tick();
    assert.equal(h.sandbox.messages(channel).length, 1);
    assert.ok(storyUrls(h.sandbox, channel).every((url) => url.includes('markets.example.com')), 'the edited topics (Economy), not the planned Space');
    assert.equal((await h.store.findRun(id, SLOT))?.id, replanned.id, 'the plan made ahead before the restart was the one sent');
    await h.bot.scheduler.tick();
    assert.equal(h.sandbox.messages(channel).length, 1, 'once');

    const nextSlot = new Date(SLOT.getTime() + 86_400_000);
    h.clock.set(new Date(nextSlot.getTime() - PLAN_AHEAD_SECONDS * 1000));
    writeFixtureArticles(h.contentDir, h.clock.now(), [{ slug: 'new-economy', title: 'Exports rise', hoursAgo: 0, provider: { name: 'Market Watchers', domain: 'markets.example.com' }, topics: ['Economy'] }]);
    await waitUntil(() => h.library.all().some((a) => a.url.endsWith('/new-economy')), 'the library to see the new story');
    await h.bot.scheduler.planAhead();
    assert.ok(await h.store.findRun(id, nextSlot), 'planned ahead');
    await h.digest('pause', { digest: String(id) });
    h.clock.set(nextSlot);
    await h.bot.scheduler.tick();
    assert.equal(h.sandbox.messages(channel).length, 1, 'paused after its plan was made: nothing posted');
    assert.equal(await h.store.findRun(id, nextSlot), undefined);
  } finally {
    await h.close();
  }
});

test('a digest with nothing to post yet is not planned ahead: its slot plans it, with what arrived meanwhile', async () => {
  const { h, channel, id } = await digestDueAtSlot();
  try {
    await h.digest('edit', { digest: String(id), topics: 'Health' });
    // Health's two stories are sent by /digest now: nothing is left for the slot, when it is planned ahead.
    await h.digest('now', { digest: String(id) });
    assert.equal(h.sandbox.messages(channel).length, 1);
    h.clock.set(AHEAD);
    await h.bot.scheduler.planAhead();
    assert.equal(await h.store.findRun(id, SLOT), undefined, 'an empty plan is not stored ahead');
    h.clock.set(at(-5_000));
    writeFixtureArticles(h.contentDir, h.clock.now(), [{ slug: 'ward-opens', title: 'A new ward opens', hoursAgo: 0, provider: { name: 'Clinic Times', domain: 'clinic.example.org' }, topics: ['Health'] }]);
    await waitUntil(() => h.library.all().some((a) => a.url.endsWith('/ward-opens')), 'the library to see the new story');
    h.clock.set(SLOT);
    await h.bot.scheduler.tick();
    assert.equal(h.sandbox.messages(channel).length, 2);
    assert.deepEqual(storyUrls(h.sandbox, channel).slice(-1), ['https://clinic.example.org/news/ward-opens']);
  } finally {
    await h.close();
  }
});

test('a run planned ahead by a process killed before its slot (no lease released) is taken over a lease after its slot, not at it', async () => {
  const file = path.join(dir, 'killed-before-slot.sqlite');
  const clock = new TestClock('2026-11-20T11:00:00Z');
  const silent = createLogger('silent');
  const lease = { leaseMs: 8_000 };
  const killed = SqliteStore.open(file, { logger: silent, clock, lease: { owner: 'killed-process', ...lease } });
  const mine = SqliteStore.open(file, { logger: silent, clock, lease: { owner: 'this-process', ...lease } });
  const digest = await subscribe(mine, { channelId: '100000000000000001', guildId: '900000000000000001', time: '12:05' });
  clock.set(AHEAD);
  const plan = [{ payload: { content: 'planned ahead' }, storyUrls: ['https://example.com/ahead'], storyCount: 1 }];
  assert.ok(await killed.claimRun({ subscriptionId: digest.id, channelId: digest.channelId }, SLOT, plan, { madeFrom: digest.updatedAt }));
  // SIGKILL: nothing released; the killed process's store is simply never used again.
  const ran: Date[] = [];
  const scheduler = new DigestScheduler({
    store: mine, clock, logger: silent,
    runSlot: async (subscription, slot) => {
      ran.push(slot);
      return { channelId: subscription.channelId, slot, runId: null, status: 'posted', summary: 'posted', messageIds: [] };
    },
  });
  try {
    clock.set(at(lease.leaseMs - 1_000));
    await scheduler.tick();
    await scheduler.takeOver();
    assert.deepEqual(ran, [], 'at its slot it is still the killed process\'s: its lease runs a lease past the slot');
    clock.set(at(lease.leaseMs + 1_000));
    await scheduler.takeOver();
    assert.deepEqual(ran, [SLOT], 'taken over once that lease is over');
  } finally {
    scheduler.stop();
    await mine.close();
    await killed.close();
  }
});

test('a run planned ahead by a process that stopped before its slot is taken over by another only once the slot has come', async () => {
  const file = path.join(dir, 'stopped-before-slot.sqlite');
  const clock = new TestClock(AHEAD);
  const silent = createLogger('silent');
  const stopped = SqliteStore.open(file, { logger: silent, clock, lease: { owner: 'stopped-process' } });
  const mine = SqliteStore.open(file, { logger: silent, clock, lease: { owner: 'this-process' } });
  clock.set('2026-11-20T11:00:00Z');
  const digest = await subscribe(mine, { channelId: '100000000000000001', guildId: '900000000000000001', time: '12:05' });
  clock.set(AHEAD);
  const plan = [{ payload: { content: 'planned ahead' }, storyUrls: ['https://example.com/ahead'], storyCount: 1 }];
  assert.ok(await stopped.claimRun({ subscriptionId: digest.id, channelId: digest.channelId }, SLOT, plan, { madeFrom: digest.updatedAt }));
  // A SIGTERM: the stopped process releases its leases as it closes, so the run is free at once.
  await stopped.close();
  const ran: Date[] = [];
  const scheduler = new DigestScheduler({
    store: mine, clock, logger: silent,
    runSlot: async (subscription, slot) => {
      ran.push(slot);
      return { channelId: subscription.channelId, slot, runId: null, status: 'posted', summary: 'posted', messageIds: [] };
    },
  });
  try {
    clock.set(at(-1_000));
    await scheduler.takeOver();
    await scheduler.tick();
    assert.deepEqual(ran, [], 'free, but not due: left for its slot');
    clock.set(SLOT);
    await scheduler.tick();
    assert.deepEqual(ran, [SLOT], 'sent at its slot by the process still running');
  } finally {
    scheduler.stop();
    await mine.close();
  }
});
