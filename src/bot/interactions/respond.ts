// Answering an interaction whatever state it is in: not yet answered, deferred (publicly or not), or a button.
import type { ButtonInteraction, ChatInputCommandInteraction } from 'discord.js';
import { MessageFlags } from 'discord.js';
import { toEditOptions, toReplyOptions } from '../replies.js';
import type { Reply } from '../replies.js';

/**
 * Sends `reply` as the interaction's answer. After a defer the deferred message is edited; a reply that must be
 * ephemeral after a public defer (a refusal, an error) replaces the "thinking…" message with an ephemeral follow-up.
 */
export async function respond(interaction: ChatInputCommandInteraction | ButtonInteraction, reply: Reply): Promise<void> {
  if (!interaction.deferred && !interaction.replied) {
    await interaction.reply(toReplyOptions(reply));
    return;
  }
  const deferredEphemeral = interaction.ephemeral === true;
  if (reply.ephemeral && !deferredEphemeral) {
    await interaction.deleteReply();
    await interaction.followUp(toReplyOptions(reply));
    return;
  }
  await interaction.editReply(toEditOptions(reply));
}

/** Acknowledges now, so the work may take longer than Discord's 3 seconds. */
export async function deferFor(interaction: ChatInputCommandInteraction, mode: 'ephemeral' | 'public'): Promise<void> {
  await interaction.deferReply(mode === 'ephemeral' ? { flags: MessageFlags.Ephemeral } : {});
}
