import { ChannelType, DiscordAPIError, HTTPError, RateLimitError, REST, RESTJSONErrorCodes, Routes, ThreadAutoArchiveDuration } from 'discord.js';
import type { APIMessage, APIThreadChannel, RESTGetAPIGuildThreadsResult } from 'discord.js';
import type { SendResult, Sender } from '../delivery/runs.js';
import type { ForumPosts } from '../delivery/forumPosts.js';
import type { PublishResult, Publisher } from '../delivery/publishing.js';
import type { History, HistoryResult, PostedMessage } from '../delivery/reconcile.js';
import type { DiscordView } from './discordView.js';

type SendFailure = Extract<SendResult, { ok: false }>;

const transient = (reason: string, retryAfterMs?: number): SendFailure => ({ ok: false, permanent: false, reason, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
const permanent = (reason: string): SendFailure => ({ ok: false, permanent: true, reason });

/**
 * What a failed post means for the digest, in words an admin reads in /digest status. Rate limits, Discord's
 * 5xx and network errors pass (discord.js has already retried them); a channel that is gone or forbids the bot will
 * not change by itself; any other 4xx is a body Discord will keep refusing.
 */
function classifySendError(error: unknown): SendFailure {
  if (error instanceof RateLimitError) return transient('rate limited by Discord', error.retryAfter);
  if (error instanceof DiscordAPIError || error instanceof HTTPError) {
    const code = error instanceof DiscordAPIError ? Number(error.code) : null;
    if (code === RESTJSONErrorCodes.UnknownChannel || error.status === 404) return permanent('the channel no longer exists, or the bot can no longer see it');
    if (code === RESTJSONErrorCodes.MissingAccess || code === RESTJSONErrorCodes.MissingPermissions || error.status === 403) {
      return permanent(`the bot may not post in this channel (${error.message}): allow it to View Channel, Send Messages (in a thread or forum: Send Messages in Threads too) and Embed Links there, then run /digest resume`);
    }
    if (code === RESTJSONErrorCodes.ThreadLocked) {
      return permanent('the thread is locked, so only moderators may post in it: unlock it, or move the digest with /digest edit channel:, then run /digest resume');
    }
    if (error.status === 429 || error.status >= 500) return transient(`Discord answered ${error.status}`);
    return permanent(`Discord refused the digest message (${error.status}${code === null ? '' : ` code ${code}`}: ${error.message})`);
  }
  return transient(`could not reach Discord (${error instanceof Error ? error.message : String(error)})`);
}

/**
 * A Sender posting through discord.js's REST client (which handles rate limits and retries 5xx itself).
 * @see https://discord.com/developers/docs/resources/message#create-message
 */
export function discordSender(rest: REST): Sender {
  return async (channelId, body) => {
    try {
      const message = (await rest.post(Routes.channelMessages(channelId), { body })) as { id: string };
      return { ok: true, messageId: message.id };
    } catch (error) {
      return classifySendError(error);
    }
  };
}

// A digest has at most a few messages; a channel that saw more than this many since an interrupted post is rare, and
// the message is then sent again rather than guessed at.
const HISTORY_LIMIT = 100;

/**
 * The channel's latest messages written by `botUserId()` (the bot's own user, known once logged in).
 * @see https://discord.com/developers/docs/resources/message#get-channel-messages
 */
export function discordHistory(rest: REST, botUserId: () => string | undefined): History {
  return async (channelId) => {
    try {
      const messages = (await rest.get(Routes.channelMessages(channelId), { query: new URLSearchParams({ limit: String(HISTORY_LIMIT) }) })) as APIMessage[];
      const me = botUserId();
      return { ok: true, messages: messages.filter((m) => m.author.id === me).map(posted) };
    } catch (error) {
      return readFailure(error);
    }
  };
}

const posted = (message: APIMessage): PostedMessage => ({ id: message.id, content: message.content, embeds: message.embeds });

function readFailure(error: unknown): Extract<HistoryResult, { ok: false }> {
  if (!(error instanceof DiscordAPIError || error instanceof HTTPError)) return { ok: false, reason: classifySendError(error).reason };
  const fix = error.status === 403 ? ': allow the bot to Read Message History in this channel' : '';
  return { ok: false, reason: `Discord answered ${error.status} (${error.message})${fix}` };
}

/**
 * A REST client, on the bot's token, that neither retries nor waits out a rate limit by itself, for the two
 * requests that must not be repeated or held behind discord.js's back: opening a forum post (Discord has no nonce
 * for it, so a retry after a lost answer would open a second post; delivery first looks for the post) and
 * publishing (its bucket, 10 an hour per channel, would hold the channel's digests for up to an hour). A new one
 * for each request: a client that knows a bucket is empty starts a timer for its reset (up to an hour, keeping the
 * process alive) even when it is told to reject rather than wait, and only one that never saw the bucket does not.
 */
function unretriedRest(rest: REST, token: string): () => REST {
  return () => {
    const { api, version, timeout, authPrefix } = rest.options;
    // No sweepers: their timers would keep every one-request client alive.
    return new REST({ api, version, timeout, authPrefix, retries: 0, rejectOnRateLimit: () => true, hashSweepInterval: 0, handlerSweepInterval: 0 }).setToken(token);
  };
}

// The bot's open posts in a forum are a few a day (one per digest run, until Discord archives them); those past
// this many are not read, and a lost post among them would be opened again rather than the forum read at length.
const OPEN_POSTS_READ_MAX = 25;

/**
 * Forum posts through discord.js: whether a channel is a forum (its cache, kept by the Guilds intent), opening a
 * post, and the bot's open posts with their first messages (which carry the post's id).
 * @see https://discord.com/developers/docs/resources/channel#start-thread-in-forum-or-media-channel
 */
function discordForums(view: DiscordView, rest: REST, unretried: () => REST): ForumPosts {
  const firstMessage = async (postId: string): Promise<PostedMessage | undefined> => {
    try {
      return posted((await rest.get(Routes.channelMessage(postId, postId))) as APIMessage);
    } catch (error) {
      // A first message deleted by a moderator: that post is not the one looked for.
      if (error instanceof DiscordAPIError && Number(error.code) === RESTJSONErrorCodes.UnknownMessage) return undefined;
      throw error;
    }
  };
  return {
    isForum: async (channelId) => (await view.channel(channelId))?.type === ChannelType.GuildForum,
    async start(forumId, title, message) {
      // Open at least a day after its last message, so that a run resumed late still finds its post among the open ones.
      const forumDefault = (await view.channel(forumId))?.defaultAutoArchiveDuration;
      const keepOpen = Math.max(forumDefault ?? ThreadAutoArchiveDuration.OneDay, ThreadAutoArchiveDuration.OneDay);
      try {
        const post = (await unretried().post(Routes.threads(forumId), { body: { name: title, auto_archive_duration: keepOpen, message } })) as { id: string };
        return { ok: true, messageId: post.id };
      } catch (error) {
        return classifySendError(error);
      }
    },
    async list(forumId) {
      try {
        const forum = await view.channel(forumId);
        if (!forum?.guildId) return { ok: false, reason: 'the forum is not among the channels the bot sees' };
        const { threads } = (await rest.get(Routes.guildActiveThreads(forum.guildId))) as RESTGetAPIGuildThreadsResult;
        const mine = (threads as APIThreadChannel[]).filter((t) => t.owner_id === view.botUserId() && t.parent_id === forumId).slice(0, OPEN_POSTS_READ_MAX);
        const firsts = await Promise.all(mine.map((post) => firstMessage(post.id)));
        return { ok: true, messages: firsts.filter((m): m is PostedMessage => m !== undefined) };
      } catch (error) {
        return readFailure(error);
      }
    },
  };
}

function classifyPublishError(error: unknown): Extract<PublishResult, { ok: false }> {
  if (error instanceof RateLimitError) return transient('Discord publishes at most 10 messages an hour in a channel', error.retryAfter);
  const code = error instanceof DiscordAPIError ? Number(error.code) : null;
  if (code === RESTJSONErrorCodes.CannotExecuteActionOnThisChannelType) return permanent('the channel is not an announcement channel any more');
  if (error instanceof DiscordAPIError && error.status === 403) return permanent(`the bot may not publish in this channel (${error.message}): allow it to Send Messages there`);
  if (error instanceof DiscordAPIError && error.status === 404) return permanent('the message or its channel was deleted');
  return classifySendError(error);
}

/**
 * Publishes (crossposts) one of the bot's messages in an announcement channel; a message published already (a
 * publication whose record was lost) counts as published.
 * @see https://discord.com/developers/docs/resources/message#crosspost-message
 */
function discordPublisher(unretried: () => REST): Publisher {
  return async (channelId, messageId) => {
    try {
      await unretried().post(Routes.channelMessageCrosspost(channelId, messageId));
      return { ok: true };
    } catch (error) {
      if (error instanceof DiscordAPIError && Number(error.code) === RESTJSONErrorCodes.ThisMessageWasAlreadyCrossposted) return { ok: true };
      return classifyPublishError(error);
    }
  };
}

/** Where digests go beyond a channel's messages: forum posts, and publishing in announcement channels. */
export function discordTargets(view: DiscordView, rest: REST, token: string): { forums: ForumPosts; publish: Publisher } {
  const unretried = unretriedRest(rest, token);
  return { forums: discordForums(view, rest, unretried), publish: discordPublisher(unretried) };
}
