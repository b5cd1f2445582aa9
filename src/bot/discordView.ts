// What delivery needs to know of Discord beyond posting: the bot's own user, and a channel's kind and server. A
// process holding a gateway connection reads them from discord.js's cache (kept by the Guilds intent); a scheduler,
// which has none, asks REST once and remembers.
import { ChannelType, DiscordAPIError, Routes } from 'discord.js';
import type { APIChannel, APIUser, Client, REST } from 'discord.js';

export interface ChannelFacts {
  type: ChannelType;
  guildId: string | null;
  /** A forum's default for how long its posts stay open, in minutes. */
  defaultAutoArchiveDuration: number | null;
}

export interface DiscordView {
  /** The bot's user id, known once logged in (gateway) or looked up (REST). */
  botUserId(): string | undefined;
  /** The channel's facts, or undefined when the bot cannot see it. */
  channel(channelId: string): Promise<ChannelFacts | undefined>;
}

/** The gateway's view: discord.js's cache. */
export function gatewayView(client: Client): DiscordView {
  return {
    botUserId: () => client.user?.id,
    channel: async (channelId) => {
      const channel = client.channels.cache.get(channelId);
      if (!channel) return undefined;
      return {
        type: channel.type,
        guildId: channel.isDMBased() ? null : channel.guildId,
        defaultAutoArchiveDuration: channel.type === ChannelType.GuildForum ? channel.defaultAutoArchiveDuration : null,
      };
    },
  };
}

// A channel's kind changes only when an admin converts it (text ↔ announcement): looked up again after this long.
const CHANNEL_FACTS_TTL_MS = 10 * 60_000;

/**
 * A view over REST alone, for a process with no gateway connection. `start` looks up the bot's user.
 * @see https://discord.com/developers/docs/resources/user#get-current-user
 * @see https://discord.com/developers/docs/resources/channel#get-channel
 */
export async function restView(rest: REST, now: () => number = Date.now): Promise<DiscordView> {
  const me = (await rest.get(Routes.user('@me'))) as APIUser;
  const known = new Map<string, { facts: ChannelFacts | undefined; until: number }>();
  const remember = (channelId: string, facts: ChannelFacts | undefined) => known.set(channelId, { facts, until: now() + CHANNEL_FACTS_TTL_MS });
  // Every request counts against the token's 50 per second, the posts too: a scheduler that looked up each of 500
  // channels of one server spent as many requests on that as on the digests, and took twice as long to post them.
  // Once a second channel of a server is looked up, the server's channels are listed in one request instead, as a
  // gateway connection knows them all: hidden ones too (delivery finds those out when it posts, as it does there).
  const looked = new Map<string, number>();
  const listedUntil = new Map<string, number>();
  const listGuild = async (guildId: string): Promise<void> => {
    if ((listedUntil.get(guildId) ?? 0) > now()) return;
    listedUntil.set(guildId, now() + CHANNEL_FACTS_TTL_MS);
    await (rest.get(Routes.guildChannels(guildId)) as Promise<APIChannelWithGuild[]>).then(
      (channels) => channels.forEach((channel) => remember(channel.id, factsOf(channel))),
      // Only a shortcut: without it each channel is looked up on its own, as before.
      () => undefined,
    );
  };
  return {
    botUserId: () => me.id,
    channel: async (channelId) => {
      const cached = known.get(channelId);
      if (cached && cached.until > now()) return cached.facts;
      let facts: ChannelFacts | undefined;
      try {
        facts = factsOf((await rest.get(Routes.channel(channelId))) as APIChannelWithGuild);
      } catch (error) {
        // Unknown or hidden: delivery finds out when it posts, and says why there. Anything else (Discord or the network
        // failing) is not an answer, and the run waits for the next attempt.
        if (!(error instanceof DiscordAPIError && (error.status === 403 || error.status === 404))) throw error;
        facts = undefined;
      }
      remember(channelId, facts);
      const guildId = facts?.guildId;
      if (guildId) {
        looked.set(guildId, (looked.get(guildId) ?? 0) + 1);
        if (looked.get(guildId)! >= 2) await listGuild(guildId);
      }
      return facts;
    },
  };
}

type APIChannelWithGuild = APIChannel & { guild_id?: string; default_auto_archive_duration?: number };

function factsOf(channel: APIChannelWithGuild): ChannelFacts {
  return { type: channel.type, guildId: channel.guild_id ?? null, defaultAutoArchiveDuration: channel.default_auto_archive_duration ?? null };
}
