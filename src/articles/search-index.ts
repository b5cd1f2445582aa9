// The full-text index: which articles hold every word of a query, best first. Laid out for memory: every term of
// every article, sorted, end to end in one string, and each term's postings packed in one byte array. FlexSearch,
// used before, kept a Map entry and up to ten arrays per term: 17.6 MB of heap for the 7,852 real files, and a cache
// that had to be parsed back term by term; this layout takes a tenth of that and comes back from its cache (or a
// worker thread) as a handful of buffers. Typo tolerance is done by spelling correction (spelling.ts).
import type { TextFields } from './query.js';
import { FIELDS, findTerm, freeze, postingOf, postingsAt, slotOf, walk, type FrozenIndex } from './frozen-index.js';

export type { FrozenIndex } from './frozen-index.js';
import { WEIGHT } from './weights.js';

// What one article adds to the index is bounded, far above real articles (at most 78 excerpt words, title words of
// at most 25 letters): the words of each part of its text, and the letters of each word, as terms are made of them.
const WORDS_INDEXED_MAX = 1_000;
const WORD_INDEXED_MAX = 50;

// The fields a term occurs in, one bit each, and whether it is a whole word there (not only a prefix), kept in a
// posting beside the article's slot (see frozen-index.ts).
const TITLE = 1;
const TOPICS = 2;
const PROVIDER = 4;
const EXCERPT = 8;
const WHOLE = 16;
// A posting's points, counted as the ranking counts them (query.ts), so the index proposes the best matches first.
const POINTS = Array.from({ length: FIELDS + 1 }, (_, f) =>
  (f & TITLE ? WEIGHT.title : 0) + (f & TOPICS ? WEIGHT.topics : 0) + (f & PROVIDER ? WEIGHT.provider : 0) + (f & EXCERPT ? WEIGHT.excerpt : 0));

/** The words of folded text (or of a query), each cut to WORD_INDEXED_MAX letters. */
export function termWords(folded: string): string[] {
  return folded.split(' ').filter(Boolean).map((w) => w.slice(0, WORD_INDEXED_MAX));
}

/**
 * An article's terms, each with the fields it occurs in: every prefix of each title, topic and provider word
 * ("vacc" finds "vaccine"), and the excerpt's words whole. Prefixes of excerpt words would be four fifths of the
 * index; a prefix found only in an excerpt is still ranked when the filters narrow the list or the word is typed
 * whole. The words are folded as the ranking matches them (SearchEntry.words), so the index proposes every real match.
 */
export function articleTerms(words: TextFields): Map<string, number> {
  const terms = new Map<string, number>();
  const add = (term: string, field: number) => terms.set(term, (terms.get(term) ?? 0) | field);
  let budget = WORDS_INDEXED_MAX;
  for (const [text, field] of [[words.title, TITLE], [words.topics, TOPICS], [words.provider, PROVIDER]] as const) {
    for (const word of termWords(text)) {
      if (budget-- <= 0) break;
      for (let n = 1; n < word.length; n++) add(word.slice(0, n), field);
      add(word, field | WHOLE);
    }
  }
  for (const word of termWords(words.excerpt).slice(0, WORDS_INDEXED_MAX)) add(word, EXCERPT | WHOLE);
  return terms;
}

/** Collects an index's postings, slots in increasing order, then lays them out (see frozen-index.ts). */
export class IndexBuilder {
  private readonly lists = new Map<string, number[]>();
  private slots = 0;

  /** Indexes an article's words under `slot`, which must be above every slot added so far. */
  add(slot: number, words: TextFields): void {
    for (const [term, fields] of articleTerms(words)) {
      const list = this.lists.get(term);
      if (list) list.push(postingOf(slot, fields));
      else this.lists.set(term, [postingOf(slot, fields)]);
    }
    this.slots = Math.max(this.slots, slot + 1);
  }

  /** The index of `slots` slots (more than added when the last hold nothing: tombstones, or empty articles). */
  freeze(slots = 0): FrozenIndex {
    return freeze(this.lists, Math.max(slots, this.slots));
  }
}

/**
 * The index a library searches: a frozen index and the articles indexed since (live changes), which a worker
 * thread later merges into a new frozen index. Add-only: a changed article gets a new slot and its old one stays
 * behind as a tombstone the library ignores, until it rebuilds the index.
 */
export class SearchIndex {
  /** Postings of the slots added since the frozen index was made: term → slot * 32 + field bits, by slot. */
  private readonly delta = new Map<string, number[]>();
  private slotCount: number;
  // Scratch space for intersecting postings: a slot's mark says how many query terms it holds so far.
  private mark = new Int32Array(0);
  private points = new Int32Array(0);
  private generation = 0;

  constructor(readonly frozen: FrozenIndex) {
    this.slotCount = frozen.slots;
  }

  /** Slots below this are indexed (or tombstones). */
  get slots(): number {
    return this.slotCount;
  }

