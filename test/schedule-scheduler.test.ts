import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_DIGEST_SETTINGS } from '../src/digest/settings.js';
import { createLogger } from '../src/log.js';
import type { Logger } from '../src/log.js';
import { DigestDelivery } from '../src/delivery/exactlyOnce.js';
import type { Sender } from '../src/delivery/runs.js';
import { DigestScheduler } from '../src/schedule/scheduler.js';
import { SqliteStore } from '../src/state/sqliteStore.js';
import type { StateStore } from '../src/state/stateStore.js';
import { digestOf, subscribe } from './helpers/subscriptions.js';
import { SubscriptionService } from '../src/subscriptions/service.js';
import type { Subscription } from '../src/state/types.js';
import { TestClock } from './helpers/clock.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-scheduler-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const logger = createLogger('silent');
let files = 0;
const newFile = () => path.join(dir, `db-${++files}.sqlite`);

/**
 * Every message the bot posted, per channel. It does not deduplicate nonces the way Discord does, so a digest
 * posted twice shows here as twice. Channels in `forbidden` answer like a channel the bot may not post in.
 */
function postbox(forbidden: string[] = []) {
  const posted = new Map<string, string[]>();
  const attempts = new Map<string, number>();
  const send: Sender = async (channelId, body) => {
    attempts.set(channelId, (attempts.get(channelId) ?? 0) + 1);
    if (forbidden.includes(channelId)) return { ok: false, permanent: true, reason: 'the bot may not post in this channel (Missing Permissions)' };
    const list = posted.get(channelId) ?? [];
    list.push(String((body as { content: unknown }).content));
    posted.set(channelId, list);
    return { ok: true, messageId: `${channelId}-${list.length}` };
  };
  return { posted, attempts, send, count: (channelId: string) => posted.get(channelId)?.length ?? 0 };
}

function scheduler(store: StateStore, clock: TestClock, send: Sender, crashing: () => boolean = () => false, log: Logger = logger): DigestScheduler {
  const subscriptions = new SubscriptionService({ store, reschedule: (id) => scheduled.refresh(id), defaultSettings: () => DEFAULT_DIGEST_SETTINGS });
  // The history is never read here: no message is left attempted but unrecorded.
  const history = async () => ({ ok: false as const, reason: 'not modelled' });
  const delivery = new DigestDelivery({ store, send, history, subscriptions, logger, retry: { attempts: 2, baseDelayMs: 1 } });
  const runSlot = (sub: Subscription, slot: Date) => crashing() ? Promise.reject(new Error('delivery crashed')) :
    delivery.deliver({
      subscriptionId: sub.id,
      channelId: sub.channelId,
      publish: sub.publish,
      slot,
      plan: () => [{ payload: { content: `digest for ${slot.toISOString()}`, allowed_mentions: { parse: [] } }, storyUrls: [`https://example.com/${slot.getTime()}`], storyCount: 1 }],
    });
  const scheduled: DigestScheduler = new DigestScheduler({ store, clock, runSlot, logger: log });
  return scheduled;
}


/** A fresh database whose subscriptions (channel, time, zone) were set up at `setupAt`, and its scheduler. */
async function setUp(setupAt: string, subscriptions: [string, string, string][], forbidden: string[] = []) {
  const clock = new TestClock(new Date(setupAt));
  const box = postbox(forbidden);
  const store = SqliteStore.open(newFile(), { logger, clock });
  for (const [channelId, time, timezone] of subscriptions) await subscribe(store, { channelId, guildId: GUILD, time, timezone });
  return { clock, box, store, s: scheduler(store, clock, box.send) };
}

const GUILD = '900000000000000001';
const A = '100000000000000001';
const B = '100000000000000002';

