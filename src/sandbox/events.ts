import { GatewayDispatchEvents, GatewayIntentBits } from 'discord.js';
import { isThread, type ChannelRecord } from './channels.js';
import type { Gateway } from './gateway.js';
import type { RecordedMessage, World } from './world.js';

// The gateway events a change of the world sends, in one place for the REST routes and the test-facing API alike,
// so discord.js's caches follow whoever made the change. https://discord.com/developers/docs/events/gateway-events

export interface EventSources {
  world: World;
  gateway: Gateway;
  /** Tells listeners (the terminal prompt, tests) that the bot posted a channel message. */
  messagePosted: (message: RecordedMessage) => void;
}

/** A channel's events go to the shard of its guild, to sessions with the Guilds intent. */
const channelRoute = (channel: ChannelRecord) => ({ guildId: channel.guildId, intent: GatewayIntentBits.Guilds });

/** A message's events go to the shard of its channel's guild, to sessions with the Guild Messages intent. */
function messageRoute(world: World, message: RecordedMessage) {
  return { guildId: world.guildOf(message.channelId)?.id, intent: GatewayIntentBits.GuildMessages };
}

/** CHANNEL_CREATE, or THREAD_CREATE (with `newly_created`, as for a thread just started) for a thread. */
export function channelCreated({ world, gateway }: EventSources, channel: ChannelRecord): void {
  const wire = world.apiChannel(channel);
  if (isThread(channel)) gateway.dispatch(GatewayDispatchEvents.ThreadCreate, { ...wire, newly_created: true }, channelRoute(channel));
  else gateway.dispatch(GatewayDispatchEvents.ChannelCreate, wire, channelRoute(channel));
}

/**
 * THREAD_DELETE for a thread (only its ids, as Discord sends it), CHANNEL_DELETE for a channel; a channel's threads
 * go with it without events of their own, and discord.js drops them from its cache with their parent.
 */
export function channelDeleted({ world, gateway }: EventSources, channel: ChannelRecord): void {
  if (isThread(channel)) {
    gateway.dispatch(GatewayDispatchEvents.ThreadDelete, { id: channel.id, guild_id: channel.guildId, parent_id: channel.parentId, type: channel.type }, channelRoute(channel));
  } else {
    gateway.dispatch(GatewayDispatchEvents.ChannelDelete, world.apiChannel(channel), channelRoute(channel));
  }
}

export function channelUpdated({ world, gateway }: EventSources, channel: ChannelRecord): void {
  const event = isThread(channel) ? GatewayDispatchEvents.ThreadUpdate : GatewayDispatchEvents.ChannelUpdate;
  gateway.dispatch(event, world.apiChannel(channel), channelRoute(channel));
}

export function messageCreated(sources: EventSources, message: RecordedMessage): void {
  const { world, gateway } = sources;
  const route = messageRoute(world, message);
  const member = route.guildId === undefined ? {} : { guild_id: route.guildId, member: world.apiMember(world.author(message), route.guildId) };
  gateway.dispatch(GatewayDispatchEvents.MessageCreate, world.apiMessage(message, member), route);
  if (message.authorId === undefined) sources.messagePosted(message);
}

export function messageUpdated({ world, gateway }: EventSources, message: RecordedMessage): Record<string, unknown> {
  const wire = world.apiMessage(message);
  const route = messageRoute(world, message);
  gateway.dispatch(GatewayDispatchEvents.MessageUpdate, { ...wire, guild_id: route.guildId }, route);
  return wire;
}

/** MESSAGE_DELETE, to the shard of the channel's guild. */
export function messageDeleted({ world, gateway }: EventSources, message: RecordedMessage): void {
  const route = messageRoute(world, message);
  gateway.dispatch(GatewayDispatchEvents.MessageDelete, { id: message.id, channel_id: message.channelId, guild_id: route.guildId }, route);
}

/** GUILD_CREATE for a guild the bot just joined, to the shard that owns it. */
export function guildJoined({ world, gateway }: EventSources, guildId: string): void {
  gateway.dispatch(GatewayDispatchEvents.GuildCreate, world.apiGuild(guildId), { guildId });
}
