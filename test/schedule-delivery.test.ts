import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_DIGEST_SETTINGS } from '../src/digest/settings.js';
import { NONCE_MAX } from '../src/discord/limits.js';
import { createLogger } from '../src/log.js';
import { DigestDelivery } from '../src/delivery/exactlyOnce.js';
import { DigestScheduler } from '../src/schedule/scheduler.js';
import type { Sender } from '../src/delivery/runs.js';
import type { History } from '../src/delivery/reconcile.js';
import { SqliteStore } from '../src/state/sqliteStore.js';
import type { StateStore } from '../src/state/stateStore.js';
import { SubscriptionService } from '../src/subscriptions/service.js';
import type { PlannedMessage } from '../src/state/types.js';
import { digestOf, subscribe } from './helpers/subscriptions.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-delivery-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const logger = createLogger('silent');
let files = 0;
const clock = { now: () => new Date('2026-05-04T07:01:00Z') };
const retry = { attempts: 3, baseDelayMs: 1 };
const CHANNEL = '100000000000000001';
// Each test's store holds one digest, the first saved (id 1), posting in CHANNEL (not an announcement channel's).
const TARGET = { subscriptionId: 1, channelId: CHANNEL, publish: false };
const SLOT = new Date('2026-05-04T07:00:00Z');

async function openStore(file = path.join(dir, `db-${++files}.sqlite`)): Promise<{ store: StateStore; file: string }> {
  const store = SqliteStore.open(file, { logger, clock });
  await subscribe(store, { channelId: CHANNEL, guildId: '900000000000000001', time: '09:00', timezone: 'Europe/Paris' });
  return { store, file };
}

const plan: PlannedMessage[] = [
  { payload: { content: 'Morning digest (1/2)', embeds: [{ title: 'One' }, { title: 'Two' }], allowed_mentions: { parse: [] } }, storyUrls: ['https://example.com/1', 'https://example.com/2'], storyCount: 2 },
  { payload: { content: 'Morning digest (2/2)', embeds: [{ title: 'Three' }], allowed_mentions: { parse: [] } }, storyUrls: ['https://example.com/3'], storyCount: 1 },
];

/** A channel that behaves like Discord with `enforce_nonce`: a repeated nonce returns the message it created. */
function discordChannel() {
  const messages: { id: string; body: Record<string, unknown> }[] = [];
  const byNonce = new Map<string, string>();
  const send: Sender = async (_channelId, body) => {
    const b = body as Record<string, unknown>;
    const nonce = String(b.nonce);
    const known = b.enforce_nonce === true ? byNonce.get(nonce) : undefined;
    if (known) return { ok: true, messageId: known };
    const id = String(5000 + messages.length);
    messages.push({ id, body: b });
    byNonce.set(nonce, id);
    return { ok: true, messageId: id };
  };
  const history: History = async () => ({ ok: true, messages: messages.map(({ id, body }) => ({ id, content: String(body.content ?? ''), embeds: (body.embeds ?? []) as [] })).reverse() });
  return { messages, send, history };
}

/** Delivery to the fake channel: `send` may wrap the channel's own to inject a failure or a crash. */
function delivery(store: StateStore, discord: ReturnType<typeof discordChannel>, send: Sender = discord.send): DigestDelivery {
  const subscriptions = new SubscriptionService({ store, reschedule: async () => {}, defaultSettings: () => DEFAULT_DIGEST_SETTINGS });
  return new DigestDelivery({ store, send, history: discord.history, subscriptions, logger, retry });
}

/** What a restart does with an unfinished run: deliver the same slot again (its plan is already stored). */
const resume = (d: DigestDelivery) => d.deliver({ ...TARGET, slot: SLOT, plan: () => assert.fail('a claimed run is never planned again') });

class Crash extends Error {}

test('a digest is posted in order, each message with a short deterministic nonce, and its slot never posts again', async () => {
  const { store } = await openStore();
  const discord = discordChannel();
  let planned = 0;
  const run = { ...TARGET, slot: SLOT, plan: () => (planned++, plan) };
  const first = await delivery(store, discord).deliver(run);
  assert.equal(first.status, 'posted');
  assert.deepEqual(discord.messages.map((m) => m.body.content), ['Morning digest (1/2)', 'Morning digest (2/2)']);
  for (const { body } of discord.messages) {
    assert.equal(body.enforce_nonce, true);
    assert.ok(typeof body.nonce === 'string' && body.nonce.length <= NONCE_MAX);
  }
  assert.notEqual(discord.messages[0]!.body.nonce, discord.messages[1]!.body.nonce);
  assert.deepEqual(first.messageIds, discord.messages.map((m) => m.id));
  assert.deepEqual([...(await store.seenUrls(CHANNEL))].sort(), ['https://example.com/1', 'https://example.com/2', 'https://example.com/3']);
  assert.equal((await digestOf(store, CHANNEL))?.lastResult, 'posted 2 messages with 3 stories');
  assert.deepEqual(await store.lastPlannedAt(TARGET.subscriptionId, new Date(SLOT.getTime() + 1)), clock.now());

  const again = await delivery(store, discord).deliver(run);
  assert.equal(again.status, 'skipped');
  assert.equal(discord.messages.length, 2);
  assert.equal(planned, 1);
  await store.close();
});

