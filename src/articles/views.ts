// What the library derives from the articles it shows, for its readers: the newest-first list (all() and the
// lists a search narrows to), the topic and outlet facets, and the vocabulary typos are corrected against. Each is
// made when first asked for, and forgotten in one place, invalidate(), when the articles change.
import { foldForMatch } from '../util/text.js';
import { buildFacets, type Facets } from './facets.js';
import { byNewest, type SearchEntry, type SearchQuery } from './query.js';
import { Vocabulary } from './spelling.js';
import type { Article } from './types.js';

export class LibraryViews {
  private newest: SearchEntry[] | null = null;
  // all() as handed out: every digest plan reads it, so it is made once per change rather than once per channel.
  private newestArticles: readonly Article[] | null = null;
  private lists = new Map<string, SearchEntry[]>();
  private madeFacets: Facets | null = null;
  private madeVocabulary: Vocabulary | null = null;

  /** `entries`: the article shown for each id, a map kept current by its owner. */
  constructor(private readonly entries: ReadonlyMap<string, SearchEntry>) {}

  /** The articles changed: every view is made again when next asked for (but the vocabulary, see learn()). */
  invalidate(): void {
    this.newest = null;
    this.newestArticles = null;
    this.lists.clear();
    this.madeFacets = null;
  }

  /** Every article, newest first. */
  articles(): readonly Article[] {
    this.newestArticles ??= this.byNewest().map((e) => e.article);
    return this.newestArticles;
  }

  facets(): Facets {
    this.madeFacets ??= buildFacets([...this.entries.values()].map((e) => e.article));
    return this.madeFacets;
  }

  vocabulary(): Vocabulary {
    if (!this.madeVocabulary) {
      this.madeVocabulary = new Vocabulary();
      for (const entry of this.entries.values()) this.learn(entry);
    }
    return this.madeVocabulary;
  }

  /**
   * Adds the words of an article newly indexed to the vocabulary, if it is made. Words only ever join it: one left
   * by a removed article is a harmless correction target.
   */
  learn(entry: SearchEntry): void {
    for (const text of Object.values(entry.words)) this.madeVocabulary?.add(text);
  }

  /** How many articles are published: the ones search and digests show. */
  publishedCount(): number {
    return this.list('all|true').length;
  }

  /** Makes the lists a search narrows to now, if they are not made yet (the warm-up after open()). */
  prepareLists(): void {
    if (!this.lists.size) this.buildLists();
  }

  /**
   * The newest-first list narrowed to the query's topic (or provider) and to published articles when asked, and
   * what is left of the query to check on it.
   */
  narrowed(query: SearchQuery): { list: readonly SearchEntry[]; rest: SearchQuery } {
    const published = !query.includeUnpublished;
    const rest: SearchQuery = { ...query, includeUnpublished: true };
    if (query.topic !== undefined) {
      rest.topic = undefined;
      return { list: this.list(`topic|${foldForMatch(query.topic.trim())}|${published}`), rest };
    }
    if (query.provider !== undefined) {
      rest.provider = undefined;
      const domains = [...(this.facets().providerDomains.get(foldForMatch(query.provider.trim())) ?? [])];
      // A name shared by several outlets (rare) matches all of them: merged, and kept like the others.
      const key = `provider|${domains.sort().join(' ')}|${published}`;
      const keep = (e: SearchEntry) => domains.includes(e.article.provider.domain) && (!published || e.article.published);
      return { list: domains.length > 1 ? this.list(key, keep) : this.list(key), rest };
    }
    return { list: this.list(`all|${published}`), rest };
  }

  /**
   * A filtered newest-first list, kept until the library changes. buildLists() makes every list of one topic or
   * one provider, so a key it did not make is empty, unless `keep` says how to make it.
   */
  private list(key: string, keep?: (entry: SearchEntry) => boolean): readonly SearchEntry[] {
    this.prepareLists();
    let list = this.lists.get(key);
    if (!list && keep) this.lists.set(key, (list = this.byNewest().filter(keep)));
    return list ?? [];
  }

  /** Every list narrowed() asks for (all, by topic, by provider; each also published only), in one pass. */
  private buildLists(): void {
    const add = (key: string, entry: SearchEntry) => {
      let list = this.lists.get(key);
      if (!list) this.lists.set(key, (list = []));
      list.push(entry);
    };
    for (const entry of this.byNewest()) {
      const keys = ['all', ...entry.topics.map((t) => `topic|${t}`), `provider|${entry.article.provider.domain}`];
      for (const key of keys) {
        add(`${key}|false`, entry);
        if (entry.article.published) add(`${key}|true`, entry);
      }
    }
  }

  private byNewest(): SearchEntry[] {
    this.newest ??= [...this.entries.values()].sort((a, b) => byNewest(a.article, b.article));
    return this.newest;
  }
}
