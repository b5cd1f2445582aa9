import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { DEFAULT_DIGEST_SETTINGS } from '../src/digest/settings.js';
import { createLogger } from '../src/log.js';
import { migrate, SCHEMA_VERSION } from '../src/state/migrations.js';
import { SqliteStore } from '../src/state/sqliteStore.js';
import { NameTakenError } from '../src/state/stateStore.js';
import type { SubscriptionInput } from '../src/state/types.js';
import { EVERY_DAY } from '../src/schedule/days.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-state-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const logger = createLogger('silent');
let files = 0;
const freshFile = () => path.join(dir, `db-${++files}`, 'newsdesk.sqlite');

const clock = { at: new Date('2026-03-01T10:00:00Z'), now() { return this.at; } };

const paris: SubscriptionInput = {
  name: 'Morning',
  kind: 'scheduled',
  days: EVERY_DAY,
  channelId: '100000000000000001',
  guildId: '900000000000000001',
  time: '08:30',
  timezone: 'Europe/Paris',
  settings: { ...DEFAULT_DIGEST_SETTINGS, size: 3, topics: ['climate'] },
  mentionRoleId: null,
};

test('a database from schema version 1 upgrades itself on open, keeping its subscriptions and delivered stories', async () => {
  const file = freshFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const old = new Database(file);
  migrate(old, 1);
  // What version 1 wrote: settings without the fields added since, and a story delivered before runs existed.
  old.prepare(`INSERT INTO subscriptions (channel_id, guild_id, time, timezone, settings, paused, last_run_at, last_result, created_at, updated_at)
    VALUES (?, ?, '07:00', 'America/New_York', ?, 1, ?, 'posted 1 message(s) with 2 stories', ?, ?)`)
    .run('100000000000000002', '900000000000000001', JSON.stringify({ size: 4, maxPerProvider: 1 }), Date.parse('2026-02-27T12:00:00Z'), Date.parse('2026-02-01T00:00:00Z'), Date.parse('2026-02-02T00:00:00Z'));
  old.prepare('INSERT INTO deliveries (channel_id, url, message_id, delivered_at) VALUES (?, ?, ?, ?)')
    .run('100000000000000002', 'https://example.com/a', '555', Date.parse('2026-02-27T12:00:01Z'));
  old.close();

  const store = SqliteStore.open(file, { logger, clock });
  try {
    const [sub] = await store.listSubscriptions({ channelId: '100000000000000002' });
    assert.ok(sub);
    assert.equal(sub.name, 'Daily', 'a digest from before names has one');
    assert.deepEqual(sub.days, EVERY_DAY);
    assert.equal(sub.time, '07:00');
    assert.equal(sub.timezone, 'America/New_York');
    assert.equal(sub.paused, true);
    assert.equal(sub.pausedReason, null);
    assert.equal(sub.mentionRoleId, null);
    assert.equal(sub.lastResult, 'posted 1 message(s) with 2 stories');
    assert.deepEqual(sub.lastRunAt, new Date('2026-02-27T12:00:00Z'));
    // Stored fields kept, fields the old version did not know take the defaults.
    assert.equal(sub.settings.size, 4);
    assert.equal(sub.settings.maxPerProvider, 1);
    assert.deepEqual(sub.settings.window, DEFAULT_DIGEST_SETTINGS.window);
    assert.deepEqual([...(await store.seenUrls('100000000000000002'))], ['https://example.com/a']);
    assert.equal(await store.lastPlannedAt(sub.id, clock.at), null, 'no run was recorded before version 2');
  } finally {
    await store.close();
  }
  const reopened = new Database(file, { readonly: true });
  assert.equal(reopened.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  reopened.close();
});

test('a database newer than this code is refused rather than misread', async () => {
  const file = freshFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const newer = new Database(file);
  newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  newer.close();
  assert.throws(() => SqliteStore.open(file, { logger }), /newer than this Newsdesk/);
});

test('subscriptions: create, read, list by server, pause with a reason, set up again, remove; all survive a reopen', async () => {
  const file = freshFile();
  let store = SqliteStore.open(file, { logger, clock });
  const created = await store.saveSubscription(paris);
  assert.equal(created.time, '08:30');
  assert.deepEqual(created.settings.topics, ['climate']);
  assert.equal(created.paused, false);
  assert.deepEqual(created.createdAt, clock.at);
  await store.saveSubscription({ ...paris, channelId: '100000000000000003', guildId: '900000000000000002', mentionRoleId: '700000000000000001' });
  assert.deepEqual((await store.listSubscriptions()).map((s) => s.channelId), ['100000000000000001', '100000000000000003']);
  assert.deepEqual((await store.listSubscriptions({ guildId: '900000000000000002' })).map((s) => s.mentionRoleId), ['700000000000000001']);
  // Names are unique per server, case ignored; another server may use the same one.
  await assert.rejects(store.saveSubscription({ ...paris, name: 'MORNING', channelId: '100000000000000004' }), NameTakenError);

  clock.at = new Date('2026-03-01T11:00:00Z');
  assert.equal(await store.setPaused(created.id, true, 'the bot may not post in this channel (Missing Permissions)'), true);
  assert.equal(await store.setPaused(999, true, 'nope'), false);
  await store.close();

  store = SqliteStore.open(file, { logger, clock });
  const paused = (await store.getSubscription(created.id))!;
  assert.equal(paused.paused, true);
  assert.equal(paused.pausedReason, 'the bot may not post in this channel (Missing Permissions)');
  assert.deepEqual(paused.updatedAt, new Date('2026-03-01T11:00:00Z'));

  // Running setup again on a paused channel resumes it, with the new time.
  clock.at = new Date('2026-03-01T12:00:00Z');
  const again = await store.saveSubscription({ ...paris, time: '09:15' }, created.id);
  assert.equal(again.paused, false);
  assert.equal(again.pausedReason, null);
  assert.equal(again.time, '09:15');
  assert.deepEqual(again.createdAt, new Date('2026-03-01T10:00:00Z'));
  assert.deepEqual(again.updatedAt, new Date('2026-03-01T12:00:00Z'));

  // Re-applying the same subscription (the .env one on every start) does not move its schedule's starting point.
  clock.at = new Date('2026-03-02T12:00:00Z');
  assert.deepEqual((await store.saveSubscription({ ...paris, time: '09:15' }, created.id)).updatedAt, new Date('2026-03-01T12:00:00Z'));

  assert.equal(await store.removeSubscription(created.id), true);
  assert.equal(await store.removeSubscription(created.id), false);
  assert.equal(await store.getSubscription(created.id), undefined);
  await store.close();
});

test('a run is claimed once per digest and slot, with its plan, and each sent message records its stories', async () => {
  const store = SqliteStore.open(freshFile(), { logger, clock });
  try {
    const sub = await store.saveSubscription(paris);
    const target = { subscriptionId: sub.id, channelId: sub.channelId };
    const slot = new Date('2026-03-03T07:30:00Z');
    const plan = [
      { payload: { content: 'one', allowed_mentions: { parse: [] } }, storyUrls: ['https://example.com/1', 'https://example.com/2'], storyCount: 2 },
      { payload: { content: 'two', allowed_mentions: { parse: [] } }, storyUrls: ['https://example.com/3'], storyCount: 1 },
    ];
    const run = await store.claimRun(target, slot, plan);
    assert.equal(run?.status, 'sending');
    assert.equal(await store.claimRun(target, slot, plan), undefined, 'a claimed slot is not claimed again');

    await store.recordSent(run!.id, 0, '8001');
    assert.deepEqual([...(await store.seenUrls(paris.channelId))].sort(), ['https://example.com/1', 'https://example.com/2']);
    assert.deepEqual((await store.runMessages(run!.id)).map((m) => m.messageId), ['8001', null]);
    assert.deepEqual((await store.pendingRuns()).map((r) => r.id), [run!.id]);

    const empty = await store.claimRun(target, new Date('2026-03-04T07:30:00Z'), { empty: 'no new articles' });
    assert.equal(empty?.status, 'empty');
    assert.equal((await store.getSubscription(sub.id))?.lastResult, 'empty: no new articles');
    assert.deepEqual((await store.pendingRuns()).map((r) => r.id), [run!.id]);

    // A second digest of the same channel has slots of its own.
    const evening = await store.saveSubscription({ ...paris, name: 'Evening' });
    assert.equal((await store.claimRun({ subscriptionId: evening.id, channelId: evening.channelId }, slot, { empty: 'none' }))?.status, 'empty');
  } finally {
    await store.close();
  }
});

test('a version 4 database becomes version 5 keeping every digest, run and message: one digest per channel, named per server', async () => {
  const file = freshFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const old = new Database(file);
  old.pragma('foreign_keys = ON');
  migrate(old, 4);
  const at = Date.parse('2026-02-01T00:00:00Z');
  const addSubscription = old.prepare(`INSERT INTO subscriptions (channel_id, guild_id, time, timezone, settings, created_at, updated_at) VALUES (?, ?, '08:00', 'UTC', ?, ?, ?)`);
  // Settings as version 4 wrote them: the since-last window carried its own 24 h limit.
  const settings = JSON.stringify({ ...DEFAULT_DIGEST_SETTINGS, window: { kind: 'since-last', maxHours: 24 } });
  addSubscription.run('100000000000000001', '900000000000000001', settings, at, at);
  addSubscription.run('100000000000000002', '900000000000000001', settings, at + 1, at + 1);
  addSubscription.run('100000000000000003', '900000000000000002', settings, at, at);
  const run = old.prepare(`INSERT INTO runs (channel_id, slot, status, created_at) VALUES ('100000000000000002', ?, 'sending', ?)`).run(at + 3_600_000, at + 3_600_000);
  old.prepare(`INSERT INTO run_messages (run_id, idx, payload, story_urls, story_count, message_id) VALUES (?, 0, '{}', '["https://example.com/a"]', 1, '42'), (?, 1, '{}', '["https://example.com/b"]', 1, NULL)`)
    .run(run.lastInsertRowid, run.lastInsertRowid);
  old.close();

  const store = SqliteStore.open(file, { logger, clock });
  try {
    const names = Object.fromEntries((await store.listSubscriptions()).map((s) => [s.channelId, s.name]));
    assert.deepEqual(names, { '100000000000000001': 'Daily', '100000000000000002': 'Daily 2', '100000000000000003': 'Daily' });
    const second = (await store.listSubscriptions({ channelId: '100000000000000002' }))[0]!;
    assert.deepEqual(second.settings.window, { kind: 'since-last' });
    const [pending] = await store.pendingRuns();
    assert.equal(pending?.subscriptionId, second.id, 'the unfinished run belongs to the digest of its channel');
    assert.deepEqual((await store.runMessages(pending!.id)).map((m) => m.messageId), ['42', null], 'its messages survived the rebuild');
    assert.deepEqual([...(await store.plannedUrls('100000000000000002'))], ['https://example.com/b']);
  } finally {
    await store.close();
  }
});

test('eligibility: stories seen are dated once, forgotten when unpublished, and the first start is marked', async () => {
  const file = freshFile();
  let store = SqliteStore.open(file, { logger, clock });
  assert.equal(await store.eligibilityStarted(), false);
  await store.updateEligibility(new Map([['https://example.com/a', 1000], ['https://example.com/b', 2000]]), []);
  assert.equal(await store.eligibilityStarted(), true);
  await store.updateEligibility(new Map(), ['https://example.com/a']);
  await store.close();
  store = SqliteStore.open(file, { logger, clock });
  assert.deepEqual([...(await store.eligibility())], [['https://example.com/b', 2000]]);
  await store.close();
});
