// Packing a digest's parts (embeds, or lines of text) into as few messages or embeds as Discord allows, keeping
// their order.
import type { APIEmbed } from 'discord.js';
import { MESSAGE_EMBED_TEXT_MAX, MESSAGE_EMBEDS_MAX } from '../discord/limits.js';

/** The characters of an embed that count towards a message's embed-text limit, as Discord counts them. */
export function embedTextLength(embed: APIEmbed): number {
  let length = (embed.title?.length ?? 0) + (embed.description?.length ?? 0);
  length += (embed.author?.name.length ?? 0) + (embed.footer?.text.length ?? 0);
  for (const field of embed.fields ?? []) length += field.name.length + field.value.length;
  return length;
}

interface Room {
  items: number;
  length: number;
}

/**
 * Greedy in-order packing: each group takes items while `roomOf(its index)` has room for their count and summed
 * length. Throws on an item that could not fit even alone, since sending it would fail and dropping it would lose
 * a story silently.
 */
function packGreedy<T>(items: readonly T[], lengthOf: (item: T) => number, roomOf: (group: number) => Room, what: string): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const item of items) {
    const length = lengthOf(item);
    let room = roomOf(groups.length);
    if (current.length > 0 && (current.length === room.items || used + length > room.length)) {
      groups.push(current);
      current = [];
      used = 0;
      room = roomOf(groups.length);
    }
    if (length > room.length) throw new RangeError(`${what} holds ${length} characters, more than fit where it goes (${room.length})`);
    current.push(item);
    used += length;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Splits `items` (each carrying one embed) into consecutive groups that each fit one message: at most
 * MESSAGE_EMBEDS_MAX embeds and MESSAGE_EMBED_TEXT_MAX characters of embed text.
 */
export function packInOrder<T>(items: readonly T[], embedOf: (item: T) => APIEmbed): T[][] {
  const room = { items: MESSAGE_EMBEDS_MAX, length: MESSAGE_EMBED_TEXT_MAX };
  return packGreedy(items, (item) => embedTextLength(embedOf(item)), () => room, 'an embed');
}

/**
 * Splits `items` (each one line of text) into consecutive groups whose lines, joined by newlines, are at most
 * `roomOf(group index)` characters: the first group may have less room, since a heading shares its message.
 */
export function packLines<T>(items: readonly T[], lineOf: (item: T) => string, roomOf: (group: number) => number): T[][] {
  // Each line is counted with the newline before it; the first line of a group has none, hence the +1 of room.
  return packGreedy(items, (item) => lineOf(item).length + 1, (group) => ({ items: Infinity, length: roomOf(group) + 1 }), 'a line');
}
