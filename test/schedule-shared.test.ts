// Subscriptions changed by another process sharing the database: the scheduler of this one re-lists them (once a
// minute, here called at once) and puts the new and changed ones on its timetable, and takes the removed and paused
// ones off, as /digest setup, edit, pause or remove in the other process does in its own.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

test('a run whose process died is taken over while this process is still catching up at its start', async () => {
  const file = path.join(dir, 'takeover-at-start.sqlite');
  const clock = new TestClock('2026-06-01T07:00:00Z');
  const silent = createLogger('silent');
  const leaseMs = 400;
  const dead = SqliteStore.open(file, { logger: silent, clock, lease: { owner: 'dead-process', leaseMs } });
  const mine = SqliteStore.open(file, { logger: silent, clock, lease: { owner: 'this-process', leaseMs } });
  const guildId = '900000000000000001';
  const orphaned = await subscribe(dead, { channelId: '100000000000000001', guildId, time: '08:00' });
  const catchingUp = await subscribe(dead, { channelId: '100000000000000002', guildId, time: '08:00' });
  clock.set('2026-06-01T08:00:05Z');
  const slot = new Date('2026-06-01T08:00:00Z');
  // The other process claimed one digest and died holding it.
  assert.ok(await dead.claimRun({ subscriptionId: orphaned.id, channelId: orphaned.channelId }, slot, [{ payload: { content: 'x' }, storyUrls: ['https://example.com/x'], storyCount: 1 }]));
  let release!: () => void;
  const caughtUp = new Promise<void>((resolve) => (release = resolve));
  const ran: number[] = [];
  const scheduler = new DigestScheduler({
    store: mine, clock, logger: silent,
    runSlot: async (subscription) => {
      ran.push(subscription.id);
      // This process's own catch-up: a long delivery, here one that waits until the test lets it end.
      if (subscription.id === catchingUp.id) await caughtUp;
      return { channelId: subscription.channelId, slot, runId: null, status: 'posted', summary: 'posted', messageIds: [] };
    },
  });
  const starting = scheduler.start();
  try {
    await waitUntil(() => ran.includes(catchingUp.id), 'the start\'s catch-up is under way');
    assert.deepEqual(ran, [catchingUp.id], 'the orphan is still leased when the start reads what is due: not this process\'s');
    clock.set(new Date(clock.now().getTime() + leaseMs + 1_000));
    await waitUntil(() => ran.includes(orphaned.id), 'the dead process\'s run is taken over', 10_000);
  } finally {
    release();
    await starting;
    scheduler.stop();
    await mine.close();
    await dead.close();
  }
});
