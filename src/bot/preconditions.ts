// Checks run before a handler, in the manner of Sapphire's preconditions: each says yes or gives the member a reason.
// default_member_permissions only hides a command by default; a server can grant it to anyone under Integrations,
// so the permission is checked again here, on every run, from the permissions Discord sends with the interaction.
import { PermissionFlagsBits, PermissionsBitField } from 'discord.js';
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

/**
 * What the bot needs in a channel to post a digest there, with the names members see in Discord's settings. Read
 * Message History lets it check, after an interrupted post, whether the message arrived before sending it again.
 */
const DIGEST_CHANNEL_PERMISSIONS: readonly [bigint, string][] = [
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.SendMessages, 'Send Messages'],
  [PermissionFlagsBits.EmbedLinks, 'Embed Links'],
  [PermissionFlagsBits.ReadMessageHistory, 'Read Message History'],
];

/** The permissions (by display name) the bot lacks in `channel`; empty when it may post digests there. */
export function missingBotPermissions(channel: GuildBasedChannel, me: GuildMember | null): string[] {
  const granted = (me && channel.permissionsFor(me)) ?? new PermissionsBitField();
  return DIGEST_CHANNEL_PERMISSIONS.filter(([flag]) => !granted.has(flag)).map(([, name]) => name);
}
