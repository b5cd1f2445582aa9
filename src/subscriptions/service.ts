// One owner for the subscription lifecycle. Every change to a channel's digest (setup, pause, resume, remove, the
// .env subscription applied on start, the pause after the channel refused a post) goes through here, which writes
// the store and puts the change on the timetable at once: no caller has a second step to remember.
import type { DigestSettings } from '../digest/settings.js';
import type { Store } from '../state/store.js';
import type { Subscription, SubscriptionInput } from '../state/types.js';

/** A channel's subscription as .env describes it (DIGEST_CHANNEL_ID, DIGEST_TIME, DIGEST_TIMEZONE). */
export interface EnvSubscription {
  channelId: string;
  time: string;
  timezone: string;
}

export interface SubscriptionServiceDeps {
  store: Store;
  /** Makes the channel's timetable follow its subscription (the scheduler's refresh). */
  reschedule(channelId: string): void;
  /** The settings a subscription starts from when nothing chose any. */
  defaultSettings(): DigestSettings;
}

export class SubscriptionService {
  constructor(private readonly deps: SubscriptionServiceDeps) {}

  get(channelId: string): Subscription | undefined {
    return this.deps.store.getSubscription(channelId);
  }

  /** Creates or replaces a channel's subscription; setting a paused one up again resumes it ("deliver here"). */
  setUp(input: SubscriptionInput): Subscription {
    const subscription = this.deps.store.upsertSubscription(input);
    this.deps.reschedule(input.channelId);
    return subscription;
  }

  /** Stops the channel's digest until resumed; `reason` says why when the bot paused it by itself. False: none. */
  pause(channelId: string, reason: string | null = null): boolean {
    return this.changed(channelId, this.deps.store.setPaused(channelId, true, reason));
  }

  resume(channelId: string): boolean {
    return this.changed(channelId, this.deps.store.setPaused(channelId, false));
  }

  /** Deletes the subscription; what the channel received stays recorded, so a new one there repeats nothing. */
  remove(channelId: string): boolean {
    return this.changed(channelId, this.deps.store.removeSubscription(channelId));
  }

  /**
   * The subscription .env describes, applied on every start in the server `guildId`. A pause made with /digest
   * pause outlives restarts: only a changed .env schedule (a new intent) resumes it. Settings chosen with /digest
   * setup are kept.
   */
  applyEnv(wanted: EnvSubscription, guildId: string): Subscription {
    const existing = this.get(wanted.channelId);
    if (existing?.paused && existing.time === wanted.time && existing.timezone === wanted.timezone) return existing;
    return this.setUp({
      ...wanted,
      guildId,
      settings: existing?.settings ?? this.deps.defaultSettings(),
      mentionRoleId: existing?.mentionRoleId ?? null,
    });
  }

  private changed(channelId: string, changed: boolean): boolean {
    if (changed) this.deps.reschedule(channelId);
    return changed;
  }
}
