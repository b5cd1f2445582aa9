// The order in which stories compete for a digest: quality, then heat, then recency; ties broken by URL and file so
// that the same library always gives the same digest.
import type { Article } from '../articles/types.js';

// A missing score ranks below every real one (real scores start at -1 for heat).
function score(value: number | null): number {
  return value ?? Number.NEGATIVE_INFINITY;
}

/** Negative when `a` ranks before `b`. */
export function compareArticles(a: Article, b: Article): number {
  return (
    score(b.quality) - score(a.quality) ||
    score(b.heat) - score(a.heat) ||
    b.publishedAt.getTime() - a.publishedAt.getTime() ||
    compareText(a.url, b.url) ||
    compareText(a.sourcePath, b.sourcePath)
  );
}

/** Code-unit order of two strings, for tie-breaks that must not depend on the locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
