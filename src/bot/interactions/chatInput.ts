// Slash commands: find the handler, check its preconditions, defer if it asked to, run it, answer. Whatever
// happens the member gets an answer; a failure is one structured log line and a short ephemeral apology.
import type { ChatInputCommandInteraction } from 'discord.js';
import { INTERACTION_RESPONSE_DEADLINE_MS } from '../../discord/limits.js';
import type { SlashCommand } from '../commands/types.js';
import type { BotContext } from '../context.js';
import { optionBoundsProblem } from '../optionBounds.js';
import { runPreconditions } from '../preconditions.js';
import { FAILURE, notice } from '../replies.js';
import type { Reply } from '../replies.js';
import { deferEphemeral, respond } from './respond.js';

// Discord drops an interaction left unanswered for 3 s. A handler still running a second before that (its database
// stopped answering, say) is deferred, so its answer, or the apology for its failure, still reaches the member: only
// the member, since what comes this late is most likely that apology.
const LATE_DEFER_MS = INTERACTION_RESPONSE_DEADLINE_MS - 1_000;

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
    const running = (async (): Promise<Reply> => {
      try {
        return await handler.run(interaction, context);
      } catch (error) {
        context.logger.error({ event: 'command.failed', ...where, err: error }, 'command failed');
        return FAILURE;
      }
    })();
    await respond(interaction, await inTime(interaction, running));
  } catch (error) {
    // Answering itself failed (Discord unreachable, the interaction expired): nothing more can reach the member.
    context.logger.error({ event: 'command.reply_failed', ...where, err: error }, 'could not answer a command');
  }
}

/** The handler's reply; if it is not there LATE_DEFER_MS after an undeferred interaction began, defers it first. */
async function inTime(interaction: ChatInputCommandInteraction, running: Promise<Reply>): Promise<Reply> {
  if (interaction.deferred) return running;
  let timer: NodeJS.Timeout | undefined;
  // Counted from when Discord made the interaction (its id's time), within what is left of it on this clock.
  const waitMs = Math.min(LATE_DEFER_MS, Math.max(0, interaction.createdTimestamp + LATE_DEFER_MS - Date.now()));
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), waitMs);
  });
  const reply = await Promise.race([running, late]).finally(() => clearTimeout(timer));
  if (reply) return reply;
  await deferEphemeral(interaction);
  return running;
}
