// What the library derives from the articles it shows, for its readers: the newest-first list (all() and the
// lists a search narrows to) and the topic and outlet facets. Made together, a step at a time beside the bot's
// commands (refresh()), the views made before serving meanwhile; made at once only when asked for before any.
import { foldForMatch } from '../util/text.js';
import { facetSteps, type Facets } from './facets.js';
import { newestSteps } from './order.js';
import type { SearchEntry, SearchQuery } from './query.js';
import { eachSteps, runInTurns, runNow, type Steps } from './steps.js';
import type { Article } from './types.js';

interface Views {
  newest: SearchEntry[];
  // all() as handed out: every digest plan reads it, so it is made once per change rather than once per channel.
  articles: readonly Article[];
  lists: Map<string, SearchEntry[]>;
  facets: Facets;
}

export class LibraryViews {
  private made: Views | null = null;
  private refreshing: Promise<void> = Promise.resolve();

  /** `entries`: the article shown for each id, a map kept current by its owner. */
  constructor(private readonly entries: ReadonlyMap<string, SearchEntry>) {}

  /**
   * Makes every view anew from the articles as they are now, a step per turn of the event loop; the views made
   * before serve until then. Resolves once the new views are in place.
   */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing.then(async () => {
      this.made = await runInTurns(this.makeSteps());
    });
    return this.refreshing;
  }

  /** Every article, newest first. */
  articles(): readonly Article[] {
    return this.views().articles;
  }

  facets(): Facets {
    return this.views().facets;
  }

  /** How many articles are published: the ones search and digests show. */
  publishedCount(): number {
    return this.list('all|true').length;
  }

  /**
   * The newest-first list narrowed to the query's topic (or provider) and to published articles when asked, and
   * what is left of the query to check on it.
   */
  narrowed(query: SearchQuery): { list: readonly SearchEntry[]; rest: SearchQuery } {
    const published = !query.includeUnpublished;
    const rest: SearchQuery = { ...query, includeUnpublished: true };
    const shown = (e: SearchEntry) => !published || e.article.published;
    if (query.topic !== undefined) {
      rest.topic = undefined;
      const topic = foldForMatch(query.topic.trim());
      return { list: this.list(`topic|${topic}|${published}`, !published && ((e) => e.topics.includes(topic))), rest };
    }
    if (query.provider !== undefined) {
      rest.provider = undefined;
      const domains = [...(this.facets().providerDomains.get(foldForMatch(query.provider.trim())) ?? [])];
      // A name shared by several outlets (rare) matches all of them: merged, and kept like the others.
      const key = `provider|${domains.sort().join(' ')}|${published}`;
      const merged = domains.length > 1 || !published;
      return { list: this.list(key, merged && ((e) => domains.includes(e.article.provider.domain) && shown(e))), rest };
    }
    return { list: published ? this.list('all|true') : this.views().newest, rest };
  }

  private views(): Views {
    this.made ??= runNow(this.makeSteps());
    return this.made;
  }

  /**
   * A filtered newest-first list, kept until the views are made anew. makeSteps() makes the list of published
   * articles of every topic and every provider, so a key it did not make is empty, unless `keep` says how to make
   * it: lists with unpublished articles too, which only the library's own callers ask for, are made when asked.
   */
  private list(key: string, keep: ((entry: SearchEntry) => boolean) | false = false): readonly SearchEntry[] {
    const { lists, newest } = this.views();
    let list = lists.get(key);
    if (!list && keep) lists.set(key, (list = newest.filter(keep)));
    return list ?? [];
  }

  /** Every view: the newest-first order, the published articles' lists narrowed() asks for (all, by topic, by provider), the facets. */
  private *makeSteps(): Steps<Views> {
    const newest = yield* newestSteps(this.entries.values());
    const all: SearchEntry[] = [];
    const byTopic = new Map<string, SearchEntry[]>();
    const byProvider = new Map<string, SearchEntry[]>();
    const add = (lists: Map<string, SearchEntry[]>, key: string, entry: SearchEntry) => {
      const list = lists.get(key);
      if (list) list.push(entry);
      else lists.set(key, [entry]);
    };
    yield* eachSteps(newest, (entry) => {
      if (!entry.article.published) return;
      all.push(entry);
      for (const topic of entry.topics) add(byTopic, topic, entry);
      add(byProvider, entry.article.provider.domain, entry);
    });
    const lists = new Map<string, SearchEntry[]>([['all|true', all]]);
    for (const [topic, list] of byTopic) lists.set(`topic|${topic}|true`, list);
    for (const [domain, list] of byProvider) lists.set(`provider|${domain}|true`, list);
    const articles = newest.map((e) => e.article);
    yield;
    const facets = yield* facetSteps(articles);
    return { newest, articles, lists, facets };
  }
}
