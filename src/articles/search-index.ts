// The full-text index (FlexSearch): finds candidate articles for the words of a query, with prefix matching.
// Chosen by measuring (BENCHMARKS.md): at 50,000 articles it answers in microseconds where MiniSearch's fuzzy
// search took tens of milliseconds; typo tolerance is done by spelling correction instead (spelling.ts).
import { Index } from 'flexsearch';
import { foldWords } from './query.js';

// Forward tokenizer: "vacc" finds "vaccine". Words are cut and folded exactly as the ranking folds them, so every
// candidate the index proposes is a real match. FlexSearch's own encoders were tried: LatinBalance merges some
// letters, and the phonetic ones (LatinExtra, LatinSoundex) match most of the corpus on short words ("kerr" found
// every "cr…" word, "coronavirus" included), so queries paid for thousands of candidates that did not match.
const OPTIONS = { tokenize: 'forward', encode: (text: string) => foldWords(text).split(' ').filter(Boolean) } as const;

/** Format of an exported index, checked before an import. */
export const INDEX_FORMAT = 'flexsearch-0.8/forward/foldWords/1';

export class SearchIndex {
  private index = new Index(OPTIONS);

  set(slot: number, text: string): void {
    this.index.update(slot, text);
  }

  add(slot: number, text: string): void {
    this.index.add(slot, text);
  }

  remove(slot: number): void {
    this.index.remove(slot);
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
