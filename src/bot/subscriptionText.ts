// A subscription in words, for /digest setup's confirmation and /digest status.
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import { describeFilters } from '../digest/filters.js';
import { describeWindow } from '../digest/settings.js';
import { nextSlot } from '../schedule/slots.js';
import type { Subscription } from '../state/types.js';
import { displayText, plural } from '../util/text.js';
import { timeAgo } from '../util/timeAgo.js';

dayjs.extend(utc);
dayjs.extend(timezone);

/** "Fri 27 Nov, 08:30" in the subscription's own zone: the time the members of that server live by. */
function localTime(instant: Date, zone: string): string {
  return dayjs(instant).tz(zone).format('ddd D MMM, HH:mm');
}

/**
 * Lines describing the schedule, the filters and the state of a subscription (markdown, untrusted parts escaped).
 * `problem` is why its digest is stopped, when the database could not record it.
 */
export function describeSubscription(subscription: Subscription, now: Date, problem?: string): string[] {
  const { settings } = subscription;
  const lines = [`Every day at **${subscription.time}** (${subscription.timezone})`];
  if (subscription.paused) {
    lines.push(subscription.pausedReason ? `⏸ Paused by the bot: ${displayText(subscription.pausedReason, 300)}` : '⏸ Paused');
  } else {
    lines.push(`Next: ${localTime(nextSlot(now, subscription.time, subscription.timezone), subscription.timezone)}`);
  }
  lines.push(`${plural(settings.size, 'story', 'stories')} published ${describeWindow(settings.window)}; filters: ${displayText(describeFilters(settings), 400)}`);
  if (subscription.mentionRoleId) lines.push(`Mentions <@&${subscription.mentionRoleId}>`);
  if (problem) lines.push(`⚠ ${displayText(problem, 400)}`);
  if (subscription.lastRunAt && subscription.lastResult && subscription.lastResult !== problem) {
    lines.push(`Last run ${timeAgo(subscription.lastRunAt, now)}: ${displayText(subscription.lastResult, 300)}`);
  }
  return lines;
}
