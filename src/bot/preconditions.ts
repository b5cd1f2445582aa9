// Checks run before a handler, in the manner of Sapphire's preconditions: each says yes or gives the member a reason.
// default_member_permissions only hides a command by default; a server can grant it to anyone under Integrations,
// so the permission is checked again here, on every run, from the permissions Discord sends with the interaction.
import { ChannelType, PermissionFlagsBits, PermissionsBitField } from 'discord.js';
import type { BaseInteraction, GuildBasedChannel, GuildMember } from 'discord.js';

export type PreconditionResult = { ok: true } | { ok: false; message: string };
export type Precondition = (interaction: BaseInteraction) => PreconditionResult;

const OK: PreconditionResult = { ok: true };

/** Works in a server only (digests belong to a server's channels). */
export const requireGuild: Precondition = (interaction) =>
  interaction.inGuild() ? OK : { ok: false, message: 'This command works in a server, not in direct messages.' };

/** Changing a server's digests takes Manage Server, as the command's default_member_permissions says. */
export const requireManageGuild: Precondition = (interaction) => {
  const inGuild = requireGuild(interaction);
  if (!inGuild.ok || interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return inGuild;
  return { ok: false, message: 'Only members with the **Manage Server** permission can change this server’s digests.' };
};

export function runPreconditions(interaction: BaseInteraction, preconditions: readonly Precondition[]): PreconditionResult {
  for (const precondition of preconditions) {
    const result = precondition(interaction);
    if (!result.ok) return result;
  }
  return OK;
}

type Permission = readonly [flag: bigint, name: string];

const VIEW: Permission = [PermissionFlagsBits.ViewChannel, 'View Channel'];
const SEND: Permission = [PermissionFlagsBits.SendMessages, 'Send Messages'];
const SEND_IN_THREADS: Permission = [PermissionFlagsBits.SendMessagesInThreads, 'Send Messages in Threads'];
const EMBED: Permission = [PermissionFlagsBits.EmbedLinks, 'Embed Links'];
const HISTORY: Permission = [PermissionFlagsBits.ReadMessageHistory, 'Read Message History'];

/**
 * What the bot needs in a channel to post a digest there, with the names members see in Discord's settings. In a
 * thread Send Messages in Threads is what lets it post (Send Messages does not count); in a forum Send Messages opens
 * a post and Send Messages in Threads writes the run's other messages in it. Publishing its own messages in an
 * announcement channel takes nothing more (Manage Messages is for other people's). Read Message History lets it
 * check, after an interrupted post, whether the message arrived before sending it again.
 */
function digestPermissions(channel: GuildBasedChannel): readonly Permission[] {
  if (channel.isThread()) return [VIEW, SEND_IN_THREADS, EMBED, HISTORY];
  if (channel.type === ChannelType.GuildForum) return [VIEW, SEND, SEND_IN_THREADS, EMBED, HISTORY];
  return [VIEW, SEND, EMBED, HISTORY];
}

/** The permissions (by display name) the bot lacks in `channel`; empty when it may post digests there. */
export function missingBotPermissions(channel: GuildBasedChannel, me: GuildMember | null): string[] {
  const granted = (me && channel.permissionsFor(me)) ?? new PermissionsBitField();
  return digestPermissions(channel).filter(([flag]) => !granted.has(flag)).map(([, name]) => name);
}
