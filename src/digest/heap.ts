// A binary heap: the digest needs the best few of many candidates, in order, without sorting them all.

/** Yields `items` best first by `compare` (negative: first argument first). Building is O(n), each item O(log n). */
export class RankedQueue<T> {
  private readonly items: T[];

  constructor(
    items: readonly T[],
    private readonly compare: (a: T, b: T) => number,
  ) {
    this.items = items.slice();
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** Removes and returns the best item, or undefined when empty. */
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  /** The items never popped, in no particular order. */
  rest(): readonly T[] {
    return this.items;
  }

  private siftDown(start: number): void {
    const items = this.items;
    const n = items.length;
    let i = start;
    const item = items[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.compare(items[right]!, items[left]!) < 0 ? right : left;
      if (this.compare(items[child]!, item) >= 0) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = item;
  }
}
