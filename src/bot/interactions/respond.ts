// Answering an interaction whatever state it is in: not yet answered, or deferred.
import { MessageFlags } from 'discord.js';
import type { ButtonInteraction, ChatInputCommandInteraction } from 'discord.js';
import { toEditOptions, toReplyOptions } from '../replies.js';
import type { Reply } from '../replies.js';

/** Sends `reply` as the interaction's answer; after a defer, it fills in the (ephemeral) "thinking…" message. */
export async function respond(interaction: ChatInputCommandInteraction | ButtonInteraction, reply: Reply): Promise<void> {
  if (interaction.deferred) await interaction.editReply(toEditOptions(reply));
  else await interaction.reply(toReplyOptions(reply));
}

/**
 * Acknowledges now, so the work may take longer than Discord's 3 seconds. Only the member sees the answer: the
 * slow commands (posting a digest, a preview) answer the admin who ran them.
 */
export async function deferEphemeral(interaction: ChatInputCommandInteraction): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
}
