import { ChannelType, MessageFlags, PermissionFlagsBits, RESTJSONErrorCodes } from 'discord.js';
import { isParentType, isThread, THREAD_TYPES_IN, type ChannelRecord, type ThreadChannelType } from '../channels.js';
import type { ChannelSpec } from '../channelSpec.js';
import { httpError } from '../errors.js';
import { channelCreated, messageCreated, messageUpdated } from '../events.js';
import { forumThreadSchema, threadFromMessageSchema, threadWithoutMessageSchema } from '../threadValidation.js';
import { isEmptyMessage } from '../validation.js';
import { channelOf, messageOf, requirePermissions } from './access.js';
import { ok, parseBody, type Route, type RouteContext, type RouteResult } from './route.js';
import { guildOf } from './session.js';

// Starting threads: from a message, without one, and forum posts (a thread with its first message), each answered
// 201 with the thread and announced with THREAD_CREATE. https://discord.com/developers/docs/resources/channel#start-thread-from-message

interface ThreadBody {
  name: string;
  auto_archive_duration?: ChannelSpec['autoArchiveDuration'] | null;
  rate_limit_per_user?: number | null;
}

function startThread(c: RouteContext, parent: ChannelRecord, type: ThreadChannelType, body: ThreadBody, extra: Partial<ChannelSpec> = {}): ChannelRecord {
  const thread = c.core.world.addChannel({
    name: body.name, type, parentId: parent.id, ownerId: c.core.world.bot.id,
    autoArchiveDuration: body.auto_archive_duration ?? undefined, rateLimitPerUser: body.rate_limit_per_user ?? undefined, ...extra,
  });
  channelCreated(c.core, thread);
  return thread;
}

const created = (body: unknown): RouteResult => ({ status: 201, body });

/** The parent of a new thread: a text, announcement or forum channel, never a thread. */
function parentOf(c: RouteContext): ChannelRecord & { type: ChannelType.GuildText | ChannelType.GuildAnnouncement | ChannelType.GuildForum } {
  const channel = channelOf(c);
  if (isThread(channel) || !isParentType(channel.type)) throw httpError(400, RESTJSONErrorCodes.CannotExecuteActionOnThisChannelType, 'Cannot execute action on this channel type');
  return channel as ReturnType<typeof parentOf>;
}

/**
 * A forum post: Send Messages in the forum is what counts (Create Public Threads is ignored), and the thread's
 * first message, posted with it, has the thread's id. The answer is the thread with that message inside.
 */
function startForumPost(c: RouteContext, forum: ChannelRecord): RouteResult {
  const { world } = c.core;
  requirePermissions(c, forum, PermissionFlagsBits.SendMessages);
  const body = parseBody(forumThreadSchema, c.body);
  if (isEmptyMessage(body.message)) throw httpError(400, RESTJSONErrorCodes.CannotSendAnEmptyMessage, 'Cannot send an empty message');
  const thread = startThread(c, forum, ChannelType.PublicThread, body, { appliedTags: (body.applied_tags ?? []).map(String) });
  const { message } = world.postMessage(thread.id, body.message, c.now, { id: thread.id });
  messageCreated(c.core, message);
  return created({ ...world.apiChannel(thread), message: world.apiMessage(message) });
}

export const threadRoutes: Route[] = [
  {
    method: 'POST', pattern: '/channels/:channel/threads', auth: true,
    handle: (c) => {
      const parent = parentOf(c);
      if (parent.type === ChannelType.GuildForum) return startForumPost(c, parent);
      const body = parseBody(threadWithoutMessageSchema(THREAD_TYPES_IN[parent.type]), c.body);
      const permission = body.type === ChannelType.PrivateThread ? PermissionFlagsBits.CreatePrivateThreads : PermissionFlagsBits.CreatePublicThreads;
      requirePermissions(c, parent, permission);
      const thread = startThread(c, parent, body.type, body, { invitable: body.invitable ?? true });
      return created(c.core.world.apiChannel(thread));
    },
  },
  {
    // The thread takes the message's id, so a message starts one thread at most; the message is marked as having it.
    method: 'POST', pattern: '/channels/:channel/messages/:message/threads', auth: true,
    handle: (c) => {
      const parent = parentOf(c);
      const message = messageOf(c, parent);
      const body = parseBody(threadFromMessageSchema, c.body);
      requirePermissions(c, parent, PermissionFlagsBits.CreatePublicThreads);
      if ((message.discordFlags ?? 0) & MessageFlags.HasThread) throw httpError(400, RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage, 'A thread has already been created for this message');
      // A forum holds no messages, so messageOf has already answered Unknown Message there.
      const thread = startThread(c, parent, THREAD_TYPES_IN[parent.type][0]!, body, { id: message.id });
      message.discordFlags = (message.discordFlags ?? 0) | MessageFlags.HasThread;
      messageUpdated(c.core, message);
      return created(c.core.world.apiChannel(thread));
    },
  },
  {
    method: 'GET', pattern: '/guilds/:guild/threads/active', auth: true,
    handle: (c) => {
      const { world } = c.core;
      // Newest first, and all of them in one answer.
      const threads = world.activeThreads(guildOf(c)).reverse().map((t) => world.apiChannel(t));
      const members = threads.flatMap((t) => (t.member ? [t.member] : []));
      return ok({ threads, members, has_more: false });
    },
  },
];
