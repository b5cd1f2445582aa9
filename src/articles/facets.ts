// Topics and providers with their article counts: small lists kept in memory, scanned for autocomplete, and
// looked up by folded name for the one a member typed. A count is of published articles, the ones a member can
// find: "Cities — 11 articles" where topic:Cities found 7 counted drafts no search shows.
import { foldForMatch } from '../util/text.js';
import { foldTopic } from './query.js';
import { eachSteps, runNow, type Steps } from './steps.js';
import type { Article } from './types.js';

export interface TopicCount { name: string; count: number }
export interface ProviderCount { domain: string; name: string; count: number }

export interface Facet<T> { value: T; count: number; keys: string[] }

export interface Facets {
  /** Those with at least one published article, most used first: what autocomplete and the rankings offer. */
  topics: Facet<TopicCount>[];
  providers: Facet<ProviderCount>[];
  /** Folded provider name or domain → the domains it designates, for the search filter. */
  providerDomains: Map<string, Set<string>>;
  /** Folded topic name → its topic; folded outlet name (the one shown) or domain → its outlet, the most used first. */
  topicByName: Map<string, TopicCount>;
  providerByName: Map<string, ProviderCount>;
}

function mostFrequent(names: Map<string, number>): string {
  let best = '';
  let bestCount = -1;
  for (const [name, count] of names) if (count > bestCount || (count === bestCount && name < best)) [best, bestCount] = [name, count];
  return best;
}

function byCount<T extends { count: number }>(a: Facet<T>, b: Facet<T>): number {
  return b.count - a.count || (a.keys[0]! < b.keys[0]! ? -1 : 1);
}

/** Each facet's value by each of its keys; where facets share a key, the most used one's (facets come sorted). */
function byKey<T>(facets: readonly Facet<T>[]): Map<string, T> {
  const values = new Map<string, T>();
  for (const facet of facets) for (const key of facet.keys) if (!values.has(key)) values.set(key, facet.value);
  return values;
}

interface Group {
  /** Each spelling and how many articles use it: the name shown is the most frequent. */
  names: Map<string, number>;
  published: number;
}

/**
 * The counts facets are made of, which articles can be counted into and out of: a change to a few articles
 * updates the counts rather than counting every article again.
 */
export class FacetTally {
  private readonly topics = new Map<string, Group>();
  private readonly providers = new Map<string, Group>();

  /** Counts `article` in (`by` 1) or out (-1). */
  count(article: Article, by: 1 | -1): void {
    for (const topic of article.topics) tally(this.topics, foldTopic(topic), topic, article.published, by);
    tally(this.providers, article.provider.domain, article.provider.name, article.published, by);
  }

  /** The facets of the articles counted in so far. */
  facets(): Facets {
    const providerDomains = new Map<string, Set<string>>();
    const designate = (key: string, domain: string) => {
      let set = providerDomains.get(key);
      if (!set) providerDomains.set(key, (set = new Set()));
      set.add(domain);
    };
    const providerFacets = [...this.providers].map(([domain, { names, published }]) => {
      designate(domain, domain);
      for (const name of names.keys()) designate(foldForMatch(name), domain);
      const value = { domain, name: mostFrequent(names), count: published };
      return { value, count: published, keys: [foldForMatch(value.name), domain] };
    });
    const topicFacets = [...this.topics].map(([key, { names, published }]) => {
      const value = { name: mostFrequent(names), count: published };
      return { value, count: published, keys: [key] };
    });
    topicFacets.sort(byCount);
    providerFacets.sort(byCount);
    const findable = <T>(facets: Facet<T>[]) => facets.filter((f) => f.count > 0);
    return {
      topics: findable(topicFacets),
      providers: findable(providerFacets),
      providerDomains,
      topicByName: byKey(topicFacets),
      providerByName: byKey(providerFacets),
    };
  }
}

function tally(groups: Map<string, Group>, key: string, name: string, published: boolean, by: 1 | -1): void {
  let group = groups.get(key);
  if (!group) groups.set(key, (group = { names: new Map(), published: 0 }));
  const uses = (group.names.get(name) ?? 0) + by;
  if (uses > 0) group.names.set(name, uses);
  else group.names.delete(name);
  if (published) group.published += by;
  if (!group.names.size) groups.delete(key);
}

/**
 * Counts topics (grouped ignoring case and accents, shown in their most frequent spelling) and providers (grouped
 * by domain, shown by their most frequent name) over the published `articles`, most used first. Names found only
 * on unpublished articles can still be looked up, with a count of 0.
 */
export function buildFacets(articles: Iterable<Article>): Facets {
  const tally = runNow(tallySteps(articles));
  return tally.facets();
}

/** The counts of `articles`, a step at a time (see steps.ts). */
export function* tallySteps(articles: Iterable<Article>): Steps<FacetTally> {
  const tally = new FacetTally();
  yield* eachSteps(articles, (article) => tally.count(article, 1));
  return tally;
}

/** The topic a member typed or picked, matched as search matches it (case and accents ignored). */
export function findTopic(facets: Facets, typed: string): TopicCount | undefined {
  return facets.topicByName.get(foldForMatch(typed.trim()));
}

/** The outlet a member typed or picked: by domain (the value autocomplete sends) or by the name it is shown by. */
export function findProvider(facets: Facets, typed: string): ProviderCount | undefined {
  return facets.providerByName.get(foldForMatch(typed.trim()).replace(/^www\./, ''));
}

/**
 * Autocomplete over one facet list: with an empty query the most used; otherwise names (or domains) starting with
 * the query, then those containing it, each group most used first. Case- and accent-insensitive.
 */
export function complete<T>(facets: readonly Facet<T>[], query: string, limit: number): T[] {
  const q = foldForMatch(query.trim());
  if (!q) return facets.slice(0, limit).map((f) => f.value);
  const prefix: T[] = [];
  const inside: T[] = [];
  for (const facet of facets) {
    if (facet.keys.some((k) => k.startsWith(q))) {
      prefix.push(facet.value);
      if (prefix.length === limit) break;
    } else if (inside.length < limit && facet.keys.some((k) => k.includes(q))) inside.push(facet.value);
  }
  return prefix.concat(inside).slice(0, limit);
}
