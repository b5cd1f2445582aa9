// The search index as plain data, as a worker thread makes it, hands it over and writes it to the restart cache:
// every term, sorted, end to end in one string, and each term's postings packed in one byte array. Also how such an
// index is laid out from lists of postings, read back, and compacted (merged with the postings added since, its
// tombstones dropped) without unpacking it into lists: at 50,000 articles that took a worker 100 MB.

// A posting is an article's slot and the fields a term occurs in, one bit each (see search-index.ts): slot * 32 + bits.
const FIELD_BITS = 5;
export const FIELDS = (1 << FIELD_BITS) - 1;

export const slotOf = (posting: number) => Math.floor(posting / (FIELDS + 1));
export const postingOf = (slot: number, fields: number) => slot * (FIELDS + 1) + fields;

export interface FrozenIndex {
  /** Every term, sorted (by UTF-16 code unit), end to end: term i is terms.slice(termStarts[i], termStarts[i + 1]). */
  terms: string;
  termStarts: Int32Array;
  /**
   * Term i's postings are the bytes postings[postingStarts[i] … postingStarts[i + 1]), by slot: each is
   * (slot − the previous posting's slot) * 32 + field bits, in 7-bit groups, least significant first, the high bit set
   * on all but the last (LEB128). Most take two bytes where a Uint32Array took four.
   */
  postingStarts: Int32Array;
  postings: Uint8Array;
  /** The slots it was made for: postings name only slots below. */
  slots: number;
}

/** Appends packed postings to a byte array that grows as needed. */
class PostingWriter {
  private bytes: Uint8Array;
  length = 0;

  constructor(expected: number) {
    this.bytes = new Uint8Array(Math.max(1024, expected));
  }

  /** Appends the postings of one term, by slot. */
  write(postings: Iterable<number>): void {
    let slot = 0;
    for (const posting of postings) {
      let value = postingOf(slotOf(posting) - slot, posting & FIELDS);
      slot = slotOf(posting);
      if (this.length + 8 > this.bytes.length) this.grow();
      while (value >= 0x80) {
        this.bytes[this.length++] = (value % 0x80) | 0x80;
        value = Math.floor(value / 0x80);
      }
      this.bytes[this.length++] = value;
    }
  }

  done(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }

  private grow(): void {
    const bytes = new Uint8Array(this.bytes.length * 2);
    bytes.set(this.bytes);
    this.bytes = bytes;
  }
}

/** Calls `visit` with each posting in bytes[start … end), by slot; false when they do not end there. */
export function walk(bytes: Uint8Array, start: number, end: number, visit: (posting: number) => void): boolean {
  let slot = 0;
  for (let at = start; at < end; ) {
    let value = 0;
    let scale = 1;
    let byte: number;
    do {
      if (at >= end) return false;
      byte = bytes[at++]!;
      value += (byte & 0x7f) * scale;
      scale *= 0x80;
    } while (byte & 0x80);
    slot += slotOf(value);
    visit(postingOf(slot, value & FIELDS));
  }
  return true;
}

/** Term i's postings, unpacked. */
export function postingsAt(index: FrozenIndex, i: number): number[] {
  const list: number[] = [];
  walk(index.postings, index.postingStarts[i]!, index.postingStarts[i + 1]!, (posting) => list.push(posting));
  return list;
}

/** The position of `term` among the index's terms, or -1: a binary search comparing in place. */
export function findTerm({ terms, termStarts }: FrozenIndex, term: string): number {
  let low = 0;
  let high = termStarts.length - 2;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const start = termStarts[mid]!;
    const length = termStarts[mid + 1]! - start;
    let order = 0;
    for (let k = 0; k < Math.min(length, term.length) && order === 0; k++) order = term.charCodeAt(k) - terms.charCodeAt(start + k);
    if (order === 0) order = term.length - length;
    if (order === 0) return mid;
    if (order < 0) high = mid - 1;
    else low = mid + 1;
  }
  return -1;
}

/** An index of `terms` (sorted), each with the postings `write` gives the writer. */
function layOut(terms: readonly string[], expectedBytes: number, slots: number, write: (term: string, writer: PostingWriter) => void): FrozenIndex {
  const termStarts = new Int32Array(terms.length + 1);
  const postingStarts = new Int32Array(terms.length + 1);
  const writer = new PostingWriter(expectedBytes);
  let chars = 0;
  terms.forEach((term, i) => {
    termStarts[i] = chars;
    postingStarts[i] = writer.length;
    write(term, writer);
    chars += term.length;
  });
  termStarts[terms.length] = chars;
  postingStarts[terms.length] = writer.length;
  return { terms: terms.join(''), termStarts, postingStarts, postings: writer.done(), slots };
}

