// A chosen digest as the messages to post: a heading, then one embed per story, packed into as few messages as
// Discord's limits allow, in rank order.
import type { APIEmbed } from 'discord.js';
import { MESSAGE_CONTENT_MAX } from '../discord/limits.js';
import { displayText } from '../util/text.js';
import type { Story } from './choose.js';
import { storyEmbed } from './embed.js';
import { DEFAULT_DIGEST_TITLE, digestHeading } from './header.js';
import { packInOrder } from './pack.js';
import { SNOWFLAKE } from '../discord/snowflake.js';

export interface MessagePayload {
  content?: string;
  embeds: APIEmbed[];
  /** Never parses mentions out of text; only an opted-in digest names its one role. */
  allowed_mentions: { parse: []; roles?: string[] };
}

export interface DigestMessageOptions {
  now: Date;
  /** IANA time zone of the channel, for the date in the heading. */
  timezone: string;
  /** Defaults to "Daily digest". */
  title?: string;
  /** A role to ping with the first message (the channel opted in during setup). */
  mentionRoleId?: string | null;
}

// Room left for "<@&id> " before the heading in a message's content.
const HEADING_MAX = MESSAGE_CONTENT_MAX - 32;

/**
 * The payloads posting `stories` (none for no story: an empty digest is not posted) and which stories each one
 * carries, so the caller can record a story as sent only once its message went out. The heading (and the role
 * mention, if any) is the first message's content; later messages carry embeds only.
 */
export function digestMessages(stories: Story[], options: DigestMessageOptions): { payloads: MessagePayload[]; storiesPerMessage: Story[][] } {
  const roleId = options.mentionRoleId ?? null;
  if (roleId !== null && !SNOWFLAKE.test(roleId)) throw new RangeError('mentionRoleId must be a Discord role id (17 to 20 digits)');
  if (stories.length === 0) return { payloads: [], storiesPerMessage: [] };
  const heading = displayText(digestHeading(options.title ?? DEFAULT_DIGEST_TITLE, options.now, options.timezone), HEADING_MAX);
  const shaped = stories.map((story) => ({ story, embed: storyEmbed(story) }));
  const groups = packInOrder(shaped, (s) => s.embed);
  const payloads = groups.map((group, index): MessagePayload => {
    const payload: MessagePayload = { embeds: group.map((s) => s.embed), allowed_mentions: { parse: [] } };
    if (index > 0) return payload;
    payload.content = roleId ? `<@&${roleId}> **${heading}**` : `**${heading}**`;
    if (roleId) payload.allowed_mentions = { parse: [], roles: [roleId] };
    return payload;
  });
  return { payloads, storiesPerMessage: groups.map((group) => group.map((s) => s.story)) };
}
