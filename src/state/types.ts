// What the state holds, as the rest of the bot sees it: subscriptions and the runs of their digests.
import type { DigestSettings } from '../digest/settings.js';

export interface Subscription {
  channelId: string;
  guildId: string;
  /** HH:mm on a 24-hour clock, in `timezone`. */
  time: string;
  /** An IANA time zone name. */
  timezone: string;
  settings: DigestSettings;
  mentionRoleId: string | null;
  paused: boolean;
  /** Why the bot paused it by itself (the channel is gone, the bot may not post), shown in /digest status. */
  pausedReason: string | null;
  lastRunAt: Date | null;
  lastResult: string | null;
  createdAt: Date;
  /** When the schedule last changed (setup, pause, resume): slots before it never run. */
  updatedAt: Date;
}

export type SubscriptionInput = Pick<Subscription, 'channelId' | 'guildId' | 'time' | 'timezone' | 'settings' | 'mentionRoleId'>;

/** One message of a digest as planned before sending: a Discord message create body and the stories it carries. */
export interface PlannedMessage {
  payload: object;
  /** Every URL identifying the message's stories (leads and their related coverage): what "already received" means. */
  storyUrls: string[];
  storyCount: number;
}

/** A digest's messages, or why there is nothing to post. */
export type Plan = PlannedMessage[] | { empty: string };

/**
 * sending: planned, some messages not yet posted (resumable); posted/empty: done; failed: given up (the reason
 * says why); skipped: a slot deliberately not run (missed too long ago).
 */
export type RunStatus = 'sending' | 'posted' | 'empty' | 'failed' | 'skipped';

export interface RunRecord {
  id: number;
  channelId: string;
  slot: Date;
  status: RunStatus;
  outcome: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface RunMessage extends PlannedMessage {
  index: number;
  messageId: string | null;
  /** When it was first handed to Discord; set with no messageId, it may have been posted without being recorded. */
  attemptedAt: Date | null;
}
