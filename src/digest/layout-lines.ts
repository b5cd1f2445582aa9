// One story as one line of Discord markdown, for the compact and headlines layouts: its linked title, its outlet and
// its time as a Discord timestamp, which each reader's client shows in their own zone and language.
import { time, TimestampStyles } from 'discord.js';
import { cleanText, escapeText, truncate } from '../util/text.js';
import type { Story } from './choose.js';
import { outletHost } from './coverage.js';
import { outletName } from './embed.js';
import { markdownLinkUrl } from './urls.js';

// Our own lengths: a line is read at a glance, ten to a digest.
const LINE_TITLE_MAX = 150;
const LINE_OUTLET_MAX = 60;

/**
 * Cleaned article text for a line Discord renders as markdown: escaped, and unable to mention anyone or show a
 * channel, command or timestamp, since a title in a line is rendered where an embed title never was.
 */
export function lineText(cleaned: string, max: number): string {
  return truncate(escapeText(cleaned).replace(/[<@]/g, '\\$&'), max);
}

export interface LineOptions {
  /** The longest line the caller can place; past it the title is shown without its link rather than dropped. */
  max: number;
  /** Wraps the link in <…>, which stops Discord from previewing it under a message's content. */
  noPreview: boolean;
  /** Appended when the whole line still fits (e.g. the other outlets' names). */
  extra?: string;
}

/** `• [title](url) — outlet <t:…:R>`, within `options.max` characters. */
export function storyLine(story: Story, options: LineOptions): string {
  const { lead } = story;
  const title = lineText(cleanText(lead.title), LINE_TITLE_MAX) || lineText(outletHost(lead.url), LINE_TITLE_MAX);
  const tail = ` — ${lineText(outletName(lead), LINE_OUTLET_MAX)} ${time(lead.publishedAt, TimestampStyles.RelativeTime)}`;
  const url = markdownLinkUrl(lead.url);
  const linked = url && `• [${title}](${options.noPreview ? `<${url}>` : url})${tail}`;
  const line = linked && linked.length <= options.max ? linked : `• ${title}${tail}`;
  const extended = options.extra ? `${line} · ${options.extra}` : line;
  return extended.length <= options.max ? extended : line;
}
