import { ChannelType, PermissionFlagsBits, RESTJSONErrorCodes } from 'discord.js';
import { isThread, type ChannelRecord } from '../channels.js';
import { httpError } from '../errors.js';
import type { RecordedMessage } from '../world.js';
import type { RouteContext } from './route.js';

// What the channel routes check before they act, with Discord's answers: the channel and message exist, the bot
// sees the channel and holds the permission, and the channel takes messages at all.

export function channelOf({ core, params }: RouteContext): ChannelRecord {
  const channel = core.world.channel(params.channel!);
  if (!channel) throw httpError(404, RESTJSONErrorCodes.UnknownChannel, 'Unknown Channel');
  return channel;
}

export function messageOf(context: RouteContext, channel = channelOf(context)): RecordedMessage {
  const message = context.core.world.findMessage(channel.id, context.params.message!);
  if (!message) throw httpError(404, RESTJSONErrorCodes.UnknownMessage, 'Unknown Message');
  return message;
}

/** 403 Missing Access when the bot cannot see the channel, 403 Missing Permissions when it lacks one of `required`. */
export function requirePermissions({ core }: RouteContext, channel: ChannelRecord, required: bigint): void {
  const held = core.world.permissions(core.world.bot, channel.id);
  if (!(held & PermissionFlagsBits.ViewChannel)) throw httpError(403, RESTJSONErrorCodes.MissingAccess, 'Missing Access');
  if ((held & required) !== required) throw httpError(403, RESTJSONErrorCodes.MissingPermissions, 'Missing Permissions');
}

export function holds({ core }: RouteContext, channel: ChannelRecord, permission: bigint): boolean {
  return (core.world.permissions(core.world.bot, channel.id) & permission) === permission;
}

/**
 * Whether the bot may post a message in `channel`, as Discord decides: a forum takes posts (threads), never
 * messages; in a thread Send Messages in Threads counts and Send Messages does not; a locked thread refuses
 * anyone without Manage Threads. Returns whether posting unarchives the thread, which Discord does for an archived
 * one that is not locked.
 */
export function checkCanPost(context: RouteContext, channel: ChannelRecord): { unarchives: boolean } {
  if (channel.type === ChannelType.GuildForum) throw httpError(400, RESTJSONErrorCodes.CannotSendAMessageInAForumChannel, 'Cannot send a message in a forum channel');
  if (!isThread(channel)) {
    requirePermissions(context, channel, PermissionFlagsBits.SendMessages);
    return { unarchives: false };
  }
  requirePermissions(context, channel, PermissionFlagsBits.SendMessagesInThreads);
  if (channel.thread.locked && !holds(context, channel, PermissionFlagsBits.ManageThreads)) throw httpError(400, RESTJSONErrorCodes.ThreadLocked, 'Thread is locked');
  return { unarchives: channel.thread.archived };
}
