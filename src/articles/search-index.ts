// The full-text index (FlexSearch): finds candidate articles for the words of a query, with prefix matching and
// some typo tolerance. Chosen by measuring it against MiniSearch and a linear scan (see BENCHMARKS.md).
import { Charset, Index } from 'flexsearch';

// Forward tokenizer: "vacc" finds "vaccine". LatinExtra folds case and accents and encodes words phonetically, so
// dropped, doubled or swapped-sound letters ("coronovirus", "vacine") still match.
const OPTIONS = { tokenize: 'forward', encoder: Charset.LatinExtra } as const;

/** Format of an exported index, checked before an import. */
export const INDEX_FORMAT = `flexsearch-0.8/${OPTIONS.tokenize}/LatinExtra/1`;

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
