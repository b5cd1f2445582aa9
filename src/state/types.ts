// What the state holds, as the rest of the bot sees it: subscriptions and the runs of their digests.
import type { DigestSettings } from '../digest/settings.js';
import type { Weekdays } from '../schedule/days.js';

/** scheduled: at its time on its days; live: each new story shortly after it arrives, in batches. */
export type DigestKind = 'scheduled' | 'live';

/** One digest of a channel (a channel may hold several): what it sends, where, and when. */
export interface Subscription {
  id: number;
  /** Unique within the server (case ignored): how members pick it in commands. */
  name: string;
  channelId: string;
  guildId: string;
  kind: DigestKind;
  /** HH:mm on a 24-hour clock, in `timezone`. */
  time: string;
  /** The days of the week it runs on; empty: every day. */
  days: Weekdays;
  /** An IANA time zone name. */
  timezone: string;
  settings: DigestSettings;
  mentionRoleId: string | null;
  /** An announcement channel's digest: each message is published (crossposted) to the servers following the channel. */
  publish: boolean;
  paused: boolean;
  /** Why the bot paused it by itself (the channel is gone, the bot may not post), shown in /digest status. */
  pausedReason: string | null;
  lastRunAt: Date | null;
  lastResult: string | null;
  createdAt: Date;
  /** When the schedule last changed (setup, pause, resume): slots before it never run. */
  updatedAt: Date;
}

/** `publish` left out keeps the digest's (false for a new one): the .env digest does not say. */
export type SubscriptionInput = Pick<Subscription, 'name' | 'channelId' | 'guildId' | 'kind' | 'time' | 'days' | 'timezone' | 'settings' | 'mentionRoleId'> &
  Partial<Pick<Subscription, 'publish'>>;

/** The digest a run belongs to and the channel it posts in. */
export type RunTarget = Pick<Subscription, 'channelId'> & { subscriptionId: number };
/** A digest's run of one slot, as it is looked up. */
export interface RunSlot {
  subscriptionId: number;
  slot: Date;
}

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
  /** Null for runs of a digest removed since (kept so that what they posted stays explained). */
  subscriptionId: number | null;
  channelId: string;
  slot: Date;
  status: RunStatus;
  outcome: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  /** The process sending it (see LeaseOptions), and until when; null once released. */
  leaseOwner: string | null;
  leaseUntil: Date | null;
}

export interface RunMessage extends PlannedMessage {
  index: number;
  messageId: string | null;
  /** When it was first handed to Discord; set with no messageId, it may have been posted without being recorded. */
  attemptedAt: Date | null;
}

/** A message of a channel's digest that is to be published and is not yet (see DigestDelivery). */
export interface OwedPublication {
  runId: number;
  index: number;
  messageId: string;
}
