import { DiscordAPIError, HTTPError, RateLimitError, RESTJSONErrorCodes, Routes } from 'discord.js';
import type { REST } from 'discord.js';
import type { APIMessage } from 'discord.js';
import type { SendResult, Sender } from '../delivery/exactlyOnce.js';
import type { History } from '../delivery/reconcile.js';

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
      return permanent(`the bot may not post in this channel (${error.message}): allow it to view the channel, send messages and embed links, then run /digest resume`);
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
      return { ok: true, messages: messages.filter((m) => m.author.id === me).map((m) => ({ id: m.id, content: m.content, embeds: m.embeds })) };
    } catch (error) {
      if (!(error instanceof DiscordAPIError || error instanceof HTTPError)) return { ok: false, reason: classifySendError(error).reason };
      const fix = error.status === 403 ? ': allow the bot to Read Message History in this channel' : '';
      return { ok: false, reason: `Discord answered ${error.status} (${error.message})${fix}` };
    }
  };
}
