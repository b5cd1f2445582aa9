// Search over the library, apart from the index itself: filters, ranking and paging (pure functions).
import { foldForMatch } from '../util/text.js';
import type { Article } from './types.js';
import { WEIGHT } from './weights.js';

export interface SearchQuery {
  words?: string;
  topic?: string;
  /** A domain, or a provider name: matches either. */
  provider?: string;
  /** Default false: only articles the source site lists. */
  includeUnpublished?: boolean;
  since?: Date;
  until?: Date;
  /** Default: relevance when words are given, else newest. */
  sort?: 'relevance' | 'newest';
  /** Defaults 0 and 5. */
  offset?: number;
  limit?: number;
}

export interface SearchPage { total: number; articles: Article[] }

// eslint-disable-next-line no-control-regex -- the ASCII range
const NOT_ASCII = /[^\u0000-\u007f]/;

const NOT_WORD = /[^\p{L}\p{N}]+/gu;
const TRAILING_NOT_WORD = /[^\p{L}\p{N}]+$/u;

// Leading space and single spaces between words, so " term" finds a word starting with the term. Most text is
// ASCII, where folding is just lower-casing: skipping Unicode normalisation there halves the folding time.
export function foldWords(text: string): string {
  const folded = NOT_ASCII.test(text) ? foldForMatch(text) : text.toLowerCase();
  // Kept for every article: the last toLowerCase() (of lower-case text) makes the result one flat string. A global
  // replace alone builds a chain of pieces, and trim() a slice that keeps the untrimmed text alive: either way the
  // 7,852 real files' folded words took 2 to 15 MB more heap than their text.
  return ` ${folded.replace(TRAILING_NOT_WORD, '')}`.replace(NOT_WORD, ' ').toLowerCase();
}

// Topic names repeat across thousands of articles: fold each spelling once (entries and facets both ask).
const foldedTopics = new Map<string, string>();
export function foldTopic(topic: string): string {
  let folded = foldedTopics.get(topic);
  if (folded === undefined) foldedTopics.set(topic, (folded = foldForMatch(topic)));
  return folded;
}

/** Each text field as folded words, for word-prefix matching (terms never hold a space, so joining is safe). */
export interface FoldedWords { title: string; excerpt: string; provider: string; topics: string }

/**
 * An article with its text folded for matching (case, accents and punctuation ignored). Topics are folded up
 * front, as filters need them; the longer texts only when a query first ranks the article, which keeps them out
 * of the load.
 */
export class SearchEntry {
  readonly topics: string[];
  private folded: FoldedWords | undefined;

  constructor(readonly article: Article) {
    this.topics = article.topics.map(foldTopic);
  }

  get words(): FoldedWords {
    this.folded ??= {
      title: foldWords(this.article.title),
      excerpt: foldWords(this.article.excerpt),
      provider: foldWords(`${this.article.provider.name} ${this.article.provider.domain}`),
      topics: foldWords(this.article.topics.join(' ')),
    };
    return this.folded;
  }
}

// Words so common that nearly every article has one: alone, "the" matched 36 of the 45 sample articles. A query
// searches for its other words; one made of these only is refused (see queryProblem).
const COMMON_WORDS = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'from', 'has', 'have', 'he', 'her', 'his', 'in', 'is',
  'it', 'its', 'of', 'on', 'or', 'she', 'that', 'the', 'their', 'they', 'this', 'to', 'was', 'we', 'were', 'will', 'with',
]);

const foldedTerms = (words: string | undefined) => foldWords(words ?? '').split(' ').filter(Boolean);

/** The words a query searches for, folded like the entries, without the common words. */
export function queryTerms(words: string | undefined): string[] {
  return foldedTerms(words).filter((term) => !COMMON_WORDS.has(term));
}

/**
 * Why the words of a query cannot be searched for, in a sentence for the member, or null when they can (or when
 * there are none: a search without words lists the newest). Searching for them anyway would list everything.
 */
export function queryProblem(words: string | undefined): string | null {
  if (!words?.trim()) return null;
  const terms = foldedTerms(words);
  if (terms.length === 0) return 'Type a word to search for: punctuation and symbols alone find nothing.';
  if (terms.every((term) => COMMON_WORDS.has(term))) return 'Those words are in nearly every article: add a word that says what you are looking for.';
  return null;
}

/**
 * How well an entry matches: per term, points for each field holding a word that starts with it; null when a
 * term is in no field (the index's candidates are checked, not trusted: it cuts long words, and proposes whole
 * excerpt words where a query word may only start one).
 */
function relevance(entry: SearchEntry, terms: readonly string[]): number | null {
  let score = 0;
  const { title, excerpt, provider, topics } = entry.words;
  for (const term of terms) {
    const word = ` ${term}`;
    const before = score;
    if (title.includes(word)) score += WEIGHT.title;
    if (topics.includes(word)) score += WEIGHT.topics;
    if (provider.includes(word)) score += WEIGHT.provider;
    if (excerpt.includes(word)) score += WEIGHT.excerpt;
    if (score === before) return null;
  }
  return score;
}

