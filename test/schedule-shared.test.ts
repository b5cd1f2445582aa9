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
