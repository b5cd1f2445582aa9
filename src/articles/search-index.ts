// The full-text index (FlexSearch): finds candidate articles for the words of a query, with prefix matching.
// Chosen by measuring (BENCHMARKS.md): at 50,000 articles it answers in microseconds where MiniSearch's fuzzy
// search took tens of milliseconds; typo tolerance is done by spelling correction instead (spelling.ts).
import { Charset, Index } from 'flexsearch';

// Forward tokenizer: "vacc" finds "vaccine". LatinBalance folds case and accents. The phonetic encoders
// (LatinExtra, LatinSoundex) were tried: on short words they match most of the corpus ("kerr" found every "cr…"
// word, "coronavirus" included), so every query paid for tens of thousands of false candidates.
const OPTIONS = { tokenize: 'forward', encoder: Charset.LatinBalance } as const;

/** Format of an exported index, checked before an import. */
export const INDEX_FORMAT = `flexsearch-0.8/${OPTIONS.tokenize}/LatinBalance/1`;

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