test('a crash between two messages: a fresh start sends only the rest, with the same nonce, and no duplicate', async () => {
  const first = await openStore();
  const discord = discordChannel();
  const nonces: string[] = [];
  const crashAfterOne: Sender = async (channelId, body) => {
    nonces.push(String((body as { nonce: string }).nonce));
    if (discord.messages.length === 1) throw new Crash('process killed');
    return discord.send(channelId, body);
  };
  await assert.rejects(delivery(first.store, discord, crashAfterOne).deliver({ ...TARGET, slot: SLOT, plan: () => plan }), Crash);
  await first.store.close();
  assert.equal(discord.messages.length, 1);

  const restarted = SqliteStore.open(first.file, { logger, clock });
  const resent: unknown[] = [];
  const afterRestart: Sender = async (channelId, body) => (resent.push((body as { content: unknown }).content), discord.send(channelId, body));
  const outcome = await resume(delivery(restarted, discord, afterRestart));
  assert.equal(outcome.status, 'posted');
  assert.deepEqual(resent, ['Morning digest (2/2)'], 'only the unsent message is sent again');
  assert.deepEqual(discord.messages.map((m) => m.body.content), ['Morning digest (1/2)', 'Morning digest (2/2)']);
  assert.equal(discord.messages[1]!.body.nonce, nonces[1], 'the resent message carries the nonce of the interrupted attempt');
  assert.equal((await restarted.seenUrls(CHANNEL)).size, 3);
  assert.equal((await resume(delivery(restarted, discord))).status, 'skipped');
  await restarted.close();
});

/**
 * A run killed right after Discord accepted its `posts`-th message, before it was recorded; the database file, for
 * a restart to open.
 */
async function killedAfterPost(discord: ReturnType<typeof discordChannel>, posts: number): Promise<string> {
  const first = await openStore();
  const crashAfterPosting: Sender = async (channelId, body) => {
    const result = await discord.send(channelId, body);
    if (discord.messages.length === posts) throw new Crash('killed before recording');
    return result;
  };
  await assert.rejects(delivery(first.store, discord, crashAfterPosting).deliver({ ...TARGET, slot: SLOT, plan: () => plan }), Crash);
  await first.store.close();
  return first.file;
}

test('a crash after Discord accepted a message but before it was recorded does not post it twice', async () => {
  const discord = discordChannel();
  const restarted = SqliteStore.open(await killedAfterPost(discord, 2), { logger, clock });
  const outcome = await resume(delivery(restarted, discord));
  assert.equal(outcome?.status, 'posted');
  assert.equal(discord.messages.length, 2);
  assert.deepEqual(outcome?.messageIds, discord.messages.map((m) => m.id));
  await restarted.close();
});

