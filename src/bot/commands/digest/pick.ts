// Which digest a /digest subcommand is about: the `digest` option (an id picked from autocomplete, or a name typed
// by hand), else the one digest of the `channel` option or of the channel the command was run in.
import type { ApplicationCommandOptionChoiceData, AutocompleteInteraction, ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../../context.js';
import { AUTOCOMPLETE_CHOICE_NAME_MAX } from '../../../discord/limits.js';
import type { Subscription } from '../../../state/types.js';
import { editDistance } from '../../../util/editDistance.js';
import { displayText, foldForMatch, truncate } from '../../../util/text.js';
import { describeSchedule } from '../../subscriptionText.js';

export const mention = (channelId: string) => `<#${channelId}>`;

export type Picked = { ok: true; subscription: Subscription } | { ok: false; message: string };

const nameList = (digests: readonly Subscription[]) => digests.map((d) => `**${displayText(d.name, 60)}**`).join(', ');

/** The closest names to a typo, for "did you mean". */
function nearNames(typed: string, digests: readonly Subscription[]): Subscription[] {
  const key = foldForMatch(typed);
  return digests
    .map((d) => ({ d, distance: editDistance(key, foldForMatch(d.name)) }))
    .filter(({ distance }) => distance <= Math.max(2, Math.floor(key.length / 3)))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map(({ d }) => d);
}

/** The digest of this server named or picked in the `digest` option, or why there is none. */
function byOption(typed: string, digests: readonly Subscription[]): Picked {
  // Autocomplete sends the id; a member who typed without picking sends the name.
  const found = /^\d+$/.test(typed) ? digests.find((d) => String(d.id) === typed) : undefined;
  const named = found ?? digests.find((d) => foldForMatch(d.name) === foldForMatch(typed));
  if (named) return { ok: true, subscription: named };
  const near = nearNames(typed, digests);
  const hint = near.length > 0 ? ` Did you mean ${nameList(near)}?` : digests.length > 0 ? ` This server’s digests: ${nameList(digests.slice(0, 10))}.` : ' Set one up with `/digest setup`.';
  return { ok: false, message: `This server has no digest called “${displayText(typed, 60)}”.${hint}` };
}

/** The digest the command is about, or a message saying why it is not clear. */
export async function pickDigest(interaction: ChatInputCommandInteraction, context: BotContext): Promise<Picked> {
  const digests = await context.subscriptions.list({ guildId: interaction.guildId! });
  const typed = interaction.options.getString('digest');
  if (typed !== null) return byOption(typed, digests);
  const channelId = String(interaction.options.get('channel')?.value ?? interaction.channelId);
  const inChannel = digests.filter((d) => d.channelId === channelId);
  if (inChannel.length === 1) return { ok: true, subscription: inChannel[0]! };
  if (inChannel.length === 0) return { ok: false, message: `${mention(channelId)} has no digest. Set one up with \`/digest setup\`.` };
  return { ok: false, message: `${mention(channelId)} has ${inChannel.length} digests (${nameList(inChannel)}): pick one with the \`digest\` option.` };
}

/** "Morning — #news · Weekdays at 08:00 (Europe/Paris)", within Discord's length for a choice. */
function choiceName(digest: Subscription, channelName: string | undefined): string {
  const where = channelName ? `#${channelName}` : 'a deleted channel';
  return truncate(`${digest.name} — ${where} · ${describeSchedule(digest)}${digest.paused ? ' · paused' : ''}`, AUTOCOMPLETE_CHOICE_NAME_MAX);
}

/** The server's digests whose name or channel matches what was typed, best first; the value is the digest's id. */
export async function digestChoices(interaction: AutocompleteInteraction, context: BotContext, limit: number): Promise<ApplicationCommandOptionChoiceData[]> {
  const typed = foldForMatch(String(interaction.options.getFocused()));
  const channelName = (id: string) => interaction.guild?.channels.cache.get(id)?.name;
  const scored = (await context.subscriptions.list({ guildId: interaction.guildId! }))
    .map((d) => {
      const name = foldForMatch(d.name);
      const channel = foldForMatch(channelName(d.channelId) ?? '');
      const rank = typed === '' || name.startsWith(typed) ? 0 : name.includes(typed) || channel.includes(typed) ? 1 : editDistance(typed, name) <= 2 ? 2 : -1;
      return { d, rank };
    })
    .filter(({ rank }) => rank >= 0)
    .sort((a, b) => a.rank - b.rank);
  return scored.slice(0, limit).map(({ d }) => ({ name: choiceName(d, channelName(d.channelId)), value: String(d.id) }));
}
