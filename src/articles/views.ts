// What the library derives from the articles it shows, for its readers: the newest-first list (all() and the
// lists a search narrows to) and the topic and outlet facets. Made together, a step at a time beside the bot's
// commands (refresh()), or brought up to date with a batch of changes (update()), the views made before serving
// meanwhile; made at once only when asked for before any.
import { foldForMatch } from '../util/text.js';
import type { EntryChange } from './corpus.js';
import { tallySteps, type FacetTally, type Facets } from './facets.js';
import { newestSteps } from './order.js';
import { byNewest, type SearchEntry, type SearchQuery } from './query.js';
import { eachSteps, runInTurns, runNow, type Steps } from './steps.js';
import type { Article } from './types.js';

// A batch of more changes than this makes every view anew; a smaller one is applied to them (a copy of them), which
// at 50,000 articles costs a tenth of a millisecond per change where making them anew costs 150 ms.
const CHANGES_MAX = 1000;
const CHANGES_PER_STEP = 100;

interface Views {
  newest: SearchEntry[];
  // all() as handed out: every digest plan reads it, so it is made once per change rather than once per channel.
  articles: readonly Article[];
  lists: Map<string, SearchEntry[]>;
  /** The keys of the lists made when asked for (see list()), which a change drops. */
  asked: Set<string>;
  tally: FacetTally;
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

  /**
   * Brings the views up to date with a batch of changed articles, a step at a time, the views made before serving
   * meanwhile: applied to a copy of them, or, for a large batch, made anew. Resolves once the new views are in place.
   */
  update(changes: readonly EntryChange[]): Promise<void> {
    this.refreshing = this.refreshing.then(async () => {
      const made = this.made;
      this.made = await runInTurns(made && changes.length <= CHANGES_MAX ? changedSteps(made, changes) : this.makeSteps());
    });
    return this.refreshing;
  }

  /** Every article's entry, newest first (byNewest). */
  newest(): readonly SearchEntry[] {
    return this.views().newest;
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
    const { lists, newest, asked } = this.views();
    let list = lists.get(key);
    if (!list && keep) {
      lists.set(key, (list = newest.filter(keep)));
      asked.add(key);
    }
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
    const tally = yield* tallySteps(articles);
    return { newest, articles, lists, asked: new Set(), tally, facets: tally.facets() };
  }
}

/** The keys of the lists made ahead that hold `entry`: all, its topics', its outlet's; published articles only. */
function listKeys(entry: SearchEntry): string[] {
  if (!entry.article.published) return [];
  return ['all|true', ...entry.topics.map((topic) => `topic|${topic}|true`), `provider|${entry.article.provider.domain}|true`];
}

/** The first position in `list` (newest first) of an entry not newer than `entry`. */
function positionOf(list: readonly SearchEntry[], entry: SearchEntry): number {
  let [low, high] = [0, list.length];
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (byNewest(list[mid]!.article, entry.article) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

function remove(list: SearchEntry[], entry: SearchEntry): void {
  const at = positionOf(list, entry);
  if (list[at] === entry) list.splice(at, 1);
}

function insert(list: SearchEntry[], entry: SearchEntry): void {
  list.splice(positionOf(list, entry), 0, entry);
}

/**
 * `views` with `changes` applied, made as a new set of views so that those served meanwhile do not change: the
 * newest-first list and each list a change touches are copied once, the counts updated, the lists made when asked
 * dropped (they are made again when next asked).
 */
function* changedSteps(views: Views, changes: readonly EntryChange[]): Steps<Views> {
  const newest = views.newest.slice();
  const lists = new Map(views.lists);
  for (const key of views.asked) lists.delete(key);
  const copied = new Set<string>();
  const listOf = (key: string) => {
    let list = lists.get(key);
    if (!copied.has(key)) {
      lists.set(key, (list = list ? list.slice() : []));
      copied.add(key);
    }
    return list!;
  };
  const { tally } = views;
  for (let first = 0; first < changes.length; first += CHANGES_PER_STEP) {
    for (const { before, after } of changes.slice(first, first + CHANGES_PER_STEP)) {
      if (before) {
        remove(newest, before);
        for (const key of listKeys(before)) remove(listOf(key), before);
        tally.count(before.article, -1);
      }
      if (after) {
        insert(newest, after);
        for (const key of listKeys(after)) insert(listOf(key), after);
        tally.count(after.article, 1);
      }
    }
    yield;
  }
  for (const key of copied) if (!lists.get(key)!.length) lists.delete(key);
  return { newest, articles: newest.map((e) => e.article), lists, asked: new Set(), tally, facets: tally.facets() };
}
