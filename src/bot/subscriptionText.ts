// A subscription in words, for /digest setup's confirmation and /digest status.
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import { describeFilters } from '../digest/filters.js';
import { DEFAULT_DIGEST_LAYOUT, DEFAULT_IMAGE_SIZE } from '../digest/layout.js';
import { describeWindow } from '../digest/settings.js';
import { defaultMaxAgeHours, describeWeekdays } from '../schedule/days.js';
import { describeEvery, LIVE_BATCH_STORIES, LIVE_MAX_AGE_HOURS } from '../schedule/liveBatch.js';
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

/** When the digest runs, in words: "Every day at 08:00 (Europe/Paris)", "Weekdays at 07:30 (UTC)", "Live, at most one post every 5 min". */
export function describeSchedule(subscription: Pick<Subscription, 'kind' | 'time' | 'timezone' | 'days' | 'settings'>): string {
  if (subscription.kind === 'live') return `Live, at most one post ${describeEvery(subscription.settings.everyMinutes)}`;
  const days = describeWeekdays(subscription.days);
  return `${days.charAt(0).toUpperCase()}${days.slice(1)} at ${subscription.time} (${subscription.timezone})`;
}

/** A Discord timestamp: each member reads it in their own zone (https://discord.com/developers/docs/reference#message-formatting). */
const stamp = (instant: Date, style: 'f' | 'R') => `<t:${Math.floor(instant.getTime() / 1000)}:${style}>`;

/**
 * Lines describing the state, the filters and the last run of a subscription, after its schedule (markdown,
 * untrusted parts escaped). `problem` is why its digest is stopped, when the database could not record it.
 */
export function describeSubscription(subscription: Subscription, now: Date, problem?: string): string[] {
  const { settings } = subscription;
  const lines: string[] = [];
  if (subscription.paused) {
    lines.push(subscription.pausedReason ? `⏸ Paused by the bot: ${displayText(subscription.pausedReason, 300)}` : '⏸ Paused');
  } else if (subscription.kind === 'scheduled') {
    const next = nextSlot(now, subscription);
    lines.push(`Next: ${localTime(next, subscription.timezone)} there, ${stamp(next, 'f')} for you (${stamp(next, 'R')})`);
  }
  const filters = `filters: ${displayText(describeFilters(settings), 400)}`;
  if (subscription.kind === 'live') {
    lines.push(`Each new story within a minute of its arrival, up to ${LIVE_BATCH_STORIES} a post; more wait for the next post, until ${LIVE_MAX_AGE_HOURS} h after publication; ${filters}`);
  } else {
    lines.push(`${plural(settings.size, 'story', 'stories')} published ${describeWindow(settings.window, defaultMaxAgeHours(subscription.days))}; ${filters}`);
  }
  if (settings.layout !== DEFAULT_DIGEST_LAYOUT || settings.images !== DEFAULT_IMAGE_SIZE) lines.push(`Layout: ${settings.layout}, pictures ${settings.images}`);
  if (subscription.mentionRoleId) lines.push(`Mentions <@&${subscription.mentionRoleId}>`);
  if (subscription.publish) lines.push('Published to the servers following the channel');
  if (problem) lines.push(`⚠ ${displayText(problem, 400)}`);
  if (subscription.lastRunAt && subscription.lastResult && subscription.lastResult !== problem) {
    lines.push(`Last run ${timeAgo(subscription.lastRunAt, now)} — ${displayText(outcomeSentence(subscription.lastResult), 300)}`);
  }
  return lines;
}