test('a slot never runs twice: not on a second tick, nor after a restart on the same database', async () => {
  const file = newFile();
  const clock = new TestClock(new Date('2026-05-03T20:00:00Z'));
  const box = postbox();
  let store = SqliteStore.open(file, { logger, clock });
  await subscribe(store, { channelId: A, guildId: GUILD, time: '08:00', timezone: 'Europe/Paris' }); // 06:00 UTC in May

  clock.set('2026-05-04T05:59:00Z');
  await scheduler(store, clock, box.send).tick();
  assert.equal(box.count(A), 0, 'nothing before the time');
  clock.set('2026-05-04T06:00:00Z');
  const first = scheduler(store, clock, box.send);
  await first.tick();
  await first.tick();
  assert.deepEqual(box.posted.get(A), ['digest for 2026-05-04T06:00:00.000Z']);
  await store.close();

  clock.set('2026-05-04T06:03:00Z');
  store = SqliteStore.open(file, { logger, clock });
  const restarted = scheduler(store, clock, box.send);
  await restarted.start();
  restarted.stop();
  assert.equal(box.count(A), 1);

  clock.set('2026-05-05T06:00:10Z');
  await restarted.tick();
  assert.deepEqual(box.posted.get(A), ['digest for 2026-05-04T06:00:00.000Z', 'digest for 2026-05-05T06:00:00.000Z']);
  assert.equal((await digestOf(store, A))?.lastResult, 'posted 1 message with 1 story');
  await store.close();
});

test('ticks that start together (a timer and the sweep) post each channel\'s digest once', async () => {
  const { clock, box, store, s } = await setUp('2026-05-03T12:00:00Z', [[A, '08:00', 'UTC'], [B, '08:00', 'UTC']]);
  clock.set('2026-05-04T08:00:05Z');
  await Promise.all([s.tick(), s.tick(), s.tick()]);
  assert.deepEqual([box.count(A), box.count(B)], [1, 1]);
  await store.close();
});

test('digests go out at the local time across daylight-saving changes, once on a repeated hour', async () => {
  const { clock, box, store, s } = await setUp('2026-03-27T12:00:00Z', [[A, '02:30', 'Europe/Paris'], [B, '01:30', 'America/New_York']]);

  clock.set('2026-03-28T01:30:00Z'); // 02:30 CET the day before
  await s.tick();
  clock.set('2026-03-29T00:59:00Z');
  await s.tick();
  assert.deepEqual(box.posted.get(A), ['digest for 2026-03-28T01:30:00.000Z']);
  clock.set('2026-03-29T01:00:00Z'); // 02:30 does not exist today: the clocks jump from 02:00 to 03:00 now
  await s.tick();
  assert.equal(box.posted.get(A)?.[1], 'digest for 2026-03-29T01:00:00.000Z');
  clock.set('2026-03-30T00:30:00Z'); // 02:30 CEST
  await s.tick();
  assert.equal(box.posted.get(A)?.[2], 'digest for 2026-03-30T00:30:00.000Z');

  clock.set('2026-11-01T05:30:00Z'); // 01:30 EDT
  await s.tick();
  clock.set('2026-11-01T06:30:00Z'); // 01:30 again, now EST
  await s.tick();
  assert.deepEqual(box.posted.get(B)?.filter((c) => c.includes('2026-11-01')), ['digest for 2026-11-01T05:30:00.000Z']);
  await store.close();
});

