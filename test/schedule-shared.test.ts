// Subscriptions changed by another process sharing the database: the scheduler of this one re-lists them (once a
// minute, here called at once) and puts the new and changed ones on its timetable, and takes the removed and paused
// ones off, as /digest setup, edit, pause or remove in the other process does in its own.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { createLogger } from '../src/log.js';
import { DigestScheduler } from '../src/schedule/scheduler.js';
import { SqliteStore } from '../src/state/sqliteStore.js';
import { TestClock } from './helpers/clock.js';
import { subscribe } from './helpers/subscriptions.js';
import { waitUntil } from './helpers/bot.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-shared-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a digest set up, changed, paused or removed by another process is put on (or taken off) this process\'s timetable', async () => {
  const file = path.join(dir, 'shared.sqlite');
  const clock = new TestClock('2026-06-01T06:00:00Z');
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const other = SqliteStore.open(file, { logger: createLogger('silent'), clock, lease: { owner: 'other-process' } });
  const mine = SqliteStore.open(file, { logger, clock });
  const scheduler = new DigestScheduler({ store: mine, clock, logger, runSlot: () => assert.fail('nothing is due') });
  await scheduler.start();
  const scheduled = () => lines.filter((line) => line.event === 'scheduler.scheduled').map((line) => [line.subscriptionId, line.time]);
  const unscheduled = () => lines.filter((line) => line.event === 'scheduler.unscheduled').map((line) => line.subscriptionId);
  try {
    const digest = await subscribe(other, { channelId: '100000000000000001', guildId: '900000000000000001', time: '08:00' });
    await scheduler.followChanges();
    assert.deepEqual(scheduled(), [[digest.id, '08:00']], 'set up elsewhere: scheduled here');

    await scheduler.followChanges();
    assert.equal(scheduled().length, 1, 'unchanged: left as it is');

    clock.set('2026-06-01T06:01:00Z');
    await other.saveSubscription({ ...digest, time: '09:15' }, digest.id);
    await scheduler.followChanges();
    assert.deepEqual(scheduled().at(-1), [digest.id, '09:15'], 'changed elsewhere: rescheduled at its new time');

    clock.set('2026-06-01T06:02:00Z');
    await other.setPaused(digest.id, true);
    await scheduler.followChanges();
    assert.deepEqual(unscheduled(), [digest.id], 'paused elsewhere: off the timetable');

    await other.setPaused(digest.id, false);
    await scheduler.followChanges();
    const again = scheduled().length;
    await other.removeSubscription(digest.id);
    await scheduler.followChanges();
    assert.deepEqual(unscheduled(), [digest.id, digest.id], 'resumed, then removed elsewhere: off the timetable');
    assert.equal(scheduled().length, again);
  } finally {
    scheduler.stop();
    await mine.close();
    await other.close();
  }
});

const LEASE_MS = 400;

/**
 * Two digests due at 08:00, one of them claimed by another process that died holding it; this process's scheduler
 * started, its start-up catch-up (the other digest) held until `release`.
 */
async function catchingUpAtStart(name: string, logger = createLogger('silent')) {
  const file = path.join(dir, `${name}.sqlite`);
  const clock = new TestClock('2026-06-01T07:00:00Z');
  const dead = SqliteStore.open(file, { logger: createLogger('silent'), clock, lease: { owner: 'dead-process', leaseMs: LEASE_MS } });
  const mine = SqliteStore.open(file, { logger, clock, lease: { owner: 'this-process', leaseMs: LEASE_MS } });
  const guildId = '900000000000000001';
  const orphaned = await subscribe(dead, { channelId: '100000000000000001', guildId, time: '08:00' });
  const catchingUp = await subscribe(dead, { channelId: '100000000000000002', guildId, time: '08:00' });
  clock.set('2026-06-01T08:00:05Z');
  const slot = new Date('2026-06-01T08:00:00Z');
  assert.ok(await dead.claimRun({ subscriptionId: orphaned.id, channelId: orphaned.channelId }, slot, [{ payload: { content: 'x' }, storyUrls: ['https://example.com/x'], storyCount: 1 }]));
  let release!: () => void;
  const caughtUp = new Promise<void>((resolve) => (release = resolve));
  const ran: number[] = [];
  const scheduler = new DigestScheduler({
    store: mine, clock, logger,
    runSlot: async (subscription) => {
      ran.push(subscription.id);
      // This process's own catch-up: a long delivery, here one that waits until the test lets it end.
      if (subscription.id === catchingUp.id) await caughtUp;
      return { channelId: subscription.channelId, slot, runId: null, status: 'posted', summary: 'posted', messageIds: [] };
    },
  });
  const starting = scheduler.start();
  await waitUntil(() => ran.includes(catchingUp.id), 'the start\'s catch-up is under way');
  assert.deepEqual(ran, [catchingUp.id], 'the orphan is still leased when the start reads what is due: not this process\'s');
  const leaseExpires = () => clock.set(new Date(clock.now().getTime() + LEASE_MS + 1_000));
  const close = async () => {
    release();
    await starting;
    scheduler.stop();
    await mine.close();
    await dead.close();
  };
  return { scheduler, starting, ran, release, orphaned, leaseExpires, close };
}

test('a run whose process died is taken over while this process is still catching up at its start', async () => {
  const t = await catchingUpAtStart('takeover-at-start');
  try {
    t.leaseExpires();
    await waitUntil(() => t.ran.includes(t.orphaned.id), 'the dead process\'s run is taken over', 10_000);
  } finally {
    await t.close();
  }
});

test('a scheduler stopped during its start-up catch-up (SIGTERM at start) takes nothing over and leaves no timer behind', async () => {
  const lines: Record<string, unknown>[] = [];
  const t = await catchingUpAtStart('stopped-at-start', createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }));
  try {
    t.scheduler.stop();
    t.leaseExpires();
    // Several half leases: a takeover timer left running would have taken the orphan by now.
    await sleep(LEASE_MS * 3);
    t.release();
    await t.starting;
    await sleep(LEASE_MS * 2);
    assert.deepEqual(t.ran.filter((id) => id === t.orphaned.id), [], 'nothing taken over once stopped');
    assert.equal(lines.filter((line) => line.event === 'scheduler.started').length, 0, 'the start ends without putting timers up');
  } finally {
    await t.close();
  }
});
