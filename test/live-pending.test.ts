// A live digest's unfinished batch (its process stopped after claiming it, Discord failed) is the live runner's alone:
// the scheduler's sweep leaves it, the live runner finishes it once, or abandons it with the reason when its digest was
// paused or it is past a day old. A batch Discord failed is tried again before the next minute, and a failure repeating
// every minute is logged in full once. The real bot and discord.js client against the sandbox, a real SQLite file;
// the clock is the test's and the live runner ticks when told.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { batchSlot, LIVE_MAX_AGE_HOURS } from '../src/schedule/liveBatch.js';
import { startBotHarness, waitUntil } from './helpers/bot.js';
import type { BotHarness } from './helpers/bot.js';
import { arrive, dayStart, liveTickAt, plus, postedBatches, urlOf } from './helpers/live.js';
import type { LiveArticle } from './helpers/live.js';

const WIRE = { name: 'Pending Wire', domain: 'pendingwire.example.org' };

let h: BotHarness;
before(async () => {
  h = await startBotHarness();
});
after(async () => {
  await h.close();
});

const story = (slug: string, publishedAt: Date): LiveArticle => ({ slug, title: `Pendingwire ${slug}`, publishedAt, provider: WIRE, quality: 100 });

/** A channel with a live digest of the wire's stories, every minute; the digest. */
async function liveChannel(bot: BotHarness, name: string) {
  const channelId = bot.sandbox.createChannel(name);
  await waitUntil(() => bot.bot.client.channels.cache.has(channelId), `the bot to see #${name}`);
  await bot.digest('live', { channel: channelId, keywords: 'pendingwire', every: 1 });
  const digest = (await bot.store.listSubscriptions({ channelId })).find((d) => d.kind === 'live')!;
  return { channelId, digest };
}

/**
 * The batch of `at`'s minute claimed at `at` with its plan and nothing sent, as a process leaves it that stops right
 * after its claim: pending in the database, leased to this process's identity.
 */
async function claimedBatch(bot: BotHarness, digest: { id: number; channelId: string }, at: Date) {
  bot.clock.set(at);
  const subscription = (await bot.store.getSubscription(digest.id))!;
  const slot = batchSlot(at);
  const draft = await bot.bot.digests.draft(subscription, at, slot);
  assert.ok(draft.ok, 'the batch has a story to post');
  const run = await bot.store.claimRun({ subscriptionId: digest.id, channelId: digest.channelId }, slot, draft.messages);
  assert.equal(run?.status, 'sending');
  return run!;
}

test('an unfinished live batch is the live runner\'s: the scheduler\'s sweep leaves it, and the next live tick posts it once', async () => {
  const start = dayStart(0);
  h.clock.set(start);
  const { channelId, digest } = await liveChannel(h, 'pending-owner');
  const first = story('owner', plus(start, 0, 10));
  await arrive(h, [first]);
  await claimedBatch(h, digest, plus(start, 1));

  h.clock.set(plus(start, 1, 20));
  await h.bot.scheduler.tick();
  assert.equal(h.sandbox.messages(channelId).length, 0, 'the scheduler left the live batch to the live runner');
  await liveTickAt(h, plus(start, 1, 30));
  assert.deepEqual(postedBatches(h, channelId), [[urlOf(first)]]);
  await h.bot.scheduler.tick();
  await liveTickAt(h, plus(start, 2));
  assert.equal(h.sandbox.messages(channelId).length, 1, 'posted once');
});

test('a paused live digest\'s unfinished batch is abandoned with the reason, and not posted when the digest is resumed', async () => {
  const start = dayStart(1);
  h.clock.set(start);
  const { channelId, digest } = await liveChannel(h, 'pending-paused');
  await arrive(h, [story('before-pause', plus(start, 0, 10))]);
  const run = await claimedBatch(h, digest, plus(start, 1));
  await h.digest('pause', { channel: channelId });

  await liveTickAt(h, plus(start, 1, 30));
  const closed = await h.store.getRun(run.id);
  assert.deepEqual([closed?.status, closed?.outcome], ['failed', 'failed: abandoned because the live digest was paused']);
  assert.ok(h.logs.some((l) => l.event === 'live.batch_abandoned' && l.runId === run.id), 'the log says which batch and why');

  await h.digest('resume', { channel: channelId });
  const fresh = story('after-resume', plus(start, 3));
  await arrive(h, [fresh]);
  await liveTickAt(h, plus(start, 3, 30));
  assert.deepEqual(postedBatches(h, channelId), [[urlOf(fresh)]], 'the batch from before the pause never reached the channel');
});

