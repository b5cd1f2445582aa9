import type { Clock } from '../../src/util/clock.js';

/** A clock the test sets; the bot, its store and its scheduler all read it instead of the system's. */
export class TestClock implements Clock {
  private current: Date;
  constructor(start: Date | string) {
    this.current = new Date(start);
  }
  now(): Date {
    return new Date(this.current);
  }
  set(instant: Date | string): void {
    this.current = new Date(instant);
  }
}
