// A story's "related coverage": every other outlet that covered it, best first, one entry per outlet.
import type { Article, RelatedCoverage } from '../articles/types.js';
import { compareText } from './rank.js';

/** The host of a valid URL without "www.": what names an outlet when its file does not. */
export function outletHost(url: string): string {
  return new URL(url).hostname.replace(/^www\./, '');
}

function outletKey(coverage: RelatedCoverage): string {
  return coverage.provider?.domain ?? outletHost(coverage.url);
}

function compareCoverage(a: RelatedCoverage, b: RelatedCoverage): number {
  return (
    (b.quality ?? -Infinity) - (a.quality ?? -Infinity) ||
    (b.publishedAt?.getTime() ?? -Infinity) - (a.publishedAt?.getTime() ?? -Infinity) ||
    compareText(a.url, b.url)
  );
}

function asCoverage(article: Article): RelatedCoverage {
  return { title: article.title, url: article.url, provider: article.provider, publishedAt: article.publishedAt, quality: article.quality };
}

/**
 * The related coverage of a story led by `lead`: its own related list, the other articles folded into the story
 * (`others`) and theirs. The lead's outlet is left out (it is the story's own), and each other outlet keeps its
 * best-scored piece, so the list names outlets rather than repeating one.
 */
export function storyCoverage(lead: Article, others: readonly Article[]): RelatedCoverage[] {
  const best = new Map<string, RelatedCoverage>();
  const consider = (coverage: RelatedCoverage): void => {
    if (coverage.url === lead.url) return;
    const key = outletKey(coverage);
    if (key === lead.provider.domain) return;
    const kept = best.get(key);
    if (!kept || compareCoverage(coverage, kept) < 0) best.set(key, coverage);
  };
  for (const other of others) {
    consider(asCoverage(other));
    other.related.forEach(consider);
  }
  lead.related.forEach(consider);
  return [...best.values()].sort(compareCoverage);
}
