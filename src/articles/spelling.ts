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

/**
 * `term` itself if the library has it as a word, else its most frequent neighbour one edit away, else `term`.
 * `frequency` says how many articles hold a word: the search index counts them, so no word list is kept beside it.
 */
export function correctWord(term: string, frequency: (word: string) => number): string {
  if (term.length < MIN_LENGTH || frequency(term) > 0) return term;
  let best = term;
  let bestCount = 0;
  for (const candidate of edits(term)) {
    const count = frequency(candidate);
    if (count > bestCount) [best, bestCount] = [candidate, count];
  }
  return best;
}
