// The two orders the library keeps its articles in, made a step at a time (see steps.ts) and without sorting the
// articles with a comparator: at 50,000 articles that took 190 ms of the event loop, where sorting their times as
// numbers and placing each article by its time takes a few.
import { byNewest, type SearchEntry } from './query.js';
import { eachSteps, type Steps } from './steps.js';

/**
 * `entries` newest first, then by id (byNewest): each article's time looked up among the times sorted as numbers,
 * and placed there; articles sharing a time are then ordered by id.
 */
export function* newestSteps(entries: Iterable<SearchEntry>): Steps<SearchEntry[]> {
  const all = [...entries];
  // Negated, so that sorting up puts the newest first.
  const keys = new Float64Array(all.length);
  yield* eachSteps(all.keys(), (i) => (keys[i] = -all[i]!.article.publishedAt.getTime()));
  const sorted = keys.slice().sort();
  yield;
  const newest = new Array<SearchEntry>(all.length);
  const placed = new Int32Array(all.length);
  const shared: number[] = [];
  yield* eachSteps(all.keys(), (i) => {
    const first = firstAtLeast(sorted, keys[i]!);
    if (placed[first] === 1) shared.push(first);
    newest[first + placed[first]!++] = all[i]!;
  });
  for (const first of shared) {
    const same = newest.slice(first, first + placed[first]!).sort((a, b) => byNewest(a.article, b.article));
    newest.splice(first, same.length, ...same);
  }
  return newest;
}

/** The first position of `sorted` holding `key` or more. */
function firstAtLeast(sorted: Float64Array, key: number): number {
  let [low, high] = [0, sorted.length];
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** `newest` (newest first) by quality, best first, the newest first among equals (byQuality). */
export function* bestSteps(newest: readonly SearchEntry[]): Steps<SearchEntry[]> {
  const byQuality = new Map<number, SearchEntry[]>();
  yield* eachSteps(newest, (entry) => {
    const quality = entry.article.quality ?? -1;
    const same = byQuality.get(quality);
    if (same) same.push(entry);
    else byQuality.set(quality, [entry]);
  });
  const best: SearchEntry[] = [];
  for (const quality of Float64Array.from(byQuality.keys()).sort().reverse()) for (const entry of byQuality.get(quality)!) best.push(entry);
  return best;
}
