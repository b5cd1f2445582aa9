// Typo tolerance: a query word found nowhere is replaced by the most frequent word of the library one edit away
// (a letter dropped, doubled, swapped or mistyped), the classic spelling-correction approach.

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
// Shorter words have too many neighbours one edit away for a guess to be trusted.
const MIN_LENGTH = 4;

/** Every string one deletion, transposition, substitution or insertion away from `word`. */
function edits(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i <= word.length; i++) {
    const [head, tail] = [word.slice(0, i), word.slice(i)];
    if (tail) out.push(head + tail.slice(1));
    if (tail.length > 1) out.push(head + tail[1] + tail[0] + tail.slice(2));
    for (const c of ALPHABET) {
      if (tail) out.push(head + c + tail.slice(1));
      out.push(head + c + tail);
    }
  }
  return out;
}

/** How often each (folded) word occurs in the library's texts. */
export class Vocabulary {
  private readonly counts = new Map<string, number>();

  /** Adds the words of folded text (words separated by single spaces). */
  add(folded: string): void {
    for (const word of folded.split(' ')) if (word) this.counts.set(word, (this.counts.get(word) ?? 0) + 1);
  }

  /** `term` itself if the library has it, else its most frequent neighbour one edit away, else `term`. */
  correct(term: string): string {
    if (term.length < MIN_LENGTH || this.counts.has(term)) return term;
    let best = term;
    let bestCount = 0;
    for (const candidate of edits(term)) {
      const count = this.counts.get(candidate) ?? 0;
      if (count > bestCount) [best, bestCount] = [candidate, count];
    }
    return best;
  }
}
