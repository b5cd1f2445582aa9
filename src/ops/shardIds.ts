// SHARD_IDS as operators write it ("0-3,6": the shards this process holds) and as discord.js wants it (a list).

/** The shard ids of `text`, in ascending order, or what is wrong with it (a sentence completing "SHARD_IDS …"). */
export function parseShardIds(text: string, count: number): { ok: true; ids: number[] } | { ok: false; problem: string } {
  const ids: number[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const range = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!range) return { ok: false, problem: 'must be shard numbers and ranges separated by commas, e.g. 0-3,6' };
    const first = Number(range[1]);
    const last = range[2] === undefined ? first : Number(range[2]);
    if (last < first) return { ok: false, problem: `has the range ${part}, which runs backwards: write it as ${last}-${first}` };
    for (let id = first; id <= last; id++) {
      if (id >= count) return { ok: false, problem: `has shard ${id}, but SHARD_COUNT is ${count}: shard ids run from 0 to ${count - 1}` };
      if (ids.includes(id)) return { ok: false, problem: `lists shard ${id} twice: each shard belongs to one process once` };
      ids.push(id);
    }
  }
  return { ok: true, ids: ids.sort((a, b) => a - b) };
}

/** `ids` written back compactly ("0-3,6"), for log lines and metric labels. */
export function formatShardIds(ids: readonly number[]): string {
  const sorted = [...ids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const first = sorted[i]!;
    while (i + 1 < sorted.length && sorted[i + 1] === sorted[i]! + 1) i++;
    parts.push(first === sorted[i] ? String(first) : `${first}-${sorted[i]}`);
  }
  return parts.join(',');
}