test('past the nonce window, a message attempted but unrecorded is found in the channel, never resent; a channel that cannot be read stops the run', async () => {
  const discord = discordChannel();
  const file = await killedAfterPost(discord, 1);
  // Discord has forgotten the nonce: a resend would be a second message.
  const forgetful: Sender = async (channelId, body) => discord.send(channelId, { ...body, nonce: `forgotten-${discord.messages.length}` });
  const restarted = SqliteStore.open(file, { logger, clock });
  const subscriptions = new SubscriptionService({ store: restarted, reschedule: async () => {}, defaultSettings: () => DEFAULT_DIGEST_SETTINGS });
  const unreadable = new DigestDelivery({ store: restarted, send: forgetful, history: async () => ({ ok: false, reason: 'Discord answered 403 (Missing Access)' }), subscriptions, logger, retry });
  const stopped = await resume(unreadable);
  assert.equal(stopped.status, 'stopped');
  assert.match(stopped.summary, /message 1 may have been posted .*could not be read to check \(Discord answered 403/);
  assert.equal(discord.messages.length, 1, 'nothing is sent while the channel cannot be checked');
  assert.match(unreadable.problem(TARGET.subscriptionId) ?? '', /^stopped: /);

  const outcome = await resume(delivery(restarted, discord, forgetful));
  assert.equal(outcome.status, 'posted');
  assert.deepEqual(discord.messages.map((m) => m.body.content), ['Morning digest (1/2)', 'Morning digest (2/2)'], 'the first message was found, not resent');
  assert.deepEqual(outcome.messageIds, discord.messages.map((m) => m.id));
  await restarted.close();
});

test('transient failures are retried with the same nonce; past the retries the run waits, unpaused, for the next attempt', async () => {
  const { store } = await openStore();
  const discord = discordChannel();
  const nonces: unknown[] = [];
  let failures = 2;
  const flaky: Sender = async (channelId, body) => {
    nonces.push((body as { nonce: unknown }).nonce);
    if (failures-- > 0) return { ok: false, permanent: false, reason: 'Discord answered 503' };
    return discord.send(channelId, body);
  };
  const posted = await delivery(store, discord, flaky).deliver({ ...TARGET, slot: SLOT, plan: () => plan });
  assert.equal(posted.status, 'posted');
  assert.equal(discord.messages.length, 2);
  assert.equal(new Set(nonces.slice(0, 3)).size, 1, 'the three tries of the first message share one nonce');

  const down: Sender = async () => ({ ok: false, permanent: false, reason: 'Discord answered 502' });
  const nextSlot = new Date('2026-05-05T07:00:00Z');
  // The next day's digest carries other stories, as every digest of a channel does.
  const nextPlan = plan.map((m, i) => ({ ...m, payload: { ...m.payload, embeds: [{ title: `Next day ${i}` }] }, storyUrls: [`https://example.com/next-${i}`] }));
  const pending = await delivery(store, discord, down).deliver({ ...TARGET, slot: nextSlot, plan: () => nextPlan });
  assert.equal(pending.status, 'pending');
  const sub = (await digestOf(store, CHANNEL))!;
  assert.equal(sub.paused, false);
  assert.match(sub.lastResult ?? '', /^pending: Discord answered 502/);

  const resumed = await delivery(store, discord).deliver({ ...TARGET, slot: nextSlot, plan: () => nextPlan });
  assert.equal(resumed.status, 'posted');
  assert.equal(discord.messages.length, 4);
  await store.close();
});

test('a permanent failure fails the run and pauses the subscription with the reason', async () => {
  const { store } = await openStore();
  const forbidden: Sender = async () => ({ ok: false, permanent: true, reason: 'the bot may not post in this channel (Missing Permissions)' });
  const outcome = await delivery(store, discordChannel(), forbidden).deliver({ ...TARGET, slot: SLOT, plan: () => plan });
  assert.equal(outcome.status, 'failed');
  const sub = (await digestOf(store, CHANNEL))!;
  assert.equal(sub.paused, true);
  assert.equal(sub.pausedReason, 'the bot may not post in this channel (Missing Permissions)');
  assert.equal(sub.lastResult, 'failed: the bot may not post in this channel (Missing Permissions)');
  assert.deepEqual(await store.pendingRuns(), []);
  await store.close();
});

test('an empty digest and a digest that cannot be built are recorded as the last result, and close their slot', async () => {
  const { store } = await openStore();
  const discord = discordChannel();
  const empty = await delivery(store, discord).deliver({ ...TARGET, slot: SLOT, plan: () => ({ empty: 'no new articles since the previous digest' }) });
  assert.equal(empty.status, 'empty');
  assert.equal((await digestOf(store, CHANNEL))?.lastResult, 'empty: no new articles since the previous digest');

  const broken = await delivery(store, discord).deliver({
    ...TARGET,
    slot: new Date('2026-05-05T07:00:00Z'),
    plan: () => { throw new Error('content folder unreadable'); },
  });
  assert.equal(broken.status, 'failed');
  assert.equal((await digestOf(store, CHANNEL))?.lastResult, 'failed: the digest could not be built (content folder unreadable)');
  assert.equal((await digestOf(store, CHANNEL))?.paused, false, 'not the channel\'s fault: it stays scheduled');
  assert.equal(discord.messages.length, 0);
  await store.close();
});

test('on start, an unfinished run of a removed subscription or older than the limit is abandoned, not posted late', async () => {
  const { store } = await openStore();
  const down: Sender = async () => ({ ok: false, permanent: false, reason: 'Discord answered 500' });
  const discord = discordChannel();
  await delivery(store, discord, down).deliver({ ...TARGET, slot: SLOT, plan: () => plan });
  const muchLater = { now: () => new Date(SLOT.getTime() + 13 * 3_600_000) };
  const runSlot = () => assert.fail('an abandoned run is not delivered');
  await new DigestScheduler({ store, clock: muchLater, runSlot, logger }).tick();
  assert.equal(discord.messages.length, 0);
  assert.match((await digestOf(store, CHANNEL))?.lastResult ?? '', /^failed: abandoned because it was not complete within 12 hours/);
  await store.close();
});
