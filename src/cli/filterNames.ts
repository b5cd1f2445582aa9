// `--topic Sprot` names nothing the folder has: the preview says so with the nearest names, instead of an empty
// digest put down to "this channel's filters", which reads as if the spelling were fine.
import type { ProviderCount, TopicCount } from '../articles/library.js';
import type { Article } from '../articles/types.js';
import { compileArticleFilter } from '../digest/filters.js';
import { DEFAULT_DIGEST_SETTINGS } from '../digest/settings.js';
import { editDistance } from '../util/editDistance.js';
import { foldForMatch } from '../util/text.js';

/** The folder's topic and outlet names, the most covered first, and its lookup of a topic by name. */
export interface FolderNames {
  topics: readonly TopicCount[];
  providers: readonly ProviderCount[];
  findTopic: (name: string) => TopicCount | undefined;
}

const SUGGESTIONS_MAX = 3;

/** "A", "A or B", "A, B or C" (or with "and"). */
function list(names: readonly string[], conjunction: 'or' | 'and'): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} ${conjunction} ${names.at(-1)}` : names.join('');
}

/**
 * The names nearest to `typed`: those containing it first, then those a few letters away (one edit per three
 * letters typed, at least one), the most covered first within each.
 */
function nearest(typed: string, candidates: readonly { shown: string; keys: string[] }[]): string[] {
  const wanted = foldForMatch(typed.trim());
  const allowed = Math.max(1, Math.floor(wanted.length / 3));
  const ranked: { shown: string; rank: number }[] = [];
  for (const { shown, keys } of candidates) {
    const rank = keys.some((k) => k.includes(wanted)) ? 0 : Math.min(...keys.map((k) => editDistance(wanted, k)));
    if (rank <= allowed) ranked.push({ shown, rank });
  }
  // A stable sort keeps the most covered first among names equally near.
  return [...new Set(ranked.sort((a, b) => a.rank - b.rank).map((r) => r.shown))].slice(0, SUGGESTIONS_MAX);
}

function problem(kind: string, typed: string, near: string[], popular: readonly string[]): string {
  if (near.length > 0) return `no ${kind} ${typed}; did you mean ${list(near, 'or')}?`;
  return `no ${kind} ${typed} in these articles${popular.length ? `; the most covered are ${list(popular.slice(0, SUGGESTIONS_MAX), 'and')}` : ''}`;
}

/**
 * One line for each `--topic` and `--provider` that no article matches at any date, with the nearest names the folder
 * has. Outlets are matched by the digest's own filter rather than by name, since it also takes a parent domain
 * (`example.com` for news.example.com).
 */
export function unknownFilterNames(articles: readonly Article[], names: FolderNames, wanted: { topics: readonly string[]; providers: readonly string[] }): string[] {
  const anyFrom = (provider: string) => articles.some(compileArticleFilter({ ...DEFAULT_DIGEST_SETTINGS, providers: [provider] }));
  const topics = names.topics.map((t) => ({ shown: t.name, keys: [foldForMatch(t.name)] }));
  const providers = names.providers.map((p) => ({ shown: p.name, keys: [foldForMatch(p.name), p.domain] }));
  return [
    ...wanted.topics.filter((t) => !names.findTopic(t)).map((t) => problem('topic', t, nearest(t, topics), topics.map((c) => c.shown))),
    ...wanted.providers.filter((p) => !anyFrom(p)).map((p) => problem('outlet', p, nearest(p, providers), providers.map((c) => c.shown))),
  ];
}
