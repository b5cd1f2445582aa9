// Turns one file's front matter, as the news pipeline really writes it, into an Article — or says why it cannot.
// Only the title, a usable URL and the publication date are required: every other field degrades to a safe
// default, so one odd value never costs a whole article.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { cleanText, foldForMatch, safeHttpUrl } from '../util/clean-text.js';
import { parseIsoDateTime } from './iso-date.js';
import { cutToLimits } from './limits.js';
import type { Article, ArticleImage, Provider, RelatedCoverage } from './types.js';

/** `cuts`, when present, says which fields were over their limit and cut (see limits.ts). */
export type NormalizeResult = { ok: true; article: Article; cuts?: string[] } | { ok: false; reason: string };

/** Stable across files and restarts: the same URL always gives the same id (short enough for a Discord custom_id). */
export function articleId(url: string): string {
  return createHash('sha256').update(url).digest('base64url').slice(0, 16);
}

const text = z.union([z.string(), z.number()]).transform(cleanText);
const requiredText = text.refine((v) => v !== '', { message: 'is missing or empty' });
// The YAML schema gives every timestamp, quoted or not, as a string.
const date = z.unknown().transform((v, ctx) => {
  const parsed = parseIsoDateTime(v);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return parsed;
});
const score = z.number().finite().nullable().optional().catch(null).transform((v) => v ?? null);
const dimension = z.number().finite().nonnegative().nullable().optional().catch(null).transform((v) => v ?? null);
const imageEntry = z.object({ url: z.unknown().optional(), width: dimension, height: dimension }).nullable().catch(null);
const images = z.array(imageEntry).nullable().optional().catch(null).transform((v) => v ?? []);
const providerEntry = z
  .object({ name: text.optional().catch(undefined), domain: text.optional().catch(undefined), images })
  .nullable()
  .optional()
  .catch(null);
const link = { webUrl: z.unknown().optional(), originalUrl: z.unknown().optional() };

const relatedEntry = z
  .object({ ...link, title: text.optional().catch(undefined), provider: providerEntry, publishedDateTime: date.optional().catch(undefined), quality: score })
  .nullable()
  .catch(null);

const frontMatterSchema = z.object({
  title: requiredText,
  publishedDateTime: date,
  ...link,
  excerpt: text.nullable().optional().catch(null),
  quality: score,
  heat: score,
  published: z.boolean().nullable().optional().catch(null),
  type: text.nullable().optional().catch(null),
  provider: providerEntry,
  topics: z.array(z.unknown()).nullable().optional().catch(null),
  images,
  related: z.array(relatedEntry).nullable().optional().catch(null),
});

type LinkFields = { webUrl?: unknown; originalUrl?: unknown };

function articleUrl(entry: LinkFields): string | null {
  return safeHttpUrl(entry.webUrl) ?? safeHttpUrl(entry.originalUrl);
}

/** The host without a leading "www.", the stable key of an outlet when the file names none. */
function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^www\./, '');
}

type ProviderEntry = z.infer<typeof providerEntry>;

// Some files give a page path as the domain ("cnn.com/world/live-news/…"), and the same path as the name.
function normalizeProvider(raw: ProviderEntry, url: string): Provider {
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

// A 1×1 (or 0×0) picture is a tracking pixel, not an illustration.
function firstUsableImage(entries: z.infer<typeof images>): ArticleImage | null {
  for (const entry of entries) {
    const url = safeHttpUrl(entry?.url);
    if (!entry || !url) continue;
    if (entry.width !== null && entry.height !== null && entry.width <= 2 && entry.height <= 2) continue;
    return { url, width: entry.width, height: entry.height };
  }
  return null;
}

/** Topic names cleaned, null/empty entries dropped, and duplicates (ignoring case and accents) removed. */
function normalizeTopics(raw: unknown[] | null | undefined): string[] {
  const seen = new Set<string>();
  const topics: string[] = [];
  for (const entry of raw ?? []) {
    const name = cleanText(entry);
    const key = foldForMatch(name);
    if (!name || seen.has(key)) continue;
    seen.add(key);
    topics.push(name);
  }
  return topics;
}

function normalizeRelated(raw: z.infer<typeof relatedEntry>[] | null | undefined, ownUrl: string): RelatedCoverage[] {
  const seen = new Set([ownUrl]);
  const related: RelatedCoverage[] = [];
  for (const entry of raw ?? []) {
    const url = entry ? articleUrl(entry) : null;
    if (!entry || !url || seen.has(url)) continue;
    seen.add(url);
    related.push({
      title: entry.title || hostOf(url),
      url,
      provider: entry.provider ? normalizeProvider(entry.provider, url) : null,
      publishedAt: entry.publishedDateTime ?? null,
      quality: entry.quality,
    });
  }
  return related;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

function describe(issue: z.core.$ZodIssue, input: unknown): string {
  const where = issue.path.length ? issue.path.join('.') : 'front matter';
  // Zod reports a missing key as a bare "Invalid input" (or a type mismatch): say plainly that it is missing.
  const message = issue.path.length && valueAt(input, issue.path) === undefined ? 'is missing' : issue.message;
  return `${where}: ${message}`;
}

/**
 * Validates and cleans one file's front matter, its fields first cut to their limits. `sourcePath` (relative to the
 * content folder) is kept on the article for log lines and live updates. The reason of a rejection is the zod path
 * and message.
 */
export function normalizeArticle(frontMatter: unknown, sourcePath: string): NormalizeResult {
  const { data, cuts } = cutToLimits(frontMatter);
  const parsed = frontMatterSchema.safeParse(data);
  if (!parsed.success) return { ok: false, reason: describe(parsed.error.issues[0]!, data) };
  const fm = parsed.data;
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
      title: fm.title,
      excerpt: fm.excerpt ?? '',
      url,
      publishedAt: fm.publishedDateTime,
      quality: fm.quality,
      heat: fm.heat,
      published: fm.published ?? true,
      provider: normalizeProvider(fm.provider, url),
      topics: normalizeTopics(fm.topics),
      image: firstUsableImage(fm.images),
      type: (fm.type ?? '').toLowerCase() || 'article',
      related: normalizeRelated(fm.related, url),
    },
    ...(cuts.length ? { cuts } : {}),
  };
}
