/**
 * Runs `work` for every item: the items of one channel one after another, in order (a channel's digests must not
 * interleave), and at most `limit` channels at a time, so one slow or failing channel never holds up the others.
 * Results come back in the order of `items`. `work` should not throw: a rejection rejects the whole call.
 */
export async function perChannel<T extends { channelId: string }, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const groups = new Map<string, number[]>();
  items.forEach((item, index) => {
    const group = groups.get(item.channelId);
    if (group) group.push(index);
    else groups.set(item.channelId, [index]);
  });
  const queue = [...groups.values()];
  const results = new Array<R>(items.length);
  const lane = async (): Promise<void> => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const index of group) results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, queue.length)) }, lane));
  return results;
}
