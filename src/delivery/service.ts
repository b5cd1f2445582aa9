// The glue between the library, the digest and the state: what a channel's digest is right now, and posting it
// exactly once. One path serves the scheduler's slots, /digest now and /digest preview, so they always agree.
import type { Article } from '../articles/types.js';
import { chooseDigest } from '../digest/choose.js';
import { digestMessages } from '../digest/messages.js';
import type { MessagePayload } from '../digest/messages.js';
import { DEFAULT_DIGEST_SETTINGS } from '../digest/settings.js';
import type { DigestSettings } from '../digest/settings.js';
import type { Logger } from '../log.js';
import { defaultMaxAgeHours, EVERY_DAY } from '../schedule/days.js';
import { LIVE_TITLE, liveReach } from '../schedule/liveBatch.js';
import { EligibilityLedger } from './eligibility.js';
import { DigestDelivery } from './exactlyOnce.js';
import type { RunObserver, RunOutcome, Sender } from './runs.js';
import type { ForumPosts } from './forumPosts.js';
import { PlanInputsUnreadable } from './planInputs.js';
import type { Publisher } from './publishing.js';
import type { History } from './reconcile.js';
import type { SubscriptionService } from '../subscriptions/service.js';
import type { Clock } from '../util/clock.js';
import type { StateStore } from '../state/stateStore.js';
import type { Plan, PlannedMessage, Subscription } from '../state/types.js';

/** What a digest is made for: a subscription, or (for a preview) a channel without one, with the defaults. */
export type DigestTarget = Pick<Subscription, 'channelId' | 'timezone' | 'days' | 'settings' | 'mentionRoleId'> & Partial<Pick<Subscription, 'id' | 'kind' | 'updatedAt'>>;

/** The digest as it would be posted now, or why there is none. */
export type DigestDraft = { ok: true; messages: DigestMessage[]; stories: number } | { ok: false; detail: string };

/** What the state says a draft depends on: when stories were first seen, the last run, what the channel has had. */
interface DraftInputs {
  eligibleAt: ReadonlyMap<string, number>;
  live: ReturnType<typeof liveReach> | undefined;
  lastPlannedAt: Date | null;
  seenUrls: Set<string>;
  plannedUrls: Set<string>;
}

/** One message of a digest: its body, and the stories to record as sent once it is posted. */
export type DigestMessage = PlannedMessage & { payload: MessagePayload };

export interface DigestServiceDeps {
  library: { all(): readonly Article[] };
  store: StateStore;
  send: Sender;
  history: History;
  /** Forum posts and publishing (see DigestDelivery); without them every channel takes plain messages. */
  forums?: ForumPosts;
  publish?: Publisher;
  subscriptions: Pick<SubscriptionService, 'pause'>;
  clock: Clock;
  logger: Logger;
  /** DIGEST_SIZE and DIGEST_MAX_PER_PROVIDER: the settings of a channel that chose none. */
  defaults: Pick<DigestSettings, 'size' | 'maxPerProvider'>;
  /** Told of every run: the scheduler's, live batches and /digest now alike. */
  observer?: RunObserver;
}

export class DigestService {
  private readonly delivery: DigestDelivery;
  private readonly eligibility: EligibilityLedger;

  constructor(private readonly deps: DigestServiceDeps) {
    const { store, send, history, forums, publish, subscriptions, clock, logger, observer } = deps;
    this.delivery = new DigestDelivery({ store, send, history, forums, publish, subscriptions, clock, logger, observer });
    this.eligibility = new EligibilityLedger(store, deps.clock, logger);
  }

  /** Dates the stories the library shows that were not seen published before (see EligibilityLedger). */
  noteEligibility(): Promise<ReadonlyMap<string, number>> {
    return this.eligibility.sync(this.deps.library.all());
  }

  /** The settings a new subscription starts from. */
  defaultSettings(): DigestSettings {
    return { ...DEFAULT_DIGEST_SETTINGS, ...this.deps.defaults };
  }

  /** The target for a channel: its first digest, or the defaults in UTC when it has none. */
  async targetFor(channelId: string): Promise<DigestTarget> {
    return (await this.deps.store.listSubscriptions({ channelId }))[0] ?? { channelId, timezone: 'UTC', days: EVERY_DAY, settings: this.defaultSettings(), mentionRoleId: null };
  }

