// A channel's filters (topics, outlets, minimum quality, keywords) turned into one predicate over articles.
import type { Article, Provider } from '../articles/types.js';
import { foldForMatch } from '../util/text.js';
import type { DigestSettings } from './settings.js';

export type ArticleFilter = (article: Article) => boolean;

type FilterSettings = Pick<DigestSettings, 'topics' | 'providers' | 'excludeProviders' | 'minQuality' | 'keywords'>;

// eslint-disable-next-line no-control-regex -- ASCII text needs no Unicode folding, which is the slow part
const ASCII = /^[\u0000-\u007f]*$/;

/** foldForMatch, skipping the Unicode normalisation that ASCII text does not need. */
function quickFold(text: string): string {
  return ASCII.test(text) ? text.toLowerCase() : foldForMatch(text);
}

/**
 * quickFold with a memo: a library repeats a few hundred topic and outlet names across thousands of articles,
 * and NFKD normalisation is the costly step of filtering.
 */
function memoFold(): (text: string) => string {
  const memo = new Map<string, string>();
  return (text) => {
    let folded = memo.get(text);
    if (folded === undefined) {
      folded = quickFold(text);
      memo.set(text, folded);
    }
    return folded;
  };
}

function normalizedList(values: readonly string[], fold: (text: string) => string): string[] {
  return values.map((v) => fold(v.trim())).filter((v) => v !== '');
}

/** Matches an outlet named by domain (`example.com` also matches `news.example.com`; `www.` ignored) or by name. */
function providerMatcher(wanted: readonly string[], fold: (text: string) => string): (provider: Provider) => boolean {
  const keys = normalizedList(wanted, fold).map((k) => k.replace(/^www\./, ''));
  return (provider) => {
    const domain = provider.domain.toLowerCase();
    const name = fold(provider.name);
    return keys.some((k) => k === name || domain === k || domain.endsWith(`.${k}`));
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One regular expression for every keyword, matching whole words only ("ai" must not match "said"). */
function keywordPattern(keywords: readonly string[], fold: (text: string) => string): RegExp | null {
  const words = normalizedList(keywords, fold);
  if (words.length === 0) return null;
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${words.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`, 'u');
}

/** The predicate keeping the articles a channel's filters let through; every filter left empty lets all through. */
export function compileArticleFilter(settings: FilterSettings): ArticleFilter {
  const fold = memoFold();
  const checks: ArticleFilter[] = [];
  const minQuality = settings.minQuality;
  if (minQuality !== null) checks.push((a) => a.quality !== null && a.quality >= minQuality);
  const topics = new Set(normalizedList(settings.topics, fold));
  if (topics.size > 0) checks.push((a) => a.topics.some((t) => topics.has(fold(t))));
  if (settings.providers.length > 0) {
    const included = providerMatcher(settings.providers, fold);
    checks.push((a) => included(a.provider));
  }
  if (settings.excludeProviders.length > 0) {
    const excluded = providerMatcher(settings.excludeProviders, fold);
    checks.push((a) => !excluded(a.provider));
  }
  const keywords = keywordPattern(settings.keywords, fold);
  if (keywords) checks.push((a) => keywords.test(quickFold(`${a.title} ${a.excerpt}`)));
  return (article) => checks.every((check) => check(article));
}

/** The active filters in words, for the sentence explaining why a digest came out empty. */
export function describeFilters(settings: FilterSettings): string {
  const parts: string[] = [];
  if (settings.topics.length > 0) parts.push(`topics ${settings.topics.join(', ')}`);
  if (settings.providers.length > 0) parts.push(`only outlets ${settings.providers.join(', ')}`);
  if (settings.excludeProviders.length > 0) parts.push(`not outlets ${settings.excludeProviders.join(', ')}`);
  if (settings.minQuality !== null) parts.push(`quality at least ${settings.minQuality}`);
  if (settings.keywords.length > 0) parts.push(`keywords ${settings.keywords.join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : 'none';
}
