// One owner for the subscription lifecycle. Every change to a digest (setup, edit, pause, resume, remove, the .env
// digest applied on start, the pause after its channel refused a post) goes through here, which writes the store and
// puts the change on the timetable at once: no caller has a second step to remember.
import type { DigestSettings } from '../digest/settings.js';
import { EVERY_DAY } from '../schedule/days.js';
import { NameTakenError, ServerFullError } from '../state/stateStore.js';
import type { StateStore } from '../state/stateStore.js';
import type { Subscription, SubscriptionInput } from '../state/types.js';

/** A channel's digest as .env describes it (DIGEST_CHANNEL_ID, DIGEST_TIME, DIGEST_TIMEZONE). */
export interface EnvSubscription {
  channelId: string;
  time: string;
  timezone: string;
}

export interface SubscriptionServiceDeps {
  store: StateStore;
  /** Makes the subscription's timetable follow it (the scheduler's refresh). */
  reschedule(subscriptionId: number): Promise<void>;
  /** The settings a subscription starts from when nothing chose any. */
  defaultSettings(): DigestSettings;
}

/** Digests one server may hold: enough for a digest per topic in a few channels, few enough to list in one status. */
export const DIGESTS_PER_SERVER_MAX = 25;
const ENV_DIGEST_NAME = 'Daily';

export type SetUpResult =
  | { ok: true; subscription: Subscription; replaced: boolean }
  | { ok: false; problem: 'name-taken'; holder: Subscription }
  | { ok: false; problem: 'too-many'; count: number };

export class SubscriptionService {
  constructor(private readonly deps: SubscriptionServiceDeps) {}

  get(id: number): Promise<Subscription | undefined> {
    return this.deps.store.getSubscription(id);
  }

  /** A server's digests, or a channel's, oldest first. */
  list(where: { guildId?: string; channelId?: string }): Promise<Subscription[]> {
    return this.deps.store.listSubscriptions(where);
  }

  /**
   * Creates a digest, or replaces the one with id `replacing` (which resumes it: "deliver here", unless `keepPause`,
   * for an edit). Refused when another digest of the server has the name, or when a new one would take the server
   * past DIGESTS_PER_SERVER_MAX (the store counts and saves as one step: setups at the same moment, in one process or
   * several, cannot both take the last place).
   */
  async setUp(input: SubscriptionInput, replacing?: number, keepPause = false): Promise<SetUpResult> {
    try {
      const subscription = await this.deps.store.saveSubscription(input, replacing, { keepPause, maxPerServer: DIGESTS_PER_SERVER_MAX });
      await this.deps.reschedule(subscription.id);
      return { ok: true, subscription, replaced: replacing !== undefined };
    } catch (error) {
      if (error instanceof NameTakenError) return { ok: false, problem: 'name-taken', holder: error.holder };
      if (error instanceof ServerFullError) return { ok: false, problem: 'too-many', count: error.count };
      throw error;
    }
  }

  /** Stops the digest until resumed; `reason` says why when the bot paused it by itself. False: no such digest. */
  async pause(id: number, reason: string | null = null): Promise<boolean> {
    return this.changed(id, await this.deps.store.setPaused(id, true, reason));
  }

  async resume(id: number): Promise<boolean> {
    return this.changed(id, await this.deps.store.setPaused(id, false));
  }

  /** Deletes the digest; what its channel received stays recorded, so a new one there repeats nothing. */
  async remove(id: number): Promise<boolean> {
    return this.changed(id, await this.deps.store.removeSubscription(id));
  }

  /**
   * The digest .env describes (the channel's first scheduled digest: a live one has no time), applied on every start in the server `guildId`. A pause
   * made with /digest pause outlives restarts: only a changed .env schedule (a new intent) resumes it. Settings
   * chosen with /digest setup or edit are kept.
   */
  async applyEnv(wanted: EnvSubscription, guildId: string): Promise<Subscription | undefined> {
    const existing = (await this.list({ channelId: wanted.channelId })).find((d) => d.kind === 'scheduled');
    if (existing?.paused && existing.time === wanted.time && existing.timezone === wanted.timezone) return existing;
    const taken = existing ? undefined : await this.deps.store.findSubscriptionByName(guildId, ENV_DIGEST_NAME);
    const result = await this.setUp(
      {
        name: existing?.name ?? (taken ? `${ENV_DIGEST_NAME} ${wanted.channelId}` : ENV_DIGEST_NAME),
        channelId: wanted.channelId,
        guildId,
        kind: 'scheduled',
        time: wanted.time,
        days: existing?.days ?? EVERY_DAY,
        timezone: wanted.timezone,
        settings: existing?.settings ?? this.deps.defaultSettings(),
        mentionRoleId: existing?.mentionRoleId ?? null,
      },
      existing?.id,
    );
    return result.ok ? result.subscription : undefined;
  }

  private async changed(id: number, changed: boolean): Promise<boolean> {
    if (changed) await this.deps.reschedule(id);
    return changed;
  }
}
