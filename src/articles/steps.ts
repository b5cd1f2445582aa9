// Work done beside the bot's commands, on the same thread: loops over every article written as generators that
// yield between steps of a few milliseconds, then run either at once (when their result is needed now) or a step
// per turn of the event loop, so a command waiting meanwhile is answered between two steps.

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

/**
 * Work measured in time rather than items (parsing files of any size, listing folders of any length): a loop asks
 * over() after each piece of work, and once the slice under way has held the event loop for `ms` it yields. One
 * slicer may be shared by several loops, so that short ones back to back still give the event loop its turns.
 */
export class TimeSlices {
  private started = performance.now();

  constructor(private readonly ms: number) {}

  /** Whether the slice under way has held the event loop for its length. */
  over(): boolean {
    return performance.now() - this.started >= this.ms;
  }

  /** Lets the event loop take whatever is waiting, then starts a new slice. */
  async yield(): Promise<void> {
    await nextTurn();
    this.started = performance.now();
  }

  /** Yields if the slice under way is over. */
  async turn(): Promise<void> {
    if (this.over()) await this.yield();
  }
}

/**
 * Runs steps until they have held the event loop for a slice of `slices`, then lets it take whatever is waiting,
 * and so on: work that is usually short (a search through the index) is done at once, without waiting for a turn,
 * and only work that runs long (every article ranked) gives the event loop its turns.
 */
export async function runInSlices<T>(steps: Steps<T>, slices: TimeSlices): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await slices.turn();
  }
}

// Items handled per step by default: a few milliseconds with the library's loops.
const STEP = 1000;

/**
 * Calls `each` with the bounds [first, end) of every run of `step` positions among `count`, yielding after each:
 * for work done a run at a time (a message per run), and for loops over an array that may grow meanwhile (only
 * the positions there at the start are visited).
 */
export function* rangeSteps(count: number, each: (first: number, end: number) => void, step = STEP): Steps<void> {
  for (let first = 0; first < count; first += step) {
    each(first, Math.min(count, first + step));
    yield;
  }
}

/** Calls `each` on every item, yielding every `step` items. */
export function* eachSteps<T>(items: Iterable<T>, each: (item: T) => void, step = STEP): Steps<void> {
  let n = 0;
  for (const item of items) {
    each(item);
    if (++n % step === 0) yield;
  }
}