test(`a live batch unfinished for more than ${LIVE_MAX_AGE_HOURS} hours is abandoned, not posted as news`, async () => {
  const start = dayStart(2);
  h.clock.set(start);
  const { channelId, digest } = await liveChannel(h, 'pending-stale');
  await arrive(h, [story('stale', plus(start, 0, 10))]);
  const run = await claimedBatch(h, digest, plus(start, 1));

  await liveTickAt(h, plus(start, 1 + (LIVE_MAX_AGE_HOURS + 1) * 60));
  assert.equal(h.sandbox.messages(channelId).length, 0);
  assert.equal((await h.store.getRun(run.id))?.outcome, `failed: abandoned because it was not complete within ${LIVE_MAX_AGE_HOURS} hours of its time`);
});

test('a live batch Discord failed is tried again at the owed retry, before the next minute, and posted once', async () => {
  const start = dayStart(4);
  h.clock.set(start);
  const { channelId, digest } = await liveChannel(h, 'pending-retry');
  const first = story('retried', plus(start, 0, 10));
  await arrive(h, [first]);
  // Every try of the delivery (discord.js itself tries a 5xx four times) fails: the batch is left pending.
  h.sandbox.faults.failNext(16, 500, { route: `/channels/${channelId}/messages` });
  await liveTickAt(h, plus(start, 1));
  assert.equal(h.sandbox.messages(channelId).length, 0);
  assert.equal((await h.store.findRun(digest.id, plus(start, 1)))?.status, 'sending', 'left pending');

  // The clock stays in the batch's minute: no minute tick comes, only the retry the failure owes.
  await h.bot.live.retryOwed();
  assert.deepEqual(postedBatches(h, channelId), [[urlOf(first)]]);
  assert.ok(h.logs.some((l) => l.event === 'live.retry'));
  await h.bot.live.retryOwed();
  await liveTickAt(h, plus(start, 2));
  assert.equal(h.sandbox.messages(channelId).length, 1, 'posted once; nothing owed after it went through');
});

test('a live batch failing every minute is logged in full once, then as one short line a minute, until it works again', async () => {
  const start = dayStart(5);
  h.clock.set(start);
  const { channelId, digest } = await liveChannel(h, 'pending-repeats');
  const first = story('repeats', plus(start, 0, 10));
  await arrive(h, [first]);
  // A row another program (or a hand) wrote: its topics are not a list, and building the batch throws every minute.
  const db = new Database(h.store.location);
  const settings = db.prepare('SELECT settings FROM subscriptions WHERE id = ?').pluck().get(digest.id) as string;
  db.prepare('UPDATE subscriptions SET settings = ? WHERE id = ?').run(JSON.stringify({ ...JSON.parse(settings), topics: null }), digest.id);

  for (let minute = 1; minute <= 3; minute++) await liveTickAt(h, plus(start, minute));
  const crashes = h.logs.filter((l) => l.event === 'live.batch_crashed');
  assert.deepEqual(crashes.map((l) => [l.level, l.repeated ?? false, l.err !== undefined]), [[50, false, true], [40, true, false], [40, true, false]],
    'each minute tried it again: the first failure in full, its repeats as one warning line each without the stack');

  db.prepare('UPDATE subscriptions SET settings = ? WHERE id = ?').run(settings, digest.id);
  db.close();
  await liveTickAt(h, plus(start, 4));
  assert.ok(h.logs.some((l) => l.event === 'live.recovered'), 'working again is logged');
  assert.deepEqual(postedBatches(h, channelId), [[urlOf(first)]]);
});