  /** Whether articles were indexed since the frozen index was made. */
  get changed(): boolean {
    return this.slotCount > this.frozen.slots;
  }

  /** Indexes an article's words under `slot`, which must be at or above `slots`. */
  add(slot: number, words: TextFields): void {
    for (const [term, fields] of articleTerms(words)) {
      const posting = postingOf(slot, fields);
      const list = this.delta.get(term);
      if (list) list.push(posting);
      else this.delta.set(term, [posting]);
    }
    this.slotCount = Math.max(this.slotCount, slot + 1);
  }

  /** The postings added since the frozen index was made (term → postings by slot), to merge into a new one. */
  added(): ReadonlyMap<string, readonly number[]> {
    return this.delta;
  }

  /**
   * This index with `compacted` as its frozen part: made from this one's first `slots` slots (compactIndex), which
   * it numbers from 0 to compacted.slots. What was added since is kept, its slots moved to follow.
   */
  rebase(compacted: FrozenIndex, slots: number): SearchIndex {
    const next = new SearchIndex(compacted);
    const shift = compacted.slots - slots;
    for (const [term, list] of this.delta) {
      const later = list.filter((posting) => slotOf(posting) >= slots).map((posting) => postingOf(slotOf(posting) + shift, posting & FIELDS));
      if (later.length) next.delta.set(term, later);
    }
    next.slotCount = this.slotCount + shift;
    return next;
  }

  /** How many articles hold `term` (a folded word) as a whole word, tombstones included: how common a word is. */
  wordCount(term: string): number {
    let count = 0;
    const i = findTerm(this.frozen, term);
    const { postings, postingStarts } = this.frozen;
    if (i >= 0) walk(postings, postingStarts[i]!, postingStarts[i + 1]!, (posting) => (count += posting & WHOLE ? 1 : 0));
    for (const posting of this.delta.get(term) ?? []) if (posting & WHOLE) count++;
    return count;
  }

  /**
   * Slots of the articles holding every word of `words` (folded words, space-separated), best first: most points
   * in the fields they are found in (as the ranking counts them), then the lower slot (slots are given best-ranked
   * first when the index is built); at most `limit`.
   */
  search(words: string, limit: number): number[] {
    const lists = termWords(words).map((term) => this.postingsOf(term));
    if (!lists.length || lists.some((l) => l.length === 0)) return [];
    lists.sort((a, b) => a.length - b.length);
    const first = this.prepareScratch(lists.length);
    const { mark, points } = this;
    lists.forEach((list, i) => {
      for (const part of list.parts) {
        for (let j = 0; j < part.length; j++) {
          const posting = part[j]!;
          const slot = slotOf(posting);
          if (i === 0) {
            mark[slot] = first;
            points[slot] = POINTS[posting & FIELDS]!;
          } else if (mark[slot] === first + i - 1) {
            mark[slot] = first + i;
            points[slot]! += POINTS[posting & FIELDS]!;
          }
        }
      }
    });
    const last = first + lists.length - 1;
    const found: number[] = [];
    for (const part of lists[0]!.parts) {
      for (let j = 0; j < part.length; j++) {
        const slot = slotOf(part[j]!);
        if (mark[slot] === last) found.push(slot);
      }
    }
    return this.bestFirst(found, limit);
  }

  /** `found` (by slot) ordered by points, most first, then by slot; cut to `limit`. A counting sort: points are few. */
  private bestFirst(found: readonly number[], limit: number): number[] {
    let most = 0;
    for (const slot of found) most = Math.max(most, this.points[slot]!);
    const starts = new Array<number>(most + 2).fill(0);
    for (const slot of found) starts[most - this.points[slot]! + 1]!++;
    for (let p = 1; p < starts.length; p++) starts[p]! += starts[p - 1]!;
    const ordered = new Array<number>(found.length);
    for (const slot of found) ordered[starts[most - this.points[slot]!]!++] = slot;
    return ordered.length > limit ? ordered.slice(0, limit) : ordered;
  }

  /** Room in the scratch arrays for every slot; returns the first of `terms` fresh generations of marks. */
  private prepareScratch(terms: number): number {
    if (this.mark.length < this.slotCount) {
      this.mark = new Int32Array(this.slotCount + 1024);
      this.points = new Int32Array(this.slotCount + 1024);
      this.generation = 0;
    }
    if (this.generation + terms >= 0x3fffffff) {
      this.mark.fill(0);
      this.generation = 0;
    }
    const first = this.generation + 1;
    this.generation += terms;
    return first;
  }

  private postingsOf(term: string): { length: number; parts: (readonly number[])[] } {
    const i = findTerm(this.frozen, term);
    const parts: (readonly number[])[] = [];
    if (i >= 0) parts.push(postingsAt(this.frozen, i));
    const added = this.delta.get(term);
    if (added) parts.push(added);
    return { length: parts.reduce((n, p) => n + p.length, 0), parts };
  }
}
