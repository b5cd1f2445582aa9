// Slash commands: find the handler, check its preconditions, defer if it asked to, run it, answer. Whatever
// happens the member gets an answer; a failure is one structured log line and a short ephemeral apology.
import type { ChatInputCommandInteraction } from 'discord.js';
import type { SlashCommand } from '../commands/types.js';
import type { BotContext } from '../context.js';
import { optionBoundsProblem } from '../optionBounds.js';
import { runPreconditions } from '../preconditions.js';
import { FAILURE, notice } from '../replies.js';
import type { Reply } from '../replies.js';
import { deferEphemeral, respond } from './respond.js';

export async function handleChatInput(interaction: ChatInputCommandInteraction, commands: ReadonlyMap<string, SlashCommand>, context: BotContext): Promise<void> {
  const subcommand = interaction.options.getSubcommand(false) ?? '';
  const where = {
    command: interaction.commandName, subcommand, interactionId: interaction.id,
    guildId: interaction.guildId, channelId: interaction.channelId, userId: interaction.user.id,
  };
  const command = commands.get(interaction.commandName);
  const handler = command?.subcommands[subcommand];
  try {
    if (!command || !handler) {
      // A command registered by an older version of the bot, still shown by Discord until the next deploy.
      context.logger.warn({ event: 'command.unknown', ...where }, 'unknown command');
      await respond(interaction, notice('I do not know this command any more. See `/help` for the ones I have.'));
      return;
    }
    const outOfBounds = optionBoundsProblem(command.definition, interaction.options.data);
    if (outOfBounds) {
      context.logger.info({ event: 'command.refused', ...where, reason: outOfBounds }, 'option out of bounds');
      await respond(interaction, notice(outOfBounds));
      return;
    }
    const check = runPreconditions(interaction, handler.preconditions ?? []);
    if (!check.ok) {
      context.logger.info({ event: 'command.refused', ...where, reason: check.message }, 'command refused');
      await respond(interaction, notice(check.message));
      return;
    }
    if (handler.defer) await deferEphemeral(interaction);
    let reply: Reply;
    try {
      reply = await handler.run(interaction, context);
    } catch (error) {
      context.logger.error({ event: 'command.failed', ...where, err: error }, 'command failed');
      reply = FAILURE;
    }
    await respond(interaction, reply);
  } catch (error) {
    // Answering itself failed (Discord unreachable, the interaction expired): nothing more can reach the member.
    context.logger.error({ event: 'command.reply_failed', ...where, err: error }, 'could not answer a command');
  }
}
