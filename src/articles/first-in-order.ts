// The first few items of a large list in an order, without sorting the whole list: a page of search results is 5
// of tens of thousands of matches, and sorting every match by a comparator was most of a search's time when the
// index is not ready yet and every article is ranked (60-150 ms at 50,000 articles).

/**
 * The first `count` of `items` by `compare` (a total order), in that order: the same as sorting them all and
 * keeping the first `count`. A heap holds the best `count` seen so far, the worst of them on top.
 */
export function firstInOrder<T>(items: readonly T[], count: number, compare: (a: T, b: T) => number): T[] {
  if (count <= 0) return [];
  // A heap pays when it is much smaller than the list; otherwise the plain sort is as quick.
  if (count * 4 >= items.length) return items.slice().sort(compare).slice(0, count);
  const heap: T[] = [];
  const later = (i: number, j: number) => compare(heap[i]!, heap[j]!) > 0;
  const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j]!, heap[i]!]);
  const siftDown = (i: number) => {
    for (;;) {
      const [left, right] = [2 * i + 1, 2 * i + 2];
      let worst = i;
      if (left < heap.length && later(left, worst)) worst = left;
      if (right < heap.length && later(right, worst)) worst = right;
      if (worst === i) return;
      swap(i, worst);
      i = worst;
    }
  };
  for (const item of items) {
    if (heap.length < count) {
      heap.push(item);
      for (let i = heap.length - 1; i > 0 && later(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
    } else if (compare(item, heap[0]!) < 0) {
      heap[0] = item;
      siftDown(0);
    }
  }
  return heap.sort(compare);
}
