// What every StateStore implementation derives the same way from an input or a stored row, whichever database it is.
import { DEFAULT_DIGEST_SETTINGS } from '../digest/settings.js';
import { dateOrNull } from './rows.js';
import type { RunMessageRow } from './rows.js';
import type { RunMessage, Subscription, SubscriptionInput } from './types.js';

/** The settings as stored: every field present, those the input leaves out at their defaults. */
export function storedSettings(input: SubscriptionInput): string {
  return JSON.stringify({ ...DEFAULT_DIGEST_SETTINGS, ...input.settings });
}

/** Whether saving `input` (with these stored settings and publish flag) would change nothing of `existing`. */
export function sameSubscription(existing: Subscription, input: SubscriptionInput, settings: string, publish: boolean): boolean {
  return (
    existing.publish === publish &&
    existing.name === input.name &&
    existing.guildId === input.guildId &&
    existing.channelId === input.channelId &&
    existing.kind === input.kind &&
    existing.time === input.time &&
    existing.days.join() === input.days.join() &&
    existing.timezone === input.timezone &&
    existing.mentionRoleId === input.mentionRoleId &&
    JSON.stringify(existing.settings) === settings
  );
}

export function toRunMessage(row: RunMessageRow): RunMessage {
  return {
    index: row.idx,
    payload: JSON.parse(row.payload) as object,
    storyUrls: JSON.parse(row.story_urls) as string[],
    storyCount: row.story_count,
    messageId: row.message_id,
    attemptedAt: dateOrNull(row.attempted_at),
  };
}
