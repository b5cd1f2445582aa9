// The timers that wake the scheduler: one node-cron task per distinct time, days and zone, shared by every digest set
// to it, rather than one task per digest. A timer only wakes the scheduler (which works out from the clock and the
// database what is due), so digests sharing a time need one wake-up, not one each: with 500 digests at one minute the
// 500 tasks firing together held the event loop 0.4-0.7 s before the first digest was looked at.
import cron from 'node-cron';
import type { ScheduledTask } from 'node-cron';

interface Timer {
  task: ScheduledTask;
  digests: Set<number>;
}

/**
 * Pays for node-cron's first timer now: it makes the process's first time-zone formatter, which loads the zone data
 * (17-25 ms; the next timer takes under 1). Left to the scheduler's start, it fell in the turn the bot connects in.
 */
export function warmUpTimers(): void {
  cron.schedule('0 0 1 1 *', () => undefined, { name: 'warm-up' }).destroy();
}

export class Timetable {
  /** Each timer by its cron expression and zone. */
  private readonly timers = new Map<string, Timer>();
  /** Each digest's timer key. */
  private readonly placed = new Map<number, string>();

  constructor(private readonly wake: () => void) {}

  /** How many digests are on the timetable. */
  get size(): number {
    return this.placed.size;
  }

  /** Puts the digest on the timer of `expression` in `timezone` (off any other), starting that timer if it is new. */
  place(digestId: number, expression: string, timezone: string): void {
    const key = `${expression} ${timezone}`;
    if (this.placed.get(digestId) === key) return;
    this.remove(digestId);
    let timer = this.timers.get(key);
    if (!timer) {
      timer = { task: cron.schedule(expression, this.wake, { timezone, name: `digests at ${key}` }), digests: new Set() };
      this.timers.set(key, timer);
    }
    timer.digests.add(digestId);
    this.placed.set(digestId, key);
  }

  /** Takes the digest off the timetable; its timer stops when no other digest shares it. Whether it was on it. */
  remove(digestId: number): boolean {
    const key = this.placed.get(digestId);
    if (key === undefined) return false;
    this.placed.delete(digestId);
    const timer = this.timers.get(key)!;
    timer.digests.delete(digestId);
    if (timer.digests.size === 0) {
      timer.task.destroy();
      this.timers.delete(key);
    }
    return true;
  }

  clear(): void {
    for (const { task } of this.timers.values()) task.destroy();
    this.timers.clear();
    this.placed.clear();
  }
}
