// Reply builders: every message the bot sends goes through here, so none can ping and each is sized for Discord.
import { MessageFlags } from 'discord.js';
import type { APIEmbed, APIActionRowComponent, APIComponentInMessageActionRow, InteractionReplyOptions, InteractionUpdateOptions } from 'discord.js';
import { MESSAGE_CONTENT_MAX } from '../discord/limits.js';
import { truncate } from '../util/text.js';

/** What a handler answers: the message body, and whether only the member who asked sees it. */
export interface Reply {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
  ephemeral?: boolean;
}

/** Mentions in the bot's text (a channel, a role in /digest status) stay text: nobody is ever pinged by a reply. */
export const NO_PINGS = { parse: [] as [] };

/** Brand colour of Newsdesk embeds. */
export const EMBED_COLOR = 0x2f6fdf;

/** A short answer only the member sees: a refusal, a confirmation, an explanation. */
export function notice(content: string): Reply {
  return { content: truncate(content, MESSAGE_CONTENT_MAX), ephemeral: true };
}

/** What the member sees when something broke on our side; the detail goes to the log. */
export const FAILURE = notice('Sorry, something went wrong on my side. Please try again in a moment.');

/** The options discord.js sends for a first answer (callback type 4). */
export function toReplyOptions(reply: Reply): InteractionReplyOptions {
  return {
    content: reply.content,
    embeds: reply.embeds ?? [],
    components: reply.components ?? [],
    allowedMentions: NO_PINGS,
    ...(reply.ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
  };
}

/** The options for editing the deferred reply or the message a button sits on (ephemerality cannot change there). */
export function toEditOptions(reply: Reply): InteractionUpdateOptions {
  return { content: reply.content ?? '', embeds: reply.embeds ?? [], components: reply.components ?? [], allowedMentions: NO_PINGS };
}
