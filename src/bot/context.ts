// What command handlers work with. Interfaces rather than classes where the bot needs only a part, so each
// handler's dependencies are visible at a glance.
import type { ProviderCount, TopicCount } from '../articles/facets.js';
import type { SearchPage, SearchQuery } from '../articles/query.js';
import type { Article } from '../articles/types.js';
import type { Logger } from '../log.js';
import type { Clock } from '../util/clock.js';
import type { StateStore } from '../state/stateStore.js';
import type { SubscriptionService } from '../subscriptions/service.js';
import type { DigestService } from '../delivery/service.js';

/** The part of the article library the bot reads: everything answered from memory. */
export interface NewsLibrary {
  all(): readonly Article[];
  /** A search that may rank every article (before the index is ready) gives the event loop turns meanwhile. */
  searchInTurns(query: SearchQuery): Promise<SearchPage>;
  topics(query: string, limit: number): TopicCount[];
  providers(query: string, limit: number): ProviderCount[];
  /** The topic a member typed or picked, matched as search matches it (case and accents ignored). */
  findTopic(name: string): TopicCount | undefined;
  /** The outlet a member typed or picked: by domain (the value autocomplete sends) or by its name. */
  findProvider(name: string): ProviderCount | undefined;
}

export interface BotContext {
  library: NewsLibrary;
  store: StateStore;
  digests: DigestService;
  /** Every change to a subscription, which also takes effect on the timetable at once. */
  subscriptions: SubscriptionService;
  clock: Clock;
  logger: Logger;
}
