// Text on its way to Discord. The plain cleaning and comparing functions live in clean-text.ts (the article parser's
// workers import that, without discord.js) and are re-exported here, where the rest of the bot has always found them.
import { escapeMarkdown } from 'discord.js';
import { cleanText, truncate } from './clean-text.js';

export { cleanText, foldForMatch, safeHttpUrl, truncate } from './clean-text.js';

/** Escapes Discord markdown (and masked-link brackets) so article text shows as written. */
export function escapeText(text: string): string {
  return escapeMarkdown(text).replace(/\[/g, '\\[').replace(/\]/g, '\\]');
}

/** Clean, escape and shorten: the one-stop form for untrusted text placed into a Discord payload. */
export function displayText(raw: unknown, max: number): string {
  return truncate(escapeText(cleanText(raw)), max);
}

/** "1 story", "3 stories", "1,234 articles". */
export function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
