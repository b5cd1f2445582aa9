import { ChannelType, type ThreadAutoArchiveDuration } from 'discord.js';
import { wireOverwrite, type Overwrite } from './permissions.js';

// The kinds of channel the sandbox models and their wire shapes: text and announcement channels, forums (which
// hold only threads), and the threads inside them. https://discord.com/developers/docs/resources/channel
// https://discord.com/developers/docs/topics/threads

export type ParentChannelType = ChannelType.GuildText | ChannelType.GuildAnnouncement | ChannelType.GuildForum;
export type ThreadChannelType = ChannelType.PublicThread | ChannelType.AnnouncementThread | ChannelType.PrivateThread;
export type SandboxChannelType = ParentChannelType | ThreadChannelType;

export interface ForumTag {
  id: string;
  name: string;
}

export interface ThreadState {
  archived: boolean;
  locked: boolean;
  autoArchiveDuration: ThreadAutoArchiveDuration;
  /** When it was created, archived or unarchived (ISO), as Discord's archive_timestamp. */
  archiveTimestamp: string;
  createTimestamp: string;
  ownerId: string;
  /** Who joined and when (ISO): the creator, and whoever posts in it. */
  members: Map<string, string>;
  appliedTags: string[];
  /** Messages ever sent in it, deleted ones included, the starter of a forum post not (Discord's total_message_sent). */
  totalMessageSent: number;
  invitable: boolean;
}

export interface ChannelRecord {
  id: string;
  /** The guild it is in (a thread is in its parent's). */
  guildId: string;
  name: string;
  type: SandboxChannelType;
  position: number;
  /** The channel a thread is in; null for the others (the sandbox has no categories). */
  parentId: string | null;
  /** Empty for threads: they take their parent's. */
  overwrites: Overwrite[];
  rateLimitPerUser: number;
  /** Set exactly for threads. */
  thread?: ThreadState;
  /** Set exactly for forums. */
  availableTags?: ForumTag[];
}

const THREAD_TYPES: ReadonlySet<number> = new Set([ChannelType.PublicThread, ChannelType.AnnouncementThread, ChannelType.PrivateThread]);

export function isThread(channel: { type: number }): channel is ChannelRecord & { thread: ThreadState; parentId: string } {
  return THREAD_TYPES.has(channel.type);
}

/**
 * The thread types each parent may hold, the first being what a thread started from a message (or a forum post)
 * becomes: public threads in text channels and forums, announcement threads in announcement channels.
 */
export const THREAD_TYPES_IN: Readonly<Record<ParentChannelType, readonly ThreadChannelType[]>> = {
  [ChannelType.GuildText]: [ChannelType.PublicThread, ChannelType.PrivateThread],
  [ChannelType.GuildAnnouncement]: [ChannelType.AnnouncementThread],
  [ChannelType.GuildForum]: [ChannelType.PublicThread],
};

export function isParentType(type: number): type is ParentChannelType {
  return type in THREAD_TYPES_IN;
}

/** What the wire shape needs from the rest of the world. */
export interface ChannelContext {
  botId: string;
  lastMessageId: string | null;
  /** Messages in it now (for a forum post, without its starter message). */
  messageCount: number;
  /** The parent's type, for a thread. */
  parentType?: number;
}

/** A channel object as Discord sends it (GUILD_CREATE, CHANNEL_CREATE, GET /channels/{id}, thread answers). */
export function channelWire(channel: ChannelRecord, context: ChannelContext): Record<string, unknown> {
  const common = {
    id: channel.id, type: channel.type, guild_id: channel.guildId, name: channel.name, parent_id: channel.parentId,
    last_message_id: context.lastMessageId, rate_limit_per_user: channel.rateLimitPerUser, flags: 0,
  };
  if (isThread(channel)) return { ...common, ...threadFields(channel.thread, channel, context) };
  return {
    ...common, position: channel.position, topic: null, nsfw: false, permission_overwrites: channel.overwrites.map(wireOverwrite),
    ...(channel.availableTags ? {
      available_tags: channel.availableTags.map((t) => ({ id: t.id, name: t.name, moderated: false, emoji_id: null, emoji_name: null })),
      default_reaction_emoji: null, default_sort_order: null, default_forum_layout: 0, default_thread_rate_limit_per_user: 0,
    } : {}),
  };
}

function threadFields(thread: ThreadState, channel: ChannelRecord, context: ChannelContext): Record<string, unknown> {
  const joined = thread.members.get(context.botId);
  return {
    owner_id: thread.ownerId,
    thread_metadata: {
      archived: thread.archived, archive_timestamp: thread.archiveTimestamp, auto_archive_duration: thread.autoArchiveDuration,
      locked: thread.locked, create_timestamp: thread.createTimestamp,
      ...(channel.type === ChannelType.PrivateThread ? { invitable: thread.invitable } : {}),
    },
    message_count: context.messageCount, member_count: thread.members.size, total_message_sent: thread.totalMessageSent,
    ...(context.parentType === ChannelType.GuildForum ? { applied_tags: thread.appliedTags } : {}),
    ...(joined === undefined ? {} : { member: { id: channel.id, user_id: context.botId, join_timestamp: joined, flags: 0 } }),
  };
}
