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

// The kinds of outcome (stored as "kind: detail") whose stored name does not read well to an admin; the others
// (failed, skipped, stopped) read as they are.
const OUTCOME_WORDS: Readonly<Record<string, string>> = {
  empty: 'nothing to post',
  pending: 'not finished',
};

/** A run's stored outcome as a sentence: "nothing to post: no article was published since the previous digest." */
export function outcomeSentence(outcome: string): string {
  const match = /^(\w+): (.*)$/s.exec(outcome);
  const [kind, detail] = match ? [OUTCOME_WORDS[match[1]!] ?? match[1]!, match[2]!] : ['', outcome];
  const text = detail.charAt(0).toLowerCase() + detail.slice(1);
  return `${kind ? `${kind}: ` : ''}${text}${/[.!?]$/.test(text) ? '' : '.'}`;
}

/** When the digest runs, in words: "Every day at 08:00 (Europe/Paris)". */
export function describeSchedule(subscription: Pick<Subscription, 'time' | 'timezone'>): string {
  return `Every day at ${subscription.time} (${subscription.timezone})`;
}

/**
 * Lines describing the state, the filters and the last run of a subscription, after its schedule (markdown,
 * untrusted parts escaped). `problem` is why its digest is stopped, when the database could not record it.
 */
export function describeSubscription(subscription: Subscription, now: Date, problem?: string): string[] {
  const { settings } = subscription;
  const lines: string[] = [];
  if (subscription.paused) {
    lines.push(subscription.pausedReason ? `⏸ Paused by the bot: ${displayText(subscription.pausedReason, 300)}` : '⏸ Paused');
  } else {
    lines.push(`Next: ${localTime(nextSlot(now, subscription.time, subscription.timezone), subscription.timezone)}`);
  }
  lines.push(`${plural(settings.size, 'story', 'stories')} published ${describeWindow(settings.window)}; filters: ${displayText(describeFilters(settings), 400)}`);
  if (subscription.mentionRoleId) lines.push(`Mentions <@&${subscription.mentionRoleId}>`);
  if (problem) lines.push(`⚠ ${displayText(problem, 400)}`);
  if (subscription.lastRunAt && subscription.lastResult && subscription.lastResult !== problem) {
    lines.push(`Last run ${timeAgo(subscription.lastRunAt, now)} — ${displayText(outcomeSentence(subscription.lastResult), 300)}`);
  }
  return lines;
}
