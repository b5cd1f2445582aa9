// Discord ids are 64-bit "snowflakes": milliseconds since the Discord epoch shifted left 22 bits, then worker,
// process and increment bits. Real ones are 17-19 digits today; discord.js reads the creation time out of them.
const DISCORD_EPOCH = 1420070400000n;

/** A generator of unique, increasing snowflakes as decimal strings (what Discord sends on the wire). */
export function snowflakes(now: () => number = Date.now): () => string {
  let increment = 0n;
  return () => {
    increment = (increment + 1n) & 0xfffn;
    return (((BigInt(now()) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
  };
}

/** When a snowflake was made, in epoch milliseconds. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

// The least common multiple of 1…16: a timestamp that is a multiple of it is a multiple of every shard count up to 16.
const SHARD_COUNTS_LCM = 720_720n;

/**
 * The id of the sandbox's `index`-th guild (0-based). Discord places a guild on shard `(id >> 22) % shard_count`,
 * so ids made in the same millisecond would all land on one shard: these are dated `index` ms after a moment a few
 * minutes ago that every shard count up to 16 divides, which puts guild `index` on shard `index % shard_count`.
 */
export function guildSnowflake(index: number, now: number): string {
  const sinceEpoch = BigInt(now) - DISCORD_EPOCH;
  const base = (sinceEpoch / SHARD_COUNTS_LCM - 1n) * SHARD_COUNTS_LCM;
  return (((base + BigInt(index)) << 22n) | (1n << 17n)).toString();
}

/** The shard that receives a guild's events among `shardCount`, as Discord computes it. */
export function shardOf(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}
