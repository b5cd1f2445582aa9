// Search over the library, apart from the index itself: filters, ranking and paging (pure functions).
import { foldForMatch } from '../util/clean-text.js';
import { firstInOrder } from './first-in-order.js';
import { eachSteps, runNow, type Steps } from './steps.js';
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

// Thousands of articles share a set of topics: each set is folded once, and its list shared.
const foldedTopicLists = new Map<string, readonly string[]>();
function foldTopics(topics: readonly string[]): readonly string[] {
  const key = topics.join('\u0000');
  let folded = foldedTopicLists.get(key);
  if (!folded) foldedTopicLists.set(key, (folded = topics.map(foldTopic)));
  return folded;
}

/** An article's text, field by field: as it is, or as folded words (terms never hold a space, so joining is safe). */
export interface TextFields { title: string; excerpt: string; provider: string; topics: string }

type Field = keyof TextFields;

// A character folding does more to than lower-case it or make it a word separator: a letter or digit outside ASCII
// (é, ², ﬁ), or a symbol that decomposes into letters (™). Text without one is matched as it is; news text is full of
// curly quotes, dashes and non-breaking spaces, which are listed here as safe (Latin-1's symbols and General
// Punctuation: each is itself, or punctuation and spaces, once decomposed), and only 67 of the 30,840 fields of the
// 7,852 real files need a folded copy.
// eslint-disable-next-line no-control-regex -- from the first code point on
const NEEDS_FOLDING = /[^\u0000-\u00a9\u00ab-\u00b1\u00b4\u00b6-\u00b8\u00bb\u00bf\u00d7\u00f7\u2000-\u205f]/;
const FIELDS: readonly Field[] = ['title', 'excerpt', 'provider', 'topics'];

/** A query word as relevance() looks for it: at the start of a word of a field, case, accents and punctuation ignored. */
interface Term {
  /** As it follows a space in folded words. */
  word: string;
  /** The same at the start of a word of text as it is (case ignored; see NEEDS_FOLDING); null for a word outside ASCII. */
  ascii: RegExp | null;
}

const termOf = (term: string): Term => ({ word: ` ${term}`, ascii: NOT_ASCII.test(term) ? null : new RegExp(`(?:^|[^a-z0-9])${term}`, 'i') });

/**
 * An article as search matches it. Topics are folded up front, as filters need them. The other text is matched as
 * it is where folding would only lower-case it and turn punctuation into spaces, which a pattern ignores (see
 * NEEDS_FOLDING); only a field with other characters keeps a folded copy, made when a query first ranks the
 * article. Folded copies of every field were 4 MB of heap for the 7,852 real files, and folding 50,000 articles
 * half a second of work before the first search could rank them.
 */
/** Each field's text as folded words. */
export function foldFields(texts: TextFields): TextFields {
  return { title: foldWords(texts.title), excerpt: foldWords(texts.excerpt), provider: foldWords(texts.provider), topics: foldWords(texts.topics) };
}

const NOTHING_FOLDED: Partial<TextFields> = Object.freeze({});

export class SearchEntry {
  readonly topics: readonly string[];
  /** The folded words of the fields that need folding; undefined until the article is first ranked. */
  private folded: Partial<TextFields> | undefined;

  constructor(readonly article: Article) {
    this.topics = foldTopics(article.topics);
  }

  /** Every field's text as it is (what the index is made of, once folded: see foldFields). */
  get texts(): TextFields {
    const { title, excerpt, provider, topics } = this.article;
    return { title, excerpt, provider: `${provider.name} ${provider.domain}`, topics: topics.join(' ') };
  }

  /** Every field as folded words, made anew on each call: nothing is kept. */
  get words(): TextFields {
    return foldFields(this.texts);
  }

  /** Folds the fields that need it now, rather than when a query first ranks the article (see has()). */
  prepare(): void {
    this.folded ??= this.foldWhereNeeded();
  }

  /** Whether a word of `field` starts with `term`. */
  has(field: Field, term: Term): boolean {
    this.folded ??= this.foldWhereNeeded();
    const folded = this.folded[field];
    if (folded !== undefined) return folded.includes(term.word);
    if (!term.ascii) return false;
    const { article } = this;
    switch (field) {
      case 'title':
        return term.ascii.test(article.title);
      case 'excerpt':
        return term.ascii.test(article.excerpt);
      case 'provider':
        return term.ascii.test(article.provider.name) || term.ascii.test(article.provider.domain);
      case 'topics':
        return article.topics.some((topic) => term.ascii!.test(topic));
    }
  }

  private foldWhereNeeded(): Partial<TextFields> {
    const texts = this.texts;
    const needed = FIELDS.filter((field) => NEEDS_FOLDING.test(texts[field]));
    return needed.length ? Object.fromEntries(needed.map((field) => [field, foldWords(texts[field])])) : NOTHING_FOLDED;
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
function relevance(entry: SearchEntry, terms: readonly Term[]): number | null {
  let score = 0;
  for (const term of terms) {
    const before = score;
    for (const field of FIELDS) if (entry.has(field, term)) score += WEIGHT[field];
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

function byQuality(a: Article, b: Article): number {
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

interface Scored { article: Article; score: number }

// Entries ranked per step: 2-5 microseconds each, so a step stays well under a millisecond, and a search of every
// article (before the index is ready) can yield often enough to hold the event loop for a few milliseconds at a time.
const RANK_STEP = 250;

/**
 * Ranks the entries (the index's candidates, or a whole list) that pass the filter and cuts one page, yielding
 * every few hundred entries (see steps.ts). By relevance, then quality, then newest; or newest first. Without terms,
 * relevance means quality, then newest.
 */
export function* rankSteps(entries: Iterable<SearchEntry>, query: SearchQuery, filter: EntryFilter, terms: readonly string[]): Steps<SearchPage> {
  const sort = query.sort ?? (terms.length ? 'relevance' : 'newest');
  const { offset, limit } = pageOf(query);
  const matchers = terms.map(termOf);
  const scored: Scored[] = [];
  yield* eachSteps(entries, (entry) => {
    if (!filter(entry)) return;
    const score = relevance(entry, matchers);
    if (score !== null) scored.push({ article: entry.article, score });
  }, RANK_STEP);
  const order = sort === 'relevance' ? (a: Scored, b: Scored) => b.score - a.score || byQuality(a.article, b.article) : (a: Scored, b: Scored) => byNewest(a.article, b.article);
  return { total: scored.length, articles: firstInOrder(scored, offset + limit, order).slice(offset).map((s) => s.article) };
}

/** rankSteps() at once. */
export function rankPage(entries: Iterable<SearchEntry>, query: SearchQuery, filter: EntryFilter, terms: readonly string[]): SearchPage {
  return runNow(rankSteps(entries, query, filter, terms));
}
