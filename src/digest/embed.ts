// One story as one Discord embed (the cards layout): the article's title and link, a short excerpt, its outlet, its
// picture, the other outlets that covered it, its topics and its time.
import type { APIEmbed, APIEmbedField } from 'discord.js';
import type { Article, RelatedCoverage } from '../articles/types.js';
import {
  EMBED_AUTHOR_NAME_MAX,
  EMBED_DESCRIPTION_MAX,
  EMBED_FIELD_VALUE_MAX,
  EMBED_FOOTER_TEXT_MAX,
  EMBED_TITLE_MAX,
} from '../discord/limits.js';
import { cleanText, displayText, escapeText, truncate } from '../util/text.js';
import type { Story } from './choose.js';
import { outletHost } from './coverage.js';
import { DEFAULT_IMAGE_SIZE, type ImageSize } from './layout.js';
import { embedUrl, markdownLinkUrl } from './urls.js';
import { fnv1a } from '../util/hash.js';

// Our own lengths, well inside Discord's: a digest entry is a teaser, and ten of them should read at a glance.
export const EXCERPT_MAX = Math.min(350, EMBED_DESCRIPTION_MAX);
const RELATED_TITLE_MAX = 90;
const TOPICS_MAX = Math.min(200, EMBED_FOOTER_TEXT_MAX);

const RELATED_FIELD_NAME = 'Related coverage';

// Colour-blind-safe hues (Okabe–Ito); each topic keeps its colour from one digest to the next.
const PALETTE = [0xe69f00, 0x56b4e9, 0x009e73, 0xf0e442, 0x0072b2, 0xd55e00, 0xcc79a7, 0x999999];

/** The story's colour: its first topic's (else its outlet's), the same in every digest. */
export function colourOf(article: Article): number {
  const key = article.topics[0] ?? article.provider.domain;
  return PALETTE[fnv1a(key) % PALETTE.length]!;
}

/** How an outlet is named to readers: its cleaned name, else the host of the piece's URL. */
export function outletName(piece: Pick<RelatedCoverage, 'provider' | 'url'>): string {
  return cleanText(piece.provider?.name) || outletHost(piece.url);
}

/** `[title](url) — outlet`, or null when the link is not one Discord would accept. */
function relatedLine(coverage: RelatedCoverage): string | null {
  const url = markdownLinkUrl(coverage.url);
  if (!url) return null;
  return `[${displayText(coverage.title, RELATED_TITLE_MAX)}](${url}) — ${escapeText(outletName(coverage))}`;
}

/** How a shortened list says what it left out. */
export const moreLine = (count: number): string => `and ${count} more`;

/**
 * The related coverage as one field value within Discord's field limit: the best outlets first, as many as fit,
 * then "and N more" for the rest, so a long list is shortened visibly rather than cut.
 */
function relatedCoverageValue(related: readonly RelatedCoverage[]): string | null {
  const lines = related.map(relatedLine).filter((line): line is string => line !== null);
  if (lines.length === 0) return null;
  const all = lines.join('\n');
  if (all.length <= EMBED_FIELD_VALUE_MAX) return all;
  const budget = EMBED_FIELD_VALUE_MAX - `\n${moreLine(lines.length)}`.length;
  const kept: string[] = [];
  let used = -1; // the first line needs no newline before it
  for (const line of lines) {
    if (used + 1 + line.length > budget) continue;
    kept.push(line);
    used += 1 + line.length;
  }
  return [...kept, moreLine(lines.length - kept.length)].join('\n');
}

/** The picture of `article` as an embed's large image or thumbnail, or nothing. */
export function pictureOf(article: Article, images: ImageSize): Pick<APIEmbed, 'image' | 'thumbnail'> {
  const url = images === 'none' ? null : embedUrl(article.image?.url);
  if (!url) return {};
  return images === 'large' ? { image: { url } } : { thumbnail: { url } };
}

/**
 * A story as an embed, its picture shown as `images` says; every text is cleaned, escaped where Discord renders
 * markdown, and within its limit.
 */
export function storyEmbed(story: Story, images: ImageSize = DEFAULT_IMAGE_SIZE): APIEmbed {
  const { lead } = story;
  const embed: APIEmbed = { color: colourOf(lead), timestamp: lead.publishedAt.toISOString() };
  const title = displayText(lead.title, EMBED_TITLE_MAX);
  if (title) embed.title = title;
  const url = embedUrl(lead.url);
  if (url) embed.url = url;
  const excerpt = displayText(lead.excerpt, EXCERPT_MAX);
  if (excerpt) embed.description = excerpt;
  // Author names and footers show markdown as typed, so they are cleaned but not escaped.
  const outlet = truncate(outletName(lead), EMBED_AUTHOR_NAME_MAX);
  const icon = embedUrl(lead.provider.iconUrl);
  const home = embedUrl(`https://${lead.provider.domain}/`);
  embed.author = { name: outlet, ...(home && { url: home }), ...(icon && { icon_url: icon }) };
  Object.assign(embed, pictureOf(lead, images));
  const related = relatedCoverageValue(story.related);
  if (related) embed.fields = [{ name: RELATED_FIELD_NAME, value: related, inline: false } satisfies APIEmbedField];
  const topics = truncate(lead.topics.map((t) => cleanText(t)).filter(Boolean).join(' · '), TOPICS_MAX);
  if (topics) embed.footer = { text: topics };
  return embed;
}