/** An index of the lists of postings (by slot) of each term. */
export function freeze(lists: ReadonlyMap<string, readonly number[]>, slots: number): FrozenIndex {
  let postings = 0;
  for (const list of lists.values()) postings += list.length;
  return layOut([...lists.keys()].sort(), postings * 2, slots, (term, writer) => writer.write(lists.get(term)!));
}

/**
 * `base` with `added` (postings of slots at or above base.slots, by term) merged in and every slot renumbered by
 * `remap` (slot → new slot, in the same order; -1 drops it: a tombstone), over `slots` new slots.
 */
export function compactIndex(base: FrozenIndex, added: ReadonlyMap<string, readonly number[]>, remap: Int32Array, slots: number): FrozenIndex {
  const baseTerms = base.termStarts.length - 1;
  const termAt = (i: number) => base.terms.slice(base.termStarts[i], base.termStarts[i + 1]);
  const union = new Set<string>();
  for (let i = 0; i < baseTerms; i++) union.add(termAt(i));
  for (const term of added.keys()) union.add(term);
  const kept: number[] = [];
  const keep = (posting: number) => {
    const slot = remap[slotOf(posting)]!;
    if (slot >= 0) kept.push(postingOf(slot, posting & FIELDS));
  };
  const postingsOf = (term: string) => {
    kept.length = 0;
    const i = findTerm(base, term);
    if (i >= 0) walk(base.postings, base.postingStarts[i]!, base.postingStarts[i + 1]!, keep);
    added.get(term)?.forEach(keep);
    return kept;
  };
  // A term left with no posting (only tombstones held it) goes.
  const live = [...union].sort().filter((term) => postingsOf(term).length > 0);
  return layOut(live, base.postings.length + added.size * 4, slots, (term, writer) => writer.write(postingsOf(term)));
}

/**
 * Lists of postings by term packed in a few buffers, to hand to a worker thread: as a Map of arrays, the postings
 * added to an index of 50,000 articles by 1,200 new ones took 100 ms of the bot's thread to copy.
 */
export interface PackedLists { terms: string; termStarts: Int32Array; listStarts: Int32Array; postings: Float64Array }

export function packLists(lists: ReadonlyMap<string, readonly number[]>): PackedLists {
  const termStarts = new Int32Array(lists.size + 1);
  const listStarts = new Int32Array(lists.size + 1);
  let total = 0;
  for (const list of lists.values()) total += list.length;
  const postings = new Float64Array(total);
  let [i, chars, at] = [0, 0, 0];
  for (const [term, list] of lists) {
    [termStarts[i], listStarts[i]] = [chars, at];
    postings.set(list, at);
    chars += term.length;
    at += list.length;
    i++;
  }
  [termStarts[i], listStarts[i]] = [chars, at];
  return { terms: [...lists.keys()].join(''), termStarts, listStarts, postings };
}

export function unpackLists({ terms, termStarts, listStarts, postings }: PackedLists): Map<string, number[]> {
  const lists = new Map<string, number[]>();
  for (let i = 0; i + 1 < termStarts.length; i++) lists.set(terms.slice(termStarts[i], termStarts[i + 1]), Array.from(postings.subarray(listStarts[i], listStarts[i + 1])));
  return lists;
}

/** The same index in buffers of its own. */
export function copyIndex(index: FrozenIndex): FrozenIndex {
  return { ...index, termStarts: index.termStarts.slice(), postingStarts: index.postingStarts.slice(), postings: index.postings.slice() };
}

/** Whether `data` has the shape of a FrozenIndex whose parts agree with each other (for a cache read back). */
export function isFrozenIndex(data: unknown): data is FrozenIndex {
  const f = data as FrozenIndex;
  if (typeof f !== 'object' || f === null || typeof f.terms !== 'string' || !Number.isInteger(f.slots) || f.slots < 0) return false;
  if (!(f.termStarts instanceof Int32Array && f.postingStarts instanceof Int32Array && f.postings instanceof Uint8Array)) return false;
  const n = f.termStarts.length - 1;
  if (n < 0 || f.postingStarts.length !== n + 1 || f.termStarts[n] !== f.terms.length || f.postingStarts[n] !== f.postings.length) return false;
  for (let i = 0; i < n; i++) {
    if (f.termStarts[i]! > f.termStarts[i + 1]! || f.postingStarts[i]! > f.postingStarts[i + 1]!) return false;
    let previous = -1;
    const ordered = walk(f.postings, f.postingStarts[i]!, f.postingStarts[i + 1]!, (posting) => {
      if (slotOf(posting) <= previous || slotOf(posting) >= f.slots) previous = Infinity;
      else previous = slotOf(posting);
    });
    if (!ordered || previous === Infinity) return false;
  }
  return true;
}
