import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import { ButtonStyle, ComponentType, MessageFlags } from 'discord.js';
import { timeAgo } from '../util/timeAgo.js';

dayjs.extend(utc);
dayjs.extend(timezone);

// A message payload as a terminal shows it: content, each embed as an indented block, then the buttons. Pure, so
// the prompt, tests and logs print the same thing.

/** The name Discord's client shows for a mention (`#` channel, `@&` role, `@` member), or undefined to leave it be. */
export type MentionLabel = (kind: '#' | '@&' | '@', id: string) => string | undefined;

interface Embed {
  title?: string;
  url?: string;
  description?: string;
  author?: { name?: string };
  fields?: { name?: string; value?: string }[];
  footer?: { text?: string };
  timestamp?: string;
  image?: { url?: string };
  thumbnail?: { url?: string };
}

interface Component {
  type?: number;
  style?: number;
  label?: string;
  custom_id?: string;
  url?: string;
  disabled?: boolean;
  emoji?: { name?: string };
  placeholder?: string;
  options?: { label?: string }[];
}

/** Where and when the reader is, for Discord timestamps: each reader sees them in their own zone. */
export interface ReaderTime {
  /** Defaults to the current time. */
  now?: Date;
  /** An IANA zone; defaults to the machine's own, as Discord's client uses the reader's. */
  timeZone?: string;
}

// The formats of Discord's timestamp styles, as its client shows them in British English; f when none is given.
// https://discord.com/developers/docs/reference#message-formatting-timestamp-styles
const TIMESTAMP_FORMATS: Record<string, string> = {
  t: 'HH:mm',
  T: 'HH:mm:ss',
  d: 'DD/MM/YYYY',
  D: 'D MMMM YYYY',
  f: 'D MMMM YYYY HH:mm',
  F: 'dddd, D MMMM YYYY HH:mm',
  s: 'DD/MM/YYYY HH:mm',
  S: 'DD/MM/YYYY HH:mm:ss',
};

/** "3 h ago" or "in 2 h", reusing the search results' wording for the past. */
function relativeTime(then: Date, now: Date): string {
  if (then.getTime() <= now.getTime()) return timeAgo(then, now);
  const ahead = timeAgo(now, then);
  return ahead === 'just now' ? 'in a moment' : `in ${ahead.replace(/ ago$/, '')}`;
}

/** A time in one of Discord's timestamp styles as `reader` sees it, or undefined for a style or time it does not render. */
function readerTime(then: Date, style: string, reader: ReaderTime): string | undefined {
  if (Number.isNaN(then.getTime())) return undefined;
  if (style === 'R') return relativeTime(then, reader.now ?? new Date());
  const format = TIMESTAMP_FORMATS[style];
  if (!format) return undefined;
  return (reader.timeZone ? dayjs(then).tz(reader.timeZone) : dayjs(then)).format(format);
}

/**
 * What a reader sees of Discord markdown: masked links as "label (url)", mentions by name, timestamps as times,
 * then escapes undone (an escaped "\<@&1>" is shown as typed, never as a mention).
 */
function plainText(markdown: string, mention: MentionLabel | undefined, reader: ReaderTime): string {
  return markdown
    .replace(/(?<!\\)\[((?:\\.|[^\]\\])*)\]\(<?([^)>\s]+)>?\)/g, '$1 ($2)')
    .replace(/(?<!\\)<(#|@&|@!?)(\d+)>/g, (whole, kind: string, id: string) => mention?.(kind === '@!' ? '@' : (kind as '#' | '@&' | '@'), id) ?? whole)
    .replace(/(?<!\\)<t:(-?\d+)(?::(\w))?>/g, (whole, seconds: string, style: string | undefined) => readerTime(new Date(Number(seconds) * 1000), style ?? 'f', reader) ?? whole)
    .replace(/\\([^\p{L}\p{N}\s])/gu, '$1');
}

function embedLines(embed: Embed, text: (markdown: string) => string, reader: ReaderTime): string[] {
  const lines: string[] = [];
  if (embed.author?.name) lines.push(text(embed.author.name));
  if (embed.title) lines.push(`» ${text(embed.title)}`);
  if (embed.url) lines.push(`  ${embed.url}`);
  if (embed.description) lines.push(...text(embed.description).split('\n'));
  for (const field of embed.fields ?? []) {
    lines.push(`• ${text(field.name ?? '')}`);
    lines.push(...text(field.value ?? '').split('\n').map((l) => `  ${l}`));
  }
  if (embed.thumbnail?.url) lines.push(`[thumbnail] ${embed.thumbnail.url}`);
  if (embed.image?.url) lines.push(`[image] ${embed.image.url}`);
  // Discord's client shows an embed's timestamp in the reader's zone, as a short date and time.
  const when = embed.timestamp && (readerTime(new Date(embed.timestamp), 's', reader) ?? embed.timestamp);
  const footer = [embed.footer?.text && text(embed.footer.text), when].filter(Boolean).join(' · ');
  if (footer) lines.push(`— ${footer}`);
  return lines.map((l) => `  │ ${l}`.trimEnd());
}

function componentText(component: Component): string {
  const label = [component.emoji?.name, component.label].filter(Boolean).join(' ') || component.custom_id || '?';
  if (component.type === ComponentType.Button) {
    if (component.style === ButtonStyle.Link) return `[${label} ↗ ${component.url ?? ''}]`;
    return `[${label}]${component.disabled ? ' (disabled)' : ''}`;
  }
  const choices = (component.options ?? []).map((o) => o.label).join(' | ');
  return `<${component.placeholder ?? 'choose'}${choices ? `: ${choices}` : ''}>`;
}

/**
 * Renders a message body (content, embeds, components, flags) as readable plain text, one line per row; with
 * `mention`, mentions show as names, and timestamps as times for `reader`, as Discord's client shows them.
 */
export function renderMessage(body: unknown, mention?: MentionLabel, reader: ReaderTime = {}): string {
  const text = (markdown: string) => plainText(markdown, mention, reader);
  const message = (body ?? {}) as { content?: string; embeds?: Embed[]; components?: { components?: Component[] }[]; flags?: number };
  const blocks: string[] = [];
  const flags = message.flags ?? 0;
  if (flags & MessageFlags.Loading) blocks.push('(Newsdesk is thinking…)');
  if (message.content) blocks.push(text(message.content));
  for (const embed of message.embeds ?? []) blocks.push(['  ┌', ...embedLines(embed, text, reader), '  └'].join('\n'));
  for (const row of message.components ?? []) blocks.push(`  ${(row.components ?? []).map(componentText).join('  ')}`);
  if (flags & MessageFlags.Ephemeral) blocks.push('  (only you can see this)');
  return blocks.length ? blocks.join('\n') : '(empty message)';
}

/** The buttons of a message that send an interaction (not links), disabled ones too, for the prompt's next/prev and click words. */
export function buttonsOf(body: unknown): { label: string; customId: string; disabled: boolean }[] {
  const rows = ((body ?? {}) as { components?: { components?: Component[] }[] }).components ?? [];
  return rows
    .flatMap((r) => r.components ?? [])
    .filter((c) => c.type === ComponentType.Button && c.style !== ButtonStyle.Link && c.custom_id)
    .map((c) => ({ label: c.label ?? '', customId: c.custom_id!, disabled: c.disabled === true }));
}
