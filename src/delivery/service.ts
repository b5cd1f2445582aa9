// The glue between the library, the digest and the state: what a channel's digest is right now, and posting it
// exactly once. One path serves the scheduler's slots, /digest now and /digest preview, so they always agree.
import type { Article } from '../articles/types.js';
import { chooseDigest } from '../digest/choose.js';
import { digestMessages } from '../digest/messages.js';
import type { MessagePayload } from '../digest/messages.js';
import { DEFAULT_DIGEST_SETTINGS } from '../digest/settings.js';
import type { DigestSettings } from '../digest/settings.js';
import type { Logger } from '../log.js';
import { DigestDelivery } from './exactlyOnce.js';
import type { RunOutcome, Sender } from './exactlyOnce.js';
import type { History } from './reconcile.js';
import type { SubscriptionService } from '../subscriptions/service.js';
import type { Clock } from '../util/clock.js';
import type { Store } from '../state/store.js';
import type { Plan, PlannedMessage, Subscription } from '../state/types.js';

/** What a digest is made for: a subscription, or (for a preview) a channel without one, with the defaults. */
export type DigestTarget = Pick<Subscription, 'channelId' | 'timezone' | 'settings' | 'mentionRoleId'>;

/** The digest as it would be posted now, or why there is none. */
export type DigestDraft = { ok: true; messages: DigestMessage[]; stories: number } | { ok: false; detail: string };

/** One message of a digest: its body, and the stories to record as sent once it is posted. */
export type DigestMessage = PlannedMessage & { payload: MessagePayload };

export interface DigestServiceDeps {
  library: { all(): readonly Article[] };
  store: Store;
  send: Sender;
  history: History;
  subscriptions: Pick<SubscriptionService, 'pause'>;
  clock: Clock;
  logger: Logger;
  /** DIGEST_SIZE and DIGEST_MAX_PER_PROVIDER: the settings of a channel that chose none. */
  defaults: Pick<DigestSettings, 'size' | 'maxPerProvider'>;
}

export class DigestService {
  private readonly delivery: DigestDelivery;

  constructor(private readonly deps: DigestServiceDeps) {
    const { store, send, history, subscriptions, logger } = deps;
    this.delivery = new DigestDelivery({ store, send, history, subscriptions, logger });
  }

  /** The settings a new subscription starts from. */
  defaultSettings(): DigestSettings {
    return { ...DEFAULT_DIGEST_SETTINGS, ...this.deps.defaults };
  }

  /** The target for a channel: its subscription, or the defaults in UTC when it has none. */
  targetFor(channelId: string): DigestTarget {
    return this.deps.store.getSubscription(channelId) ?? { channelId, timezone: 'UTC', settings: this.defaultSettings(), mentionRoleId: null };
  }

  /** The channel's digest at `now`: the stories it has not received yet, packed into messages. */
  draft(target: DigestTarget, now: Date): DigestDraft {
    const { store } = this.deps;
    const choice = chooseDigest({
      articles: this.deps.library.all(),
      now,
      settings: target.settings,
      lastDigestAt: store.lastDigestAt(target.channelId),
      // Stories an unfinished run of the channel still has to post count as received: no two runs carry one story.
      seen: new Set([...store.seenUrls(target.channelId), ...store.plannedUrls(target.channelId)]),
    });
    if (!choice.ok) return { ok: false, detail: choice.detail };
    const { payloads, storiesPerMessage } = digestMessages(choice.stories, { now, timezone: target.timezone, mentionRoleId: target.mentionRoleId });
    const messages = payloads.map((payload, index) => {
      const stories = storiesPerMessage[index] ?? [];
      return { payload, storyUrls: stories.flatMap((s) => s.urls), storyCount: stories.length };
    });
    return { ok: true, messages, stories: choice.stories.length };
  }

  /** Plans and posts the digest of `slot` for the channel, exactly once however often it is asked. */
  runSlot(target: DigestTarget, slot: Date): Promise<RunOutcome> {
    return this.delivery.deliver({ channelId: target.channelId, slot, plan: () => this.plan(target) });
  }

  /** /digest now: a run of its own at this instant (the day's scheduled slot still runs, without repeating stories). */
  postNow(target: DigestTarget): Promise<RunOutcome> {
    return this.runSlot(target, this.deps.clock.now());
  }

  /** Why the channel's digest is stopped, when the database itself could not record it (a full disk, say). */
  problem(channelId: string): string | undefined {
    return this.delivery.problem(channelId);
  }

  /** For shutdown: no new message starts; waits up to `timeoutMs` for those handed to Discord to be recorded. */
  drain(timeoutMs: number): Promise<boolean> {
    return this.delivery.drain(timeoutMs);
  }

  private plan(target: DigestTarget): Plan {
    const draft = this.draft(target, this.deps.clock.now());
    return draft.ok ? draft.messages : { empty: draft.detail };
  }
}
