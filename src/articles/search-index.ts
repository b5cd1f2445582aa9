// The full-text index (FlexSearch): finds candidate articles for the words of a query, with prefix matching.
// Chosen by measuring (BENCHMARKS.md): at 50,000 articles it answers in microseconds where MiniSearch's fuzzy
// search took tens of milliseconds; typo tolerance is done by spelling correction instead (spelling.ts).
import { Index } from 'flexsearch';
import { EXCERPT_MARK, foldWords } from './query.js';

// What one article adds to the index is bounded, far above real articles (at most 78 excerpt words, title words of
// at most 25 letters): the words of each part of its text, and the letters of each word, as terms are made of them.
const WORDS_INDEXED_MAX = 1_000;
const WORD_INDEXED_MAX = 50;

/** The words of `text`, each cut to WORD_INDEXED_MAX letters (a query's too, so a longer word still finds its candidates). */
const words = (text: string, max = Infinity) => foldWords(text).split(' ').filter(Boolean).slice(0, max).map((w) => w.slice(0, WORD_INDEXED_MAX));

/**
 * The index's terms. For an article's text (indexedText): every prefix of each title, topic and provider word
 * ("vacc" finds "vaccine"), and the excerpt's words whole. Prefixes of excerpt words were four fifths of the
 * index (70 MB of cache at 50,000 articles, 40 MB of heap for the 7,852 real files); a prefix found only in an
 * excerpt is still ranked when the filters narrow the list (directRankMax) or the word is typed whole.
 * For a query (no EXCERPT_MARK): its words as typed, so a prefix is looked up as itself.
 * Words are cut and folded exactly as the ranking folds them, so the index proposes every real match (and, for a
 * word longer than WORD_INDEXED_MAX letters, others sharing its start, which the ranking then leaves out).
 * FlexSearch's own encoders were tried: LatinBalance merges some letters, and the phonetic ones (LatinExtra,
 * LatinSoundex) match most of the corpus on short words ("kerr" found every "cr…" word, "coronavirus" included).
 */
function indexTerms(text: string): string[] {
  const mark = text.indexOf(EXCERPT_MARK);
  if (mark < 0) return words(text);
  const terms: string[] = [];
  for (const word of words(text.slice(0, mark), WORDS_INDEXED_MAX)) for (let n = 1; n <= word.length; n++) terms.push(word.slice(0, n));
  return terms.concat(words(text.slice(mark + 1), WORDS_INDEXED_MAX));
}

// 'strict': the index stores the terms indexTerms() gives, and adds no prefixes of its own.
const OPTIONS = { tokenize: 'strict', encode: indexTerms } as const;

/** Format of an exported index, checked before an import. */
export const INDEX_FORMAT = 'flexsearch-0.8/strict/indexTerms/3';

/**
 * Add-only: FlexSearch without `fastupdate` (+117 MiB at 50,000 articles, and its cache import throws) removes an
 * entry by scanning its whole index, 35-80 ms at 50,000 articles. The library never removes: it gives a changed
 * article a new slot and leaves the old one's terms behind as a tombstone it ignores, until it rebuilds the index.
 */
export class SearchIndex {
  private index = new Index(OPTIONS);
  private changes = 0;

  /** Counts the changes made to the index, so a caller can tell whether an export still holds all of it. */
  get version(): number {
    return this.changes;
  }

  /** Indexes `text` under `slot`, which must be new to this index. */
  add(slot: number, text: string): void {
    this.changes++;
    this.index.add(slot, text);
  }

  /** Slots of the best `limit` matches, best first (earlier words in the text rank higher). */
  search(words: string, limit: number): number[] {
    return this.index.search(words, { limit }) as number[];
  }

  /** The index as key/data pairs, for the restart cache. */
  async export(): Promise<[string, string][]> {
    const parts: [string, string][] = [];
    await this.index.export((key: string, data: string) => {
      parts.push([key, data]);
    });
    return parts;
  }

  static import(parts: readonly [string, string][]): SearchIndex {
    const index = new SearchIndex();
    for (const [key, data] of parts) index.index.import(key, data);
    return index;
  }
}