  /**
   * The digest's run at `now` for `slot` (a preview: now): the stories its channel has not received yet, packed into
   * messages. A since-last window starts at the run of the digest before `slot`.
   */
  async draft(target: DigestTarget, now: Date, slot = now): Promise<DigestDraft> {
    return this.build(target, now, await this.readInputs(target, slot));
  }

  /** What the state says the draft of `target` for `slot` depends on. */
  private async readInputs(target: DigestTarget, slot: Date): Promise<DraftInputs> {
    const { store } = this.deps;
    const eligibleAt = await this.noteEligibility();
    const live = target.kind === 'live' && target.updatedAt !== undefined ? liveReach({ settings: target.settings, updatedAt: target.updatedAt }) : undefined;
    const [lastPlannedAt, seenUrls, plannedUrls] = await Promise.all([
      live || target.id === undefined ? null : store.lastPlannedAt(target.id, slot),
      store.seenUrls(target.channelId),
      store.plannedUrls(target.channelId),
    ]);
    return { eligibleAt, live, lastPlannedAt, seenUrls, plannedUrls };
  }

  private build(target: DigestTarget, now: Date, { eligibleAt, live, lastPlannedAt, seenUrls, plannedUrls }: DraftInputs): DigestDraft {
    const choice = chooseDigest({
      articles: this.deps.library.all(),
      now,
      settings: live?.settings ?? target.settings,
      lastDigestAt: live?.lastDigestAt ?? lastPlannedAt,
      eligibleAt,
      maxAgeHours: live?.maxAgeHours ?? defaultMaxAgeHours(target.days),
      // Stories an unfinished run of the channel still has to post count as received: no two runs carry one story.
      seen: new Set([...seenUrls, ...plannedUrls]),
    });
    if (!choice.ok) return { ok: false, detail: choice.detail };
    const { payloads, storiesPerMessage } = digestMessages(choice.stories, {
      now,
      timezone: target.timezone,
      mentionRoleId: target.mentionRoleId,
      layout: target.settings.layout,
      images: target.settings.images,
      ...(live && { title: LIVE_TITLE }),
    });
    // A live batch is one message: the stories the first message had no room for wait for the next batch.
    const messages = payloads.slice(0, live ? 1 : payloads.length).map((payload, index) => {
      const stories = storiesPerMessage[index] ?? [];
      return { payload, storyUrls: stories.flatMap((s) => s.urls), storyCount: stories.length };
    });
    return { ok: true, messages, stories: messages.reduce((sum, m) => sum + m.storyCount, 0) };
  }

  /** Plans and posts the digest of `slot` for the subscription, exactly once however often it is asked. */
  runSlot(subscription: Subscription, slot: Date): Promise<RunOutcome> {
    const { id: subscriptionId, channelId, publish } = subscription;
    return this.delivery.deliver({ subscriptionId, channelId, publish, slot, plan: () => this.plan(subscription, slot) });
  }

  /**
   * Plans the digest of its coming `slot` now, as it will be at the slot, and claims the slot with that plan (see
   * DigestDelivery.prepare): when the slot comes, runSlot only sends. True when it was planned ahead.
   */
  prepareSlot(subscription: Subscription, slot: Date): Promise<boolean> {
    const { id: subscriptionId, channelId, publish, updatedAt } = subscription;
    return this.delivery.prepare({ subscriptionId, channelId, publish, slot, plan: () => this.plan(subscription, slot, slot) }, { madeFrom: updatedAt });
  }

  /** /digest now: a run of its own at this instant (the day's scheduled slot still runs, without repeating stories). */
  postNow(subscription: Subscription): Promise<RunOutcome> {
    return this.runSlot(subscription, this.deps.clock.now());
  }

  /** Why the digest is stopped, when the database itself could not record it (a full disk, say). */
  problem(subscriptionId: number): string | undefined {
    return this.delivery.problem(subscriptionId);
  }

  /** For shutdown: no new message starts; waits up to `timeoutMs` for those handed to Discord to be recorded. */
  drain(timeoutMs: number): Promise<boolean> {
    return this.delivery.drain(timeoutMs);
  }

  /** The plan of `slot`, as the digest is at `at`: now, or for a plan made ahead of the slot, the slot itself. */
  private async plan(target: DigestTarget, slot: Date, at = this.deps.clock.now()): Promise<Plan> {
    const inputs = await this.readInputs(target, slot).catch((error: unknown) => {
      throw new PlanInputsUnreadable(error);
    });
    const draft = this.build(target, at, inputs);
    return draft.ok ? draft.messages : { empty: draft.detail };
  }
}
