// Packing embeds into as few messages as Discord allows, keeping their order.
import type { APIEmbed } from 'discord.js';
import { MESSAGE_EMBED_TEXT_MAX, MESSAGE_EMBEDS_MAX } from '../discord/limits.js';

/** The characters of an embed that count towards a message's embed-text limit, as Discord counts them. */
export function embedTextLength(embed: APIEmbed): number {
  let length = (embed.title?.length ?? 0) + (embed.description?.length ?? 0);
  length += (embed.author?.name.length ?? 0) + (embed.footer?.text.length ?? 0);
  for (const field of embed.fields ?? []) length += field.name.length + field.value.length;
  return length;
}

/**
 * Splits `items` (each carrying one embed) into consecutive groups that each fit one message: at most
 * MESSAGE_EMBEDS_MAX embeds and MESSAGE_EMBED_TEXT_MAX characters of embed text. Throws on an embed that could not
 * fit even alone, since sending it would fail and dropping it would lose a story silently.
 */
export function packInOrder<T>(items: readonly T[], embedOf: (item: T) => APIEmbed): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let text = 0;
  for (const item of items) {
    const length = embedTextLength(embedOf(item));
    if (length > MESSAGE_EMBED_TEXT_MAX) throw new RangeError(`an embed holds ${length} characters of text, more than a message allows`);
    if (current.length === MESSAGE_EMBEDS_MAX || text + length > MESSAGE_EMBED_TEXT_MAX) {
      groups.push(current);
      current = [];
      text = 0;
    }
    current.push(item);
    text += length;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
