import { Client, Events, GatewayDispatchEvents, GatewayIntentBits, type Interaction } from 'discord.js';
import type { DiscordSandbox } from '../../src/sandbox/server.js';

/** A gateway event a client received: which, on which of its shards, and the guild it was about. */
export interface SeenEvent {
  t: string;
  shardId: number;
  guildId: string | undefined;
  /** The event's object id (the guild's, channel's, message's or interaction's). */
  id: string | undefined;
}

export interface ShardedClient {
  client: Client;
  /** Every dispatch of the events the sandbox routes by guild, in arrival order. */
  seen: SeenEvent[];
  close(): Promise<void>;
}

const WATCHED = [
  GatewayDispatchEvents.GuildCreate, GatewayDispatchEvents.ChannelCreate, GatewayDispatchEvents.ThreadCreate,
  GatewayDispatchEvents.MessageCreate, GatewayDispatchEvents.InteractionCreate,
];

export interface ShardedClientOptions {
  /** Which shards this client holds ('auto': as many as GET /gateway/bot recommends). */
  shards: number[] | 'auto';
  shardCount?: number;
  onInteraction?: (interaction: Interaction) => Promise<unknown>;
}

/** The real discord.js client, not yet logged in, holding `shards` of the sandbox's bot and recording what each receives. */
export function shardedClient(sandbox: DiscordSandbox, options: ShardedClientOptions): ShardedClient {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages], rest: { api: sandbox.apiUrl },
    shards: options.shards, ...(options.shardCount === undefined ? {} : { shardCount: options.shardCount }),
  });
  const seen: SeenEvent[] = [];
  for (const t of WATCHED) {
    client.ws.on(t, (data: { id?: string; guild_id?: string }, shardId: number) => {
      seen.push({ t, shardId, guildId: t === GatewayDispatchEvents.GuildCreate ? data.id : data.guild_id, id: data.id });
    });
  }
  if (options.onInteraction) client.on(Events.InteractionCreate, (interaction) => void options.onInteraction!(interaction));
  return { client, seen, close: () => client.destroy() };
}

/** Logs the client in and resolves once discord.js is ready: every shard identified and every guild of theirs arrived. */
export async function connect(sandbox: DiscordSandbox, sharded: ShardedClient): Promise<void> {
  const ready = new Promise<void>((resolve) => sharded.client.once(Events.ClientReady, () => resolve()));
  await sharded.client.login(sandbox.token);
  await ready;
}

/** The shard Discord gives a guild's events: (guild_id >> 22) % shard_count, computed here apart from the sandbox's own. */
export const expectedShard = (guildId: string, shardCount: number): number => Number((BigInt(guildId) >> 22n) % BigInt(shardCount));

/** Resolves once `condition` holds, or fails naming `what` after `limitMs`. */
export async function waitFor(condition: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
