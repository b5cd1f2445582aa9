// Turns one file's front matter, as the news pipeline really writes it, into an Article — or says why it cannot.
// Only the title, a usable URL and the publication date are required: every other field degrades to a safe
// default, so one odd value never costs a whole article.
import { createHash } from 'node:crypto';
import { cleanText, foldForMatch, safeHttpUrl } from '../util/clean-text.js';
import { parseIsoDateTime } from './iso-date.js';
import { cutToLimits, isFields } from './limits.js';
import type { Article, ArticleImage, Provider, RelatedCoverage } from './types.js';

/** `cuts`, when present, says which fields were over their limit and cut (see limits.ts). */
export type NormalizeResult = { ok: true; article: Article; cuts?: string[] } | { ok: false; reason: string };

/** Stable across files and restarts: the same URL always gives the same id (short enough for a Discord custom_id). */
export function articleId(url: string): string {
  return createHash('sha256').update(url).digest('base64url').slice(0, 16);
}

// The fields are read by hand, not through a schema library: the YAML reader already gives only strings, numbers,
// booleans, nulls, lists and maps, so what is left is a handful of typeof checks. A zod schema did the same in
// twice the time (and its module was a fifth of a parse worker's start), with the messages kept below.
type Fields = Record<string, unknown>;
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** A text field: a string or a number, cleaned; anything else is no text (undefined). */
const textOf = (value: unknown): string | undefined => (typeof value === 'string' || isNumber(value) ? cleanText(value) : undefined);
/** A score (quality, heat): a finite number, else null. */
const scoreOf = (value: unknown): number | null => (isNumber(value) ? value : null);
const dimensionOf = (value: unknown): number | null => (isNumber(value) && value >= 0 ? value : null);

interface ImageEntry { url: unknown; width: number | null; height: number | null }
function imagesOf(value: unknown): (ImageEntry | null)[] {
  return Array.isArray(value) ? value.map((e) => (isFields(e) ? { url: e.url, width: dimensionOf(e.width), height: dimensionOf(e.height) } : null)) : [];
}

interface ProviderEntry { name: string | undefined; domain: string | undefined; images: (ImageEntry | null)[] }
const providerOf = (value: unknown): ProviderEntry | null => (isFields(value) ? { name: textOf(value.name), domain: textOf(value.domain), images: imagesOf(value.images) } : null);

/** What a validator's message calls a value's type ("expected object, received array"). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}

type LinkFields = { webUrl?: unknown; originalUrl?: unknown };

function articleUrl(entry: LinkFields): string | null {
  return safeHttpUrl(entry.webUrl) ?? safeHttpUrl(entry.originalUrl);
}

/** The host without a leading "www.", the stable key of an outlet when the file names none. */
function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^www\./, '');
}

// Some files give a page path as the domain ("cnn.com/world/live-news/…"), and the same path as the name.
function normalizeProvider(raw: ProviderEntry | null, url: string): Provider {
  const given = (raw?.domain ?? '').toLowerCase();
  const domain = given.split('/')[0]!.replace(/^www\./, '') || hostOf(url);
  const icon = (raw?.images ?? []).map((i) => safeHttpUrl(i?.url)).find((u) => u !== null) ?? null;
  const name = raw?.name && raw.name.toLowerCase() !== given ? raw.name : domain;
  return sharedProvider(name, domain, icon);
}

// Thousands of articles and related entries name the same few hundred outlets: each distinct provider is one
// object, shared (read-only, like every article field), in memory and in the parse cache.
const providers = new Map<string, Provider>();
function sharedProvider(name: string, domain: string, iconUrl: string | null): Provider {
  const key = `${name}\u0000${domain}\u0000${iconUrl ?? ''}`;
  let provider = providers.get(key);
  if (!provider) providers.set(key, (provider = { name, domain, iconUrl }));
  return provider;
}

// Topic names and types repeat across thousands of articles too.
const texts = new Map<string, string>();
function sharedText(text: string): string {
  let one = texts.get(text);
  if (one === undefined) texts.set(text, (one = text));
  return one;
}

/**
 * An article that was copied in (from a parse worker or the parse cache), which brings its own copy of every
 * provider and repeated text, made to share this thread's objects again, as if it had been parsed here.
 */
export function adoptArticle(article: Article): void {
  const { name, domain, iconUrl } = article.provider;
  article.provider = sharedProvider(name, domain, iconUrl);
  for (const entry of article.related) if (entry.provider) entry.provider = sharedProvider(entry.provider.name, entry.provider.domain, entry.provider.iconUrl);
  article.type = sharedText(article.type);
  const topics = article.topics;
  for (let i = 0; i < topics.length; i++) topics[i] = sharedText(topics[i]!);
}

