import { ChannelType, OverwriteType, PermissionFlagsBits, ThreadAutoArchiveDuration } from 'discord.js';
import { isParentType, isThread, THREAD_TYPES_IN, type ChannelRecord, type SandboxChannelType } from './channels.js';
import type { Overwrite } from './permissions.js';
import { snowflakeTime } from './snowflake.js';

// What a test (or a REST route) asks for when it adds a channel or thread, and the record that becomes.

export interface ChannelSpec {
  name: string;
  /** The guild to add it to: the sandbox's first by default; a thread is always in its parent's. */
  guildId?: string;
  /** A text channel by default. */
  type?: SandboxChannelType;
  /** Required for a thread: the text, announcement or forum channel it is in. */
  parentId?: string;
  /** false: the bot may read but not post (a member overwrite denying Send Messages, in threads too). */
  botCanSend?: boolean;
  /** More of the bot's own overwrite on a channel (threads take their parent's). */
  botAllow?: bigint;
  botDeny?: bigint;
  /** A forum's tags, by name. */
  availableTags?: string[];
  archived?: boolean;
  locked?: boolean;
  autoArchiveDuration?: ThreadAutoArchiveDuration;
  /** Who started a thread; the admin member by default. */
  ownerId?: string;
  /** A thread started from a message has that message's id. */
  id?: string;
  appliedTags?: string[];
  invitable?: boolean;
  rateLimitPerUser?: number;
}

// A channel the bot can read but not post in: the member-level overwrite Discord applies for "locked" channels.
const LOCKED_DENY = PermissionFlagsBits.SendMessages | PermissionFlagsBits.SendMessagesInThreads;

export interface ChannelBuildContext {
  id: string;
  guildId: string;
  position: number;
  /** The channel `spec.parentId` names, if it exists. */
  parent: ChannelRecord | undefined;
  botId: string;
  defaultOwnerId: string;
  nextId: () => string;
}

/** The record for `spec`; a spec Discord could not have (a thread without a fitting parent, …) throws naming the mistake. */
export function buildChannel(spec: ChannelSpec, context: ChannelBuildContext): ChannelRecord {
  const type = spec.type ?? ChannelType.GuildText;
  const base = { id: context.id, guildId: context.guildId, name: spec.name, type, rateLimitPerUser: spec.rateLimitPerUser ?? 0, position: context.position };
  if (isThread({ type })) {
    const { parent } = context;
    if (!parent || !isParentType(parent.type) || !THREAD_TYPES_IN[parent.type].includes(type as never)) {
      throw new Error(`a thread of type ${type} needs as parentId a channel that holds it (text: 11 or 12, announcement: 10, forum: 11)`);
    }
    if (spec.botCanSend !== undefined || spec.botAllow !== undefined || spec.botDeny !== undefined) throw new Error('a thread takes its parent\'s permissions: set them on the parent');
    const created = new Date(snowflakeTime(context.id)).toISOString();
    const ownerId = spec.ownerId ?? context.defaultOwnerId;
    return {
      ...base, parentId: parent.id, overwrites: [],
      thread: {
        archived: spec.archived ?? false, locked: spec.locked ?? false, autoArchiveDuration: spec.autoArchiveDuration ?? ThreadAutoArchiveDuration.OneDay,
        archiveTimestamp: created, createTimestamp: created, ownerId, members: new Map([[ownerId, created]]), appliedTags: spec.appliedTags ?? [],
        totalMessageSent: 0, invitable: spec.invitable ?? true,
      },
    };
  }
  if (spec.parentId !== undefined) throw new Error('only threads have a parentId here (the sandbox has no categories)');
  if (spec.availableTags && type !== ChannelType.GuildForum) throw new Error('only a forum has availableTags');
  const deny = (spec.botCanSend === false ? LOCKED_DENY : 0n) | (spec.botDeny ?? 0n);
  const allow = spec.botAllow ?? 0n;
  const overwrites: Overwrite[] = deny || allow ? [{ id: context.botId, type: OverwriteType.Member, allow, deny }] : [];
  return {
    ...base, parentId: null, overwrites,
    ...(type === ChannelType.GuildForum ? { availableTags: (spec.availableTags ?? []).map((name) => ({ id: context.nextId(), name })) } : {}),
  };
}
