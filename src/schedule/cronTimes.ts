// The node-cron expressions that wake the scheduler for a digest: at its slot, and a little before it, when its run
// is planned ahead so that at the slot only sending is left. The one place that turns a digest's time into cron.
import type { Subscription } from '../state/types.js';
import { cronWeekdays } from './days.js';
import { timeOfDayParts } from '../util/timeOfDay.js';

/**
 * How long before its slot a digest is planned: enough to plan and claim thousands of digests due at one minute
 * (2,000 took about 5 s with two schedulers on PostgreSQL), short enough that news arriving in between is rare; what
 * does arrive goes into the digest's next run, whose window starts when this one was planned. Under a minute.
 */
export const PLAN_AHEAD_SECONDS = 30;

type Timing = Pick<Subscription, 'time' | 'days'>;

/** When the digest's slot comes: its time of day, on its days. */
export function slotExpression({ time, days }: Timing): string {
  const { hour, minute } = timeOfDayParts(time);
  return `${minute} ${hour} * * ${cronWeekdays(days)}`;
}

/**
 * PLAN_AHEAD_SECONDS before the slot, in the minute before it: the minute before midnight falls on the day before,
 * so the days move back one too. Where the clocks jump over that instant (a slot just after a spring-forward change)
 * node-cron does not fire, and the digest is planned at its slot, as without planning ahead.
 */
export function planAheadExpression({ time, days }: Timing): string {
  const { hour, minute } = timeOfDayParts(time);
  const minutes = (hour * 60 + minute + 24 * 60 - 1) % (24 * 60);
  const dayBefore = hour === 0 && minute === 0;
  const weekdays = dayBefore ? days.map((day) => (day + 6) % 7).sort((a, b) => a - b) : days;
  return `${60 - PLAN_AHEAD_SECONDS} ${minutes % 60} ${Math.floor(minutes / 60)} * * ${cronWeekdays(weekdays)}`;
}
