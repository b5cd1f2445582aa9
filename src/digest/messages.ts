// A chosen digest as the messages to post: a heading, then the stories in the chosen layout (an embed each, a line
// each in one embed, or plain lines), packed into as few messages as Discord's limits allow, in rank order.
import type { APIEmbed } from 'discord.js';
import type { Story } from './choose.js';
import { storyEmbed } from './embed.js';
import { DEFAULT_DIGEST_TITLE, headingLine } from './header.js';
import { DEFAULT_DIGEST_LAYOUT, DEFAULT_IMAGE_SIZE, DIGEST_LAYOUTS, IMAGE_SIZES, type DigestLayout, type ImageSize } from './layout.js';
import { compactEmbeds } from './layout-compact.js';
import { headlineContents } from './layout-headlines.js';
import { packInOrder } from './pack.js';
import { SNOWFLAKE } from '../discord/snowflake.js';

export interface MessagePayload {
  content?: string;
  /** Empty in the headlines layout. */
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
  /** Defaults to cards, an embed per story. */
  layout?: DigestLayout;
  /** The story pictures of cards and compact digests (headlines have none); defaults to large. */
  images?: ImageSize;
}

interface Message {
  content?: string;
  embeds: APIEmbed[];
  stories: Story[];
}

/** Embeds, each listing some stories, packed into messages; the heading opens the first. */
function embedMessages(shaped: readonly { embed: APIEmbed; stories: Story[] }[], heading: string): Message[] {
  return packInOrder(shaped, (s) => s.embed).map((group, index) => ({
    ...(index === 0 && { content: heading }),
    embeds: group.map((s) => s.embed),
    stories: group.flatMap((s) => s.stories),
  }));
}

const LAYOUTS: Record<DigestLayout, (stories: readonly Story[], images: ImageSize, heading: string) => Message[]> = {
  cards: (stories, images, heading) => embedMessages(stories.map((story) => ({ embed: storyEmbed(story, images), stories: [story] })), heading),
  compact: (stories, images, heading) => embedMessages(compactEmbeds(stories, images), heading),
  headlines: (stories, _images, heading) => headlineContents(stories, heading).map(({ content, stories: listed }) => ({ content, embeds: [], stories: listed })),
};

function checkOptions(options: DigestMessageOptions): void {
  const roleId = options.mentionRoleId ?? null;
  if (roleId !== null && !SNOWFLAKE.test(roleId)) throw new RangeError('mentionRoleId must be a Discord role id (17 to 20 digits)');
  if (options.layout !== undefined && !DIGEST_LAYOUTS.includes(options.layout)) throw new RangeError(`layout must be one of ${DIGEST_LAYOUTS.join(', ')}, not ${String(options.layout)}`);
  if (options.images !== undefined && !IMAGE_SIZES.includes(options.images)) throw new RangeError(`images must be one of ${IMAGE_SIZES.join(', ')}, not ${String(options.images)}`);
}

/**
 * The payloads posting `stories` (none for no story: an empty digest is not posted) and which stories each one
 * carries, so the caller can record a story as sent only once its message went out; a story is never split across
 * two messages. The heading (and the role mention, if any) opens the first message; later ones carry stories only.
 */
export function digestMessages(stories: Story[], options: DigestMessageOptions): { payloads: MessagePayload[]; storiesPerMessage: Story[][] } {
  checkOptions(options);
  if (stories.length === 0) return { payloads: [], storiesPerMessage: [] };
  const roleId = options.mentionRoleId ?? null;
  const heading = headingLine(options.title ?? DEFAULT_DIGEST_TITLE, options.now, options.timezone, roleId);
  const messages = LAYOUTS[options.layout ?? DEFAULT_DIGEST_LAYOUT](stories, options.images ?? DEFAULT_IMAGE_SIZE, heading);
  const payloads = messages.map(({ content, embeds }, index): MessagePayload => ({
    ...(content !== undefined && { content }),
    embeds,
    allowed_mentions: index === 0 && roleId ? { parse: [], roles: [roleId] } : { parse: [] },
  }));
  return { payloads, storiesPerMessage: messages.map((m) => m.stories) };
}
