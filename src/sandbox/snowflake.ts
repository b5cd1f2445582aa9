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
