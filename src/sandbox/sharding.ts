import { shardOf } from './snowflake.js';

// Discord's sharding as its gateway enforces it: which shard a guild's events go to, what IDENTIFY's `shard` may
// say, when a bot must shard, and how fast sessions may start.
// https://discord.com/developers/docs/events/gateway#sharding

/** [shard_id, num_shards], as IDENTIFY and READY carry it. */
export type ShardTuple = [id: number, count: number];

export interface ShardingOptions {
  /** What GET /gateway/bot recommends; by default enough shards that none holds more than `maxGuildsPerShard`. */
  shards?: number;
  /** Sessions that may start at once, one per `shard_id % max_concurrency` per 5 s (Discord's is 1 for most bots). */
  maxConcurrency?: number;
  /** Guilds one shard may hold before IDENTIFY is refused with 4011 Sharding required (Discord's is 2,500). */
  maxGuildsPerShard?: number;
}

export const DISCORD_MAX_GUILDS_PER_SHARD = 2500;
/** Discord starts at most one session per rate limit key in this window. */
export const IDENTIFY_WINDOW_MS = 5000;
/** Session starts a bot may make per day, as GET /gateway/bot reports them. */
export const SESSION_START_TOTAL = 1000;
const DAY_MS = 86_400_000;

/** Throws naming the option when one of these counts is not a whole number of at least 1 (a test's mistake). */
export function checkCounts(counts: Record<string, number | undefined>): void {
  for (const [name, value] of Object.entries(counts)) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new Error(`${name} must be a whole number of at least 1, not ${value}`);
  }
}

/** An unsharded IDENTIFY is shard 0 of 1. */
export const UNSHARDED: ShardTuple = [0, 1];

/** IDENTIFY's `shard` as given, [0, 1] when absent, or undefined when Discord would close with 4010 Invalid shard. */
export function parseShard(value: unknown): ShardTuple | undefined {
  if (value === undefined) return UNSHARDED;
  if (!Array.isArray(value) || value.length !== 2 || !value.every((n) => Number.isInteger(n))) return undefined;
  const [id, count] = value as [number, number];
  return count >= 1 && id >= 0 && id < count ? [id, count] : undefined;
}

/** Whether a session of `shard` receives the events of `guildId`; those of no guild (DMs) go to shard 0. */
export function owns(shard: ShardTuple, guildId: string | undefined): boolean {
  return guildId === undefined ? shard[0] === 0 : shardOf(guildId, shard[1]) === shard[0];
}

/** The shard count GET /gateway/bot recommends for `guildCount` guilds, unless the sandbox was told one. */
export function recommendedShards(options: ShardingOptions, guildCount: number): number {
  return options.shards ?? Math.max(1, Math.ceil(guildCount / (options.maxGuildsPerShard ?? DISCORD_MAX_GUILDS_PER_SHARD)));
}

/** One session start per rate limit key (shard id % max_concurrency) per 5 s; starts are counted against the day's total. */
export class SessionStarts {
  private readonly lastStart = new Map<number, number>();
  private started = 0;

  constructor(private readonly maxConcurrency: number) {}

  /** Whether `shardId` may start a session now; a start that may is counted. */
  tryStart(shardId: number, now: number): boolean {
    const key = shardId % this.maxConcurrency;
    const last = this.lastStart.get(key);
    if (last !== undefined && now - last < IDENTIFY_WINDOW_MS) return false;
    this.lastStart.set(key, now);
    this.started++;
    return true;
  }

  /** GET /gateway/bot's session_start_limit. */
  limit(): { total: number; remaining: number; reset_after: number; max_concurrency: number } {
    return { total: SESSION_START_TOTAL, remaining: Math.max(0, SESSION_START_TOTAL - this.started), reset_after: DAY_MS, max_concurrency: this.maxConcurrency };
  }
}
