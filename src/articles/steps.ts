// Work done beside the bot's commands, on the same thread: loops over every article written as generators that
// yield between steps of a few milliseconds, then run either at once (when their result is needed now) or a step
// per turn of the event loop, so a command waiting meanwhile is answered between two steps. At 50,000 articles a
// plain sort of them took 190 ms, during which the bot answered nothing.

/** A computation cut into steps: it yields between them and returns its result. */
export type Steps<T> = Generator<void, T, void>;

/** Lets the event loop take whatever is waiting (I/O, timers) before going on. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs every step now. */
export function runNow<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Runs a step per turn of the event loop. */
export async function runInTurns<T>(steps: Steps<T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await nextTurn();
  }
}

// Items sorted, or merged, per step: a few milliseconds with the library's comparators.
const SORT_STEP = 4096;

/** `items` sorted by `compare` (stable), as a new array: sorted runs, then merged two by two, a step at a time. */
export function* sortSteps<T>(items: readonly T[], compare: (a: T, b: T) => number): Steps<T[]> {
  let runs: T[][] = [];
  for (let at = 0; at < items.length; at += SORT_STEP) {
    runs.push(items.slice(at, at + SORT_STEP).sort(compare));
    yield;
  }
  while (runs.length > 1) {
    const merged: T[][] = [];
    for (let i = 0; i < runs.length; i += 2) merged.push(i + 1 < runs.length ? yield* mergeSteps(runs[i]!, runs[i + 1]!, compare) : runs[i]!);
    runs = merged;
  }
  return runs[0] ?? [];
}

/** Two sorted arrays as one, the first's items first among equals. */
function* mergeSteps<T>(a: readonly T[], b: readonly T[], compare: (a: T, b: T) => number): Steps<T[]> {
  const out = new Array<T>(a.length + b.length);
  let [i, j] = [0, 0];
  for (let k = 0; k < out.length; k++) {
    out[k] = j >= b.length || (i < a.length && compare(a[i]!, b[j]!) <= 0) ? a[i++]! : b[j++]!;
    if (k % SORT_STEP === SORT_STEP - 1) yield;
  }
  return out;
}

/** Calls `each` on every item, yielding every `step` items. */
export function* eachSteps<T>(items: Iterable<T>, each: (item: T) => void, step = SORT_STEP): Steps<void> {
  let n = 0;
  for (const item of items) {
    each(item);
    if (++n % step === 0) yield;
  }
}
