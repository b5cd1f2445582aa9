import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { Timetable } from '../src/schedule/timetable.js';

// The scheduler's timers with real node-cron, on expressions with seconds so a test need not wait for a minute.
const EVERY_SECOND = '* * * * * *';

/** The wake-ups of the scheduler during `ms`, counted per second of the clock (when the timers fired). */
async function wakesPerSecond(timetable: (wake: () => void) => Timetable, ms: number, change: (t: Timetable) => void): Promise<number[]> {
  const seconds = new Map<number, number>();
  const t = timetable(() => {
    const second = Math.floor(Date.now() / 1000);
    seconds.set(second, (seconds.get(second) ?? 0) + 1);
  });
  change(t);
  await sleep(ms);
  t.clear();
  return [...seconds.values()];
}

test('digests sharing a time wake the scheduler once per firing, and still do when another is taken off', async () => {
  const shared = await wakesPerSecond((wake) => new Timetable(wake), 3_200, (t) => {
    for (const id of [1, 2, 3]) t.place(id, EVERY_SECOND, 'UTC');
    assert.equal(t.remove(1), true);
    assert.equal(t.remove(1), false, 'a digest off the timetable is not removed twice');
  });
  assert.ok(shared.length > 0, 'the digests left still wake it');
  assert.ok(shared.every((n) => n === 1), `one wake-up per firing for the digests of one time, not one per digest: ${shared}`);
});

test('a digest moved to another zone gets a timer of its own; none is left once every digest is off', async () => {
  const split = await wakesPerSecond((wake) => new Timetable(wake), 3_200, (t) => {
    t.place(1, EVERY_SECOND, 'UTC');
    t.place(2, EVERY_SECOND, 'UTC');
    t.place(2, EVERY_SECOND, 'Europe/Paris');
    assert.equal(t.size, 2);
  });
  assert.ok(split.some((n) => n === 2) && split.every((n) => n <= 2), `two timers, each firing once: ${split}`);
  const none = await wakesPerSecond((wake) => new Timetable(wake), 2_200, (t) => {
    t.place(1, EVERY_SECOND, 'UTC');
    t.place(2, EVERY_SECOND, 'Asia/Tokyo');
    t.remove(1);
    t.remove(2);
  });
  assert.deepEqual(none, [], 'no digest left: no timer');
});
