import { ButtonStyle, ComponentType, MessageFlags } from 'discord.js';

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

/** What a reader sees of Discord markdown: escapes undone, masked links as "label (url)", mentions by name. */
function plainText(markdown: string, mention: MentionLabel | undefined): string {
  return markdown
    .replace(/\[([^\]]*)\]\(<?([^)>\s]+)>?\)/g, '$1 ($2)')
    .replace(/\\([\\*_~`|>#\-.[\]()])/g, '$1')
    .replace(/<(#|@&|@!?)(\d+)>/g, (whole, kind: string, id: string) => mention?.(kind === '@!' ? '@' : (kind as '#' | '@&' | '@'), id) ?? whole);
}

function embedLines(embed: Embed, text: (markdown: string) => string): string[] {
  const lines: string[] = [];
  if (embed.author?.name) lines.push(text(embed.author.name));
  if (embed.title) lines.push(`» ${text(embed.title)}`);
  if (embed.url) lines.push(`  ${embed.url}`);
  if (embed.description) lines.push(...text(embed.description).split('\n'));
  for (const field of embed.fields ?? []) {
    lines.push(`• ${text(field.name ?? '')}`);
    lines.push(...text(field.value ?? '').split('\n').map((l) => `  ${l}`));
  }
  if (embed.image?.url) lines.push(`[image] ${embed.image.url}`);
  const footer = [embed.footer?.text && text(embed.footer.text), embed.timestamp].filter(Boolean).join(' · ');
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
 * `mention`, mentions show as names, as Discord's client shows them.
 */
export function renderMessage(body: unknown, mention?: MentionLabel): string {
  const text = (markdown: string) => plainText(markdown, mention);
  const message = (body ?? {}) as { content?: string; embeds?: Embed[]; components?: { components?: Component[] }[]; flags?: number };
  const blocks: string[] = [];
  const flags = message.flags ?? 0;
  if (flags & MessageFlags.Loading) blocks.push('(Newsdesk is thinking…)');
  if (message.content) blocks.push(text(message.content));
  for (const embed of message.embeds ?? []) blocks.push(['  ┌', ...embedLines(embed, text), '  └'].join('\n'));
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
