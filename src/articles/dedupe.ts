// Several files can carry the same story (same URL): the library shows one of them.
import type { Article } from './types.js';

const rank = (n: number | null) => n ?? -Infinity;

/**
 * Orders candidates for one URL, best first: highest heat, then quality, then newest; the source path breaks the
 * last tie so the choice never depends on the order files were read in.
 */
function compareDuplicates(a: Article, b: Article): number {
  return (
    rank(b.heat) - rank(a.heat) ||
    rank(b.quality) - rank(a.quality) ||
    b.publishedAt.getTime() - a.publishedAt.getTime() ||
    (a.sourcePath < b.sourcePath ? -1 : a.sourcePath > b.sourcePath ? 1 : 0)
  );
}

/** The article to keep among files sharing a URL. */
export function pickDuplicate(candidates: Iterable<Article>): Article | undefined {
  let best: Article | undefined;
  for (const candidate of candidates) if (!best || compareDuplicates(candidate, best) < 0) best = candidate;
  return best;
}