export type EntryFilter = (entry: SearchEntry) => boolean;

/**
 * The query's filters as one predicate. `providerDomains` maps a folded provider name or domain to the domains it
 * designates (see buildFacets); an unknown provider or topic matches nothing.
 */
export function entryFilter(query: SearchQuery, providerDomains: ReadonlyMap<string, ReadonlySet<string>>): EntryFilter {
  const checks: EntryFilter[] = [];
  if (!query.includeUnpublished) checks.push((e) => e.article.published);
  if (query.topic !== undefined) {
    const topic = foldForMatch(query.topic.trim());
    checks.push((e) => e.topics.includes(topic));
  }
  if (query.provider !== undefined) {
    const key = foldForMatch(query.provider.trim());
    const domains = providerDomains.get(key) ?? new Set<string>();
    checks.push((e) => domains.has(e.article.provider.domain));
  }
  const since = query.since?.getTime();
  const until = query.until?.getTime();
  if (since !== undefined) checks.push((e) => e.article.publishedAt.getTime() >= since);
  if (until !== undefined) checks.push((e) => e.article.publishedAt.getTime() <= until);
  return (entry) => checks.every((check) => check(entry));
}

/** Whether a query filters on anything at all (published-only counts). */
export function hasFilters(query: SearchQuery): boolean {
  return !query.includeUnpublished || query.topic !== undefined || query.provider !== undefined || query.since !== undefined || query.until !== undefined;
}

/** The positions [start, end) of the entries (newest first) published between `since` and `until`. */
function dateRange(ordered: readonly SearchEntry[], since: Date | undefined, until: Date | undefined): [number, number] {
  // First position whose date is at or before `time` (strictly before, with `strict`).
  const firstAtOrBefore = (time: number, strict: boolean) => {
    let [low, high] = [0, ordered.length];
    while (low < high) {
      const mid = (low + high) >>> 1;
      const t = ordered[mid]!.article.publishedAt.getTime();
      if (strict ? t < time : t <= time) high = mid;
      else low = mid + 1;
    }
    return low;
  };
  const start = until ? firstAtOrBefore(until.getTime(), false) : 0;
  const end = since ? firstAtOrBefore(since.getTime(), true) : ordered.length;
  return [start, Math.max(start, end)];
}

export function byNewest(a: Article, b: Article): number {
  return b.publishedAt.getTime() - a.publishedAt.getTime() || (a.id < b.id ? -1 : 1);
}

/** Best quality first, then newest: how equally relevant articles are ordered. */
export function byQuality(a: Article, b: Article): number {
  return (b.quality ?? -1) - (a.quality ?? -1) || byNewest(a, b);
}

export interface PageRequest { offset: number; limit: number }

export function pageOf(query: SearchQuery): PageRequest {
  const whole = (n: number | undefined, fallback: number) => (Number.isFinite(n) ? Math.max(0, Math.floor(n!)) : fallback);
  return { offset: whole(query.offset, 0), limit: whole(query.limit, 5) };
}

/**
 * One page of the entries (newest first) published within the query's dates and passing `filter` (null: all
 * pass, so the page is a slice and the total a subtraction).
 */
export function pageInOrder(ordered: readonly SearchEntry[], query: SearchQuery, filter: EntryFilter | null): SearchPage {
  const { offset, limit } = pageOf(query);
  const [start, end] = dateRange(ordered, query.since, query.until);
  if (!filter) return { total: end - start, articles: ordered.slice(start + offset, Math.min(end, start + offset + limit)).map((e) => e.article) };
  const articles: Article[] = [];
  let total = 0;
  for (let i = start; i < end; i++) {
    const entry = ordered[i]!;
    if (!filter(entry)) continue;
    if (total >= offset && articles.length < limit) articles.push(entry.article);
    total++;
  }
  return { total, articles };
}

/**
 * Ranks the index's candidates that pass the filter and cuts one page. By relevance, then quality, then newest;
 * or newest first. Without terms, relevance means quality, then newest.
 */
export function rankPage(entries: Iterable<SearchEntry>, query: SearchQuery, filter: EntryFilter, terms: readonly string[]): SearchPage {
  const sort = query.sort ?? (terms.length ? 'relevance' : 'newest');
  const { offset, limit } = pageOf(query);
  const scored: { article: Article; score: number }[] = [];
  for (const entry of entries) {
    if (!filter(entry)) continue;
    const score = relevance(entry, terms);
    if (score !== null) scored.push({ article: entry.article, score });
  }
  scored.sort(sort === 'relevance' ? (a, b) => b.score - a.score || byQuality(a.article, b.article) : (a, b) => byNewest(a.article, b.article));
  return { total: scored.length, articles: scored.slice(offset, offset + limit).map((s) => s.article) };
}