test('a slot missed while the bot was down runs once on start within 12 hours; an older one is skipped', async () => {
  const file = newFile();
  const clock = new TestClock(new Date('2026-06-01T06:00:00Z'));
  const box = postbox();
  let store = SqliteStore.open(file, { logger, clock });
  await subscribe(store, { channelId: A, guildId: GUILD, time: '08:00', timezone: 'UTC' });
  await subscribe(store, { channelId: B, guildId: GUILD, time: '08:00', timezone: 'UTC' });
  await store.close();

  clock.set('2026-06-01T19:30:00Z'); // 11.5 hours after 08:00
  store = SqliteStore.open(file, { logger, clock });
  await store.removeSubscription((await digestOf(store, B))!.id);
  let s = scheduler(store, clock, box.send);
  await s.start();
  s.stop();
  assert.deepEqual(box.posted.get(A), ['digest for 2026-06-01T08:00:00.000Z']);
  assert.equal(box.count(B), 0, 'a subscription removed meanwhile is not caught up');
  s = scheduler(store, clock, box.send);
  await s.start();
  s.stop();
  assert.equal(box.count(A), 1, 'caught up once');
  await store.close();

  clock.set('2026-06-02T21:00:00Z'); // 13 hours after the 2 June slot
  store = SqliteStore.open(file, { logger, clock });
  s = scheduler(store, clock, box.send);
  await s.start();
  s.stop();
  assert.equal(box.count(A), 1, 'too old: not posted');
  assert.match((await digestOf(store, A))?.lastResult ?? '', /^skipped: the 08:00 digest was missed while the bot was offline/);
  clock.set('2026-06-03T08:00:00Z');
  await s.tick();
  assert.equal(box.posted.get(A)?.[1], 'digest for 2026-06-03T08:00:00.000Z');
  await store.close();
});

test('setting up (or resuming) after today\'s time waits for tomorrow instead of posting at once', async () => {
  const { clock, box, store, s } = await setUp('2026-06-01T09:00:00Z', [[A, '08:00', 'UTC']]);
  await s.tick();
  assert.equal(box.count(A), 0);

  await store.setPaused((await digestOf(store, A))!.id, true);
  clock.set('2026-06-02T08:00:00Z');
  await s.tick();
  assert.equal(box.count(A), 0, 'paused: nothing');
  clock.set('2026-06-02T10:00:00Z');
  await store.setPaused((await digestOf(store, A))!.id, false);
  await s.tick();
  assert.equal(box.count(A), 0, 'resumed after the time: not owed');
  clock.set('2026-06-03T08:00:00Z');
  await s.tick();
  assert.deepEqual(box.posted.get(A), ['digest for 2026-06-03T08:00:00.000Z']);
  await store.close();
});

test('a forbidden channel is paused with its reason while another channel still gets its digest', async () => {
  const { clock, box, store, s } = await setUp('2026-06-01T06:00:00Z', [[A, '08:00', 'UTC'], [B, '08:00', 'UTC']], [A]);
  clock.set('2026-06-01T08:00:00Z');
  await s.tick();
  assert.deepEqual(box.posted.get(B), ['digest for 2026-06-01T08:00:00.000Z']);
  const paused = (await digestOf(store, A))!;
  assert.equal(paused.paused, true);
  assert.equal(paused.pausedReason, 'the bot may not post in this channel (Missing Permissions)');
  assert.equal(paused.lastResult, 'failed: the bot may not post in this channel (Missing Permissions)');

  clock.set('2026-06-02T08:00:00Z');
  await s.tick();
  assert.equal(box.attempts.get(A), 1, 'a paused channel is not tried again');
  assert.equal(box.count(B), 2);
  await store.close();
});

test('a run crashing at every tick is one error in full, and "working again" only once every run went through', async () => {
  const { clock, box, store } = await setUp('2026-05-03T12:00:00Z', [[A, '08:00', 'UTC'], [B, '09:00', 'UTC']]);
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  let crash = true;
  const s = scheduler(store, clock, box.send, () => crash, log);
  const crashes = () => lines.filter((line) => line.event === 'digest.run_crashed');
  const recovered = () => lines.filter((line) => String(line.event).endsWith('recovered'));
  clock.set('2026-05-04T08:00:05Z');
  // Started by its timer's way in, whose own work (reading the due slots) goes through while the run crashes.
  await s.start();
  s.stop();
  await s.tick();
  await s.tick();
  assert.deepEqual(crashes().map((line) => line.level), [50, 40, 40], 'the first crash in full (error), its repeats as warnings');
  assert.deepEqual(recovered(), [], 'nothing says it works again while the run still crashes');
  crash = false;
  await s.tick();
  assert.equal(box.count(A), 1);
  assert.deepEqual(recovered().map((line) => line.event), ['digest.runs_recovered']);
  await store.close();
});