// A 1×1 (or 0×0) picture is a tracking pixel, not an illustration.
function firstUsableImage(entries: (ImageEntry | null)[]): ArticleImage | null {
  for (const entry of entries) {
    const url = safeHttpUrl(entry?.url);
    if (!entry || !url) continue;
    if (entry.width !== null && entry.height !== null && entry.width <= 2 && entry.height <= 2) continue;
    return { url, width: entry.width, height: entry.height };
  }
  return null;
}

/** Topic names cleaned, null/empty entries dropped, and duplicates (ignoring case and accents) removed. */
function normalizeTopics(raw: unknown): string[] {
  const seen = new Set<string>();
  const topics: string[] = [];
  if (!Array.isArray(raw)) return topics;
  for (const entry of raw) {
    const name = cleanText(entry);
    const key = foldForMatch(name);
    if (!name || seen.has(key)) continue;
    seen.add(key);
    topics.push(sharedText(name));
  }
  return topics;
}

/** A related story's publication time: a valid date, else none (null), which does not cost the entry. */
function relatedDate(value: unknown): Date | null {
  if (value === undefined) return null;
  const parsed = parseIsoDateTime(value);
  return typeof parsed === 'string' ? null : parsed;
}

function normalizeRelated(raw: unknown, ownUrl: string): RelatedCoverage[] {
  const related: RelatedCoverage[] = [];
  if (!Array.isArray(raw) || raw.length === 0) return related;
  const seen = new Set([ownUrl]);
  for (const entry of raw) {
    const url = isFields(entry) ? articleUrl(entry) : null;
    if (!isFields(entry) || !url || seen.has(url)) continue;
    seen.add(url);
    related.push({
      title: textOf(entry.title) || hostOf(url),
      url,
      provider: isFields(entry.provider) ? normalizeProvider(providerOf(entry.provider), url) : null,
      publishedAt: relatedDate(entry.publishedDateTime),
      quality: scoreOf(entry.quality),
    });
  }
  return related;
}

/** The title and date every article needs, or why a file's cannot be used: the title first, as a reader reads. */
function required(fm: Fields): { title: string; publishedAt: Date } | string {
  if (fm.title === undefined) return 'title: is missing';
  const title = textOf(fm.title);
  if (title === undefined) return 'title: Invalid input';
  if (title === '') return 'title: is missing or empty';
  if (fm.publishedDateTime === undefined) return 'publishedDateTime: is missing';
  const publishedAt = parseIsoDateTime(fm.publishedDateTime);
  return typeof publishedAt === 'string' ? `publishedDateTime: ${publishedAt}` : { title, publishedAt };
}

/**
 * Validates and cleans one file's front matter, its fields first cut to their limits. `sourcePath` (relative to the
 * content folder) is kept on the article for log lines and live updates. The reason of a rejection names the field.
 */
export function normalizeArticle(frontMatter: unknown, sourcePath: string): NormalizeResult {
  const { data: fm, cuts } = cutToLimits(frontMatter);
  if (!isFields(fm)) return { ok: false, reason: `front matter: Invalid input: expected object, received ${kindOf(fm)}` };
  const needed = required(fm);
  if (typeof needed === 'string') return { ok: false, reason: needed };
  const url = articleUrl(fm);
  if (!url) {
    const given = fm.webUrl ?? fm.originalUrl;
    return { ok: false, reason: given === undefined ? 'webUrl: is missing (and so is originalUrl)' : 'webUrl: is not a valid http(s) URL (nor is originalUrl)' };
  }
  return {
    ok: true,
    article: {
      id: articleId(url),
      sourcePath,
      title: needed.title,
      excerpt: textOf(fm.excerpt) ?? '',
      url,
      publishedAt: needed.publishedAt,
      quality: scoreOf(fm.quality),
      heat: scoreOf(fm.heat),
      published: typeof fm.published === 'boolean' ? fm.published : true,
      provider: normalizeProvider(providerOf(fm.provider), url),
      topics: normalizeTopics(fm.topics),
      image: firstUsableImage(imagesOf(fm.images)),
      type: sharedText((textOf(fm.type) ?? '').toLowerCase() || 'article'),
      related: normalizeRelated(fm.related, url),
    },
    ...(cuts.length ? { cuts } : {}),
  };
}
