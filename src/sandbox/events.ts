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

/** CHANNEL_CREATE, or THREAD_CREATE (with `newly_created`, as for a thread just started) for a thread. */
export function channelCreated({ world, gateway }: EventSources, channel: ChannelRecord): void {
  const wire = world.apiChannel(channel);
  if (isThread(channel)) gateway.dispatch(GatewayDispatchEvents.ThreadCreate, { ...wire, newly_created: true }, GatewayIntentBits.Guilds);
  else gateway.dispatch(GatewayDispatchEvents.ChannelCreate, wire, GatewayIntentBits.Guilds);
}

/**
 * THREAD_DELETE for a thread (only its ids, as Discord sends it), CHANNEL_DELETE for a channel; a channel's threads
 * go with it without events of their own, and discord.js drops them from its cache with their parent.
 */
export function channelDeleted({ world, gateway }: EventSources, channel: ChannelRecord): void {
  if (isThread(channel)) {
    gateway.dispatch(GatewayDispatchEvents.ThreadDelete, { id: channel.id, guild_id: world.guild.id, parent_id: channel.parentId, type: channel.type }, GatewayIntentBits.Guilds);
  } else {
    gateway.dispatch(GatewayDispatchEvents.ChannelDelete, world.apiChannel(channel), GatewayIntentBits.Guilds);
  }
}

export function channelUpdated({ world, gateway }: EventSources, channel: ChannelRecord): void {
  const event = isThread(channel) ? GatewayDispatchEvents.ThreadUpdate : GatewayDispatchEvents.ChannelUpdate;
  gateway.dispatch(event, world.apiChannel(channel), GatewayIntentBits.Guilds);
}

export function messageCreated(sources: EventSources, message: RecordedMessage): void {
  const { world, gateway } = sources;
  gateway.dispatch(GatewayDispatchEvents.MessageCreate, world.apiMessage(message, { guild_id: world.guild.id, member: world.apiMember(world.author(message)) }), GatewayIntentBits.GuildMessages);
  if (message.authorId === undefined) sources.messagePosted(message);
}

export function messageUpdated({ world, gateway }: EventSources, message: RecordedMessage): Record<string, unknown> {
  const wire = world.apiMessage(message);
  gateway.dispatch(GatewayDispatchEvents.MessageUpdate, { ...wire, guild_id: world.guild.id }, GatewayIntentBits.GuildMessages);
  return wire;
}
